"""Where the native runtime lives inside the installed package.

The wheel build installs ``bin/rmrun``, ``lib/libremotemedia.so``, the
plugins under ``lib/remotemedia/plugins`` and the bridge extension
``_bridge`` here, plus what a plugin author builds against: the headers
(``include/remotemedia/plugin.h``), the CMake package
(``lib/cmake/RemoteMedia``) and the pkg-config files
(``lib/pkgconfig``). This file only knows the paths; see
:mod:`remotemedia.native` for detection. For example::

    cmake -S my-plugin -B build \
      -DCMAKE_PREFIX_PATH=$(python -c 'import remotemedia._native as n; print(n.cmake_prefix_path())')
"""

from __future__ import annotations

from pathlib import Path

__all__ = [
    "NATIVE_ROOT",
    "BIN_DIR",
    "LIB_DIR",
    "PLUGIN_DIR",
    "RMRUN_PATH",
    "INCLUDE_DIR",
    "plugin_include_dir",
    "cmake_prefix_path",
    "pkgconfig_dir",
]

NATIVE_ROOT = Path(__file__).resolve().parent
BIN_DIR = NATIVE_ROOT / "bin"
LIB_DIR = NATIVE_ROOT / "lib"
PLUGIN_DIR = LIB_DIR / "remotemedia" / "plugins"
RMRUN_PATH = BIN_DIR / "rmrun"
INCLUDE_DIR = NATIVE_ROOT / "include"


def plugin_include_dir() -> str:
    """The directory holding ``remotemedia/plugin.h`` (for ``-I``)."""
    return str(INCLUDE_DIR)


def cmake_prefix_path() -> str:
    """The prefix for ``CMAKE_PREFIX_PATH`` so ``find_package(RemoteMedia)``
    finds the runtime inside this package."""
    return str(NATIVE_ROOT)


def pkgconfig_dir() -> str:
    """The directory for ``PKG_CONFIG_PATH`` (``remotemedia.pc``,
    ``remotemedia-plugin.pc``)."""
    return str(LIB_DIR / "pkgconfig")
