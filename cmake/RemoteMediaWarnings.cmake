# Warnings everywhere, sanitizers on request.
set(RM_WARNING_FLAGS -Wall -Wextra -Wshadow -Wstrict-prototypes -Wformat=2
    -Wno-unused-parameter)
if(RM_WERROR)
  list(APPEND RM_WARNING_FLAGS -Werror)
endif()
add_compile_options("$<$<COMPILE_LANGUAGE:C>:${RM_WARNING_FLAGS}>")
add_compile_options("$<$<COMPILE_LANGUAGE:CXX>:-Wall;-Wextra>")
# Rounding and float→int conversions must stay vectorizable in the portable
# build (see shared BENCHMARKS.md): never a libm call per sample for errno.
add_compile_options(-fno-math-errno)

if(RM_SANITIZE AND RM_TSAN)
  message(FATAL_ERROR "RM_SANITIZE (ASan) and RM_TSAN (ThreadSanitizer) do not mix: use two build trees")
endif()
if(RM_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer
                      -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
endif()
if(RM_TSAN)
  add_compile_options(-fsanitize=thread -fno-omit-frame-pointer)
  add_link_options(-fsanitize=thread)
endif()
