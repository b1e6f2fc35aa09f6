# Finds every library the build uses, then reports all that are missing at
# once (with the Debian packages that provide them) instead of stopping at
# the first one.
#
#   rm_require_pkg(<VAR> <pkg-config module> <Debian package>)
#       a required library: PkgConfig::<VAR> when found, else listed in the
#       error of rm_check_dependencies().
#   rm_optional_pkg(<VAR> <pkg-config module> <Debian package> <what it enables>
#                   [OPTION <cache option>])
#       an optional part: built when found, reported as skipped when not,
#       never fatal. Sets RM_HAVE_<VAR> (ON/OFF). The cache option
#       (RM_WITH_<VAR> by default: AUTO, ON or OFF) turns it off on purpose
#       (OFF) or makes it required (ON). The module and the Debian package
#       may be lists ("libavformat;libavcodec"): all modules must be found.
#   rm_require_other(<found> <what> <Debian package>)
#       a dependency found some other way (find_package): adds <what> to the
#       missing list when <found> is false.
#   rm_check_dependencies()
#       one FATAL_ERROR naming every missing library and the apt-get line;
#       then a one-line summary of the optional parts.
include_guard(GLOBAL)

set(RM_MISSING_WHAT "")
set(RM_MISSING_DEBIAN "")
set(RM_OPTIONAL_SUMMARY "")

find_package(PkgConfig QUIET)
if(NOT PKG_CONFIG_FOUND)
  list(APPEND RM_MISSING_WHAT "the pkg-config tool")
  list(APPEND RM_MISSING_DEBIAN pkg-config)
endif()

macro(rm_require_other found what debian)
  if(NOT ${found})
    list(APPEND RM_MISSING_WHAT "${what}")
    list(APPEND RM_MISSING_DEBIAN ${debian})
  endif()
endmacro()

macro(rm_require_pkg var module debian)
  if(PKG_CONFIG_FOUND)
    pkg_check_modules(${var} QUIET IMPORTED_TARGET ${module})
  endif()
  if(NOT ${var}_FOUND)
    list(APPEND RM_MISSING_WHAT "${module} (pkg-config module)")
    list(APPEND RM_MISSING_DEBIAN ${debian})
  endif()
endmacro()

macro(rm_optional_pkg var module debian what)
  cmake_parse_arguments(_rm_opt "" "OPTION" "" ${ARGN})
  if(NOT _rm_opt_OPTION)
    set(_rm_opt_OPTION RM_WITH_${var})
  endif()
  set(${_rm_opt_OPTION} AUTO CACHE STRING
      "${what}: AUTO (when found), ON (required) or OFF")
  set_property(CACHE ${_rm_opt_OPTION} PROPERTY STRINGS AUTO ON OFF)
  set(RM_HAVE_${var} OFF)
  string(REPLACE ";" " " _rm_opt_modules "${module}")
  string(REPLACE ";" " " _rm_opt_debian "${debian}")
  if(${_rm_opt_OPTION} STREQUAL "OFF")
    list(APPEND RM_OPTIONAL_SUMMARY "${what}: skipped (${_rm_opt_OPTION}=OFF)")
  else()
    if(PKG_CONFIG_FOUND)
      pkg_check_modules(${var} QUIET IMPORTED_TARGET ${module})
    endif()
    if(${var}_FOUND)
      set(RM_HAVE_${var} ON)
      list(APPEND RM_OPTIONAL_SUMMARY "${what}: built")
    elseif(${_rm_opt_OPTION} STREQUAL "ON")
      list(APPEND RM_MISSING_WHAT "${_rm_opt_modules} (pkg-config module; ${_rm_opt_OPTION}=ON)")
      list(APPEND RM_MISSING_DEBIAN ${debian})
    else()
      list(APPEND RM_OPTIONAL_SUMMARY
           "${what}: skipped (${_rm_opt_modules} not found: apt-get install ${_rm_opt_debian})")
    endif()
  endif()
endmacro()

function(rm_check_dependencies)
  foreach(line IN LISTS RM_OPTIONAL_SUMMARY)
    message(STATUS "optional: ${line}")
  endforeach()
  if(RM_MISSING_WHAT)
    list(REMOVE_DUPLICATES RM_MISSING_DEBIAN)
    list(JOIN RM_MISSING_WHAT "\n  - " what)
    list(JOIN RM_MISSING_DEBIAN " " debian)
    message(FATAL_ERROR
      "RemoteMedia cannot be built: missing\n  - ${what}\n"
      "On Debian/Ubuntu install them all at once with:\n"
      "  apt-get install ${debian}\n"
      "(scripts/install-apt.sh installs everything the build and the tests "
      "need). Elsewhere, install the development packages providing these "
      "pkg-config modules, or point PKG_CONFIG_PATH at them. Without any "
      "native build, `REMOTEMEDIA_NO_NATIVE=1 pip install ./python` installs "
      "the pure-Python SDK.")
  endif()
endfunction()
