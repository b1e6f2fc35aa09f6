"""RemoteMedia: AI/ML media pipelines with a native runtime and a Python SDK.

Quick start::

    import asyncio
    from remotemedia import Pipeline
    from remotemedia.nodes import MultiplyNode, AddNode

    pipeline = Pipeline([MultiplyNode(factor=2), AddNode(addend=10)])
    print(asyncio.run(pipeline.run([1, 2, 3])))   # [12, 14, 16]

Importing this package loads numpy and the standard library only.
"""

from ._version import __version__
from .core.exceptions import (
    ConfigurationError,
    NodeError,
    PipelineError,
    RemoteMediaError,
    SerializationError,
    TransientError,
)
from .core.node import Node
from .core.remote_config import RemoteExecutorConfig
from .core.pipeline import Pipeline
from .native import (
    get_native_runtime,
    get_rust_runtime,
    is_native_runtime_available,
    is_rust_runtime_available,
    try_load_native_runtime,
    try_load_rust_runtime,
)



def _warn_if_installed_without_native() -> None:
    """A wheel built without the native runtime (REMOTEMEDIA_NO_NATIVE=1, or
    a native build that failed and was retried without CMake) says so once
    per process. The source tree has no ``_build_info`` and says nothing;
    ``REMOTEMEDIA_NO_NATIVE=1`` at run time silences it."""
    import os
    import warnings

    try:
        from ._build_info import NATIVE_BUILD, REASON
    except ImportError:
        return
    if NATIVE_BUILD or os.environ.get("REMOTEMEDIA_NO_NATIVE", "") not in ("", "0"):
        return
    from .native import NativeRuntimeWarning

    warnings.warn(
        f"RemoteMedia was installed without its native runtime: {REASON}. "
        "Pipelines run in pure Python (same results, slower) and there is no rmrun. "
        "For the native runtime install the self-contained wheel (`make wheel` in the "
        "repository) or install the -dev packages and reinstall; see "
        "docs/python-api.md#installing. REMOTEMEDIA_NO_NATIVE=1 silences this.",
        NativeRuntimeWarning,
        stacklevel=3,
    )


_warn_if_installed_without_native()

__all__ = [
    "__version__",
    "Pipeline",
    "Node",
    "RemoteExecutorConfig",
    "RemoteMediaError",
    "PipelineError",
    "NodeError",
    "ConfigurationError",
    "SerializationError",
    "TransientError",
    "is_native_runtime_available",
    "try_load_native_runtime",
    "get_native_runtime",
    "is_rust_runtime_available",
    "try_load_rust_runtime",
    "get_rust_runtime",
]
