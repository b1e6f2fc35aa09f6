"""Probe package for the native runtime (kept from the old SDK).

``import remotemedia_runtime`` succeeds exactly when the native runtime is
installed and loadable, and then exposes its ``__version__``; otherwise it
raises ``ImportError`` with the reason. New code should call
:func:`remotemedia.is_native_runtime_available` instead.
"""

from remotemedia.native import try_load_native_runtime as _try_load

_ok, _bridge, _error = _try_load()
if not _ok:
    raise ImportError(f"remotemedia_runtime: {_error}")

from remotemedia import __version__ as _sdk_version  # noqa: E402

__version__: str = getattr(_bridge, "__version__", _sdk_version)
bridge = _bridge

__all__ = ["__version__", "bridge"]
