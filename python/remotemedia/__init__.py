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
from .core.pipeline import Pipeline
from .native import (
    get_native_runtime,
    get_rust_runtime,
    is_native_runtime_available,
    is_rust_runtime_available,
    try_load_native_runtime,
    try_load_rust_runtime,
)

__all__ = [
    "__version__",
    "Pipeline",
    "Node",
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
