"""Where the native runtime lives inside the installed package.

The wheel build installs ``bin/rmrun``, ``lib/libremotemedia.so``, the
plugins under ``lib/remotemedia/plugins`` and the bridge extension
``_bridge`` here. This file only knows the paths; see
:mod:`remotemedia.native` for detection.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["NATIVE_ROOT", "BIN_DIR", "LIB_DIR", "PLUGIN_DIR", "RMRUN_PATH"]

NATIVE_ROOT = Path(__file__).resolve().parent
BIN_DIR = NATIVE_ROOT / "bin"
LIB_DIR = NATIVE_ROOT / "lib"
PLUGIN_DIR = LIB_DIR / "remotemedia" / "plugins"
RMRUN_PATH = BIN_DIR / "rmrun"
