# What `cmake --install` gives plugin authors and embedders besides the
# binaries: a CMake package (find_package(RemoteMedia CONFIG)), pkg-config
# files (remotemedia.pc, remotemedia-plugin.pc) and the plugin version
# script. Every file finds the others relative to itself, so an installed
# tree can be moved. With scikit-build-core (SKBUILD) the same layout lands
# inside the wheel under remotemedia/_native/ (see
# remotemedia._native.cmake_dir() / pkgconfig_dir()).
include_guard(GLOBAL)
include(CMakePackageConfigHelpers)

if(RM_INSTALL_ROOT STREQUAL ".")
  set(RM_PKG_ROOT "")
else()
  set(RM_PKG_ROOT "${RM_INSTALL_ROOT}/")
endif()
set(RM_PKG_INCLUDEDIR "${RM_PKG_ROOT}include")
set(RM_PKG_BINDIR "${RM_PKG_ROOT}bin")
set(RM_PKG_PLUGINDIR "${RM_PKG_ROOT}${RM_PLUGIN_SUBDIR}")
set(RM_PKG_CMAKEDIR "${RM_PKG_ROOT}lib/cmake/RemoteMedia")
set(RM_PKG_PCDIR "${RM_PKG_ROOT}lib/pkgconfig")
set(RM_PKG_MAP "${RM_PKG_ROOT}share/remotemedia/remotemedia-plugin.map")

# The ABI version, read from the header so it cannot drift.
file(STRINGS "${CMAKE_SOURCE_DIR}/plugin-api/include/remotemedia/plugin.h"
     rm_abi_lines REGEX "^#define RM_ABI_M(AJOR|INOR) [0-9]+")
foreach(line IN LISTS rm_abi_lines)
  if(line MATCHES "RM_ABI_MAJOR ([0-9]+)")
    set(RM_PKG_ABI_MAJOR "${CMAKE_MATCH_1}")
  elseif(line MATCHES "RM_ABI_MINOR ([0-9]+)")
    set(RM_PKG_ABI_MINOR "${CMAKE_MATCH_1}")
  endif()
endforeach()

set_target_properties(remotemedia PROPERTIES EXPORT_NAME runtime)
set_target_properties(remotemedia_plugin_api PROPERTIES EXPORT_NAME plugin-api)
install(TARGETS remotemedia_plugin_api EXPORT RemoteMediaTargets)
install(EXPORT RemoteMediaTargets NAMESPACE RemoteMedia::
        DESTINATION "${RM_PKG_CMAKEDIR}")

configure_package_config_file(
  "${CMAKE_CURRENT_LIST_DIR}/package/RemoteMediaConfig.cmake.in"
  "${CMAKE_BINARY_DIR}/package/RemoteMediaConfig.cmake"
  INSTALL_DESTINATION "${RM_PKG_CMAKEDIR}"
  PATH_VARS RM_PKG_INCLUDEDIR RM_PKG_PLUGINDIR RM_PKG_BINDIR RM_PKG_MAP)
write_basic_package_version_file(
  "${CMAKE_BINARY_DIR}/package/RemoteMediaConfigVersion.cmake"
  VERSION "${PROJECT_VERSION}" COMPATIBILITY SameMajorVersion)
install(FILES
  "${CMAKE_BINARY_DIR}/package/RemoteMediaConfig.cmake"
  "${CMAKE_BINARY_DIR}/package/RemoteMediaConfigVersion.cmake"
  "${CMAKE_CURRENT_LIST_DIR}/RemoteMediaPluginFlags.cmake"
  DESTINATION "${RM_PKG_CMAKEDIR}")

foreach(pc remotemedia remotemedia-plugin)
  configure_file("${CMAKE_CURRENT_LIST_DIR}/package/${pc}.pc.in"
                 "${CMAKE_BINARY_DIR}/package/${pc}.pc" @ONLY)
  install(FILES "${CMAKE_BINARY_DIR}/package/${pc}.pc"
          DESTINATION "${RM_PKG_PCDIR}")
endforeach()

install(FILES "${CMAKE_SOURCE_DIR}/plugin-api/remotemedia-plugin.map"
        DESTINATION "${RM_PKG_ROOT}share/remotemedia")
