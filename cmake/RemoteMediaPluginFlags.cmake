# remotemedia_plugin_link_flags(<target> VERSION_SCRIPT <file> [NO_Z_DEFS])
#
# The link rules every RemoteMedia plugin follows (see docs/plugin-guide.md):
# a MODULE without the "lib" prefix, hidden visibility (nothing is exported
# by accident), every symbol resolved at link time (-z defs: a missing
# library is a link error, not a dlopen failure on a user's machine), and a
# version script that exports only rm_plugin_entry.
#
# Shared by the project's own rm_add_plugin (cmake/RemoteMediaPlugin.cmake)
# and by the installed package's remotemedia_add_plugin
# (<prefix>/lib/cmake/RemoteMedia/RemoteMediaConfig.cmake), so in-tree and
# third-party plugins are linked the same way. NO_Z_DEFS is for sanitizer
# builds, where the sanitizer runtime comes from the executable.
include_guard(GLOBAL)

function(remotemedia_plugin_link_flags target)
  cmake_parse_arguments(ARG "NO_Z_DEFS" "VERSION_SCRIPT" "" ${ARGN})
  if(NOT ARG_VERSION_SCRIPT)
    message(FATAL_ERROR "remotemedia_plugin_link_flags(${target}): VERSION_SCRIPT is required")
  endif()
  set_target_properties(${target} PROPERTIES
    PREFIX ""
    C_VISIBILITY_PRESET hidden
    CXX_VISIBILITY_PRESET hidden
    VISIBILITY_INLINES_HIDDEN ON)
  if(NOT ARG_NO_Z_DEFS)
    target_link_options(${target} PRIVATE "LINKER:-z,defs")
  endif()
  target_link_options(${target} PRIVATE "LINKER:--version-script=${ARG_VERSION_SCRIPT}")
  set_property(TARGET ${target} APPEND PROPERTY LINK_DEPENDS "${ARG_VERSION_SCRIPT}")
endfunction()
