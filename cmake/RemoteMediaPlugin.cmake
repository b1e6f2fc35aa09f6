# rm_add_plugin(<target> SOURCES <files...> [LIBRARIES <libs...>]
#               [TEST_DIR <dir>])
#
# Builds a RemoteMedia plugin the way the ABI asks: a MODULE library with
# hidden visibility, every symbol resolved at link time (-z defs), and a
# version script that exports only the entry symbol. Output goes to the
# build tree's plugin directory; installed to the plugin directory.
# TEST_DIR: a plugin for tests only: output goes to <dir> instead, and it
# is not installed (so rmrun never finds it unless told to look there).
set(RM_PLUGIN_VERSION_SCRIPT "${CMAKE_CURRENT_LIST_DIR}/../plugin-api/remotemedia-plugin.map")
include("${CMAKE_CURRENT_LIST_DIR}/RemoteMediaPluginFlags.cmake")

function(rm_add_plugin target)
  cmake_parse_arguments(ARG "" "TEST_DIR" "SOURCES;LIBRARIES" ${ARGN})
  add_library(${target} MODULE ${ARG_SOURCES})
  target_link_libraries(${target} PRIVATE remotemedia::plugin-api ${ARG_LIBRARIES})
  # ASan's runtime is provided by the executable, so -z defs would fail.
  set(no_z_defs "")
  if(RM_SANITIZE OR RM_TSAN)
    set(no_z_defs NO_Z_DEFS)
  endif()
  remotemedia_plugin_link_flags(${target}
    VERSION_SCRIPT "${RM_PLUGIN_VERSION_SCRIPT}" ${no_z_defs})
  set_target_properties(${target} PROPERTIES
    LIBRARY_OUTPUT_DIRECTORY "${RM_PLUGIN_OUTPUT_DIR}")
  if(ARG_TEST_DIR)
    set_target_properties(${target} PROPERTIES LIBRARY_OUTPUT_DIRECTORY "${ARG_TEST_DIR}")
  else()
    install(TARGETS ${target} LIBRARY DESTINATION "${RM_INSTALL_PLUGINDIR}")
  endif()
endfunction()
