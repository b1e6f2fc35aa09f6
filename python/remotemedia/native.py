"""Is the native runtime here? Detection of the bridge module.

The native runtime is reached through ``remotemedia._native._bridge``, a
CPython extension built with the C project and installed in the wheel. It is
usable exactly when that module imports. Every answer is cached: detection
runs at most once per process, and the "not available" warning is given once.
"""

from __future__ import annotations

import importlib
import threading
import warnings
from types import ModuleType
from typing import Optional, Tuple

__all__ = [
    "BRIDGE_MODULE",
    "NativeRuntimeWarning",
    "is_native_runtime_available",
    "try_load_native_runtime",
    "get_native_runtime",
    "is_rust_runtime_available",
    "try_load_rust_runtime",
    "get_rust_runtime",
]

#: The import name of the native bridge extension module.
BRIDGE_MODULE = "remotemedia._native._bridge"


class NativeRuntimeWarning(RuntimeWarning):
    """The native runtime is not available; the pure-Python implementation runs."""


_lock = threading.Lock()
_result: Optional[Tuple[bool, Optional[ModuleType], Optional[str]]] = None
_warned = False


def try_load_native_runtime() -> Tuple[bool, Optional[ModuleType], Optional[str]]:
    """Try to load the native runtime.

    Returns:
        ``(True, bridge_module, None)`` when it loads, else
        ``(False, None, reason)`` with a human-readable reason. Cached.
    """
    global _result
    with _lock:
        if _result is None:
            try:
                module = importlib.import_module(BRIDGE_MODULE)
                _result = (True, module, None)
            except ImportError as exc:
                absent = isinstance(exc, ModuleNotFoundError) and exc.name in (BRIDGE_MODULE, "remotemedia._native")
                _result = (False, None, f"native runtime not installed ({BRIDGE_MODULE}: {exc})" if absent else
                           f"native runtime is installed but does not load ({BRIDGE_MODULE}: {exc}); a library "
                           "it needs is missing or damaged: reinstall the wheel (or `make sdk` in a checkout)")
            except Exception as exc:  # a broken build must not break the SDK
                _result = (False, None, f"native runtime failed to load: {type(exc).__name__}: {exc}")
        return _result


def is_native_runtime_available() -> bool:
    """Whether the native runtime can be used. Cached; warns once (with
    :class:`NativeRuntimeWarning`) when it cannot."""
    global _warned
    ok, _, error = try_load_native_runtime()
    if not ok and not _warned:
        _warned = True
        warnings.warn(
            f"RemoteMedia: {error}; using the pure-Python implementation "
            "(same results, slower)",
            NativeRuntimeWarning,
            stacklevel=2,
        )
    return ok


def get_native_runtime() -> Optional[ModuleType]:
    """The native bridge module, or ``None`` when it is not available."""
    return try_load_native_runtime()[1]


def _reset_for_tests() -> None:
    """Forget the cached detection result (tests only)."""
    global _result, _warned
    with _lock:
        _result = None
        _warned = False


# The old SDK's names (its native runtime was written in Rust).
is_rust_runtime_available = is_native_runtime_available
try_load_rust_runtime = try_load_native_runtime
get_rust_runtime = get_native_runtime
