"""The SDK core: nodes, pipelines, errors."""

from .exceptions import (
    ConfigurationError,
    NodeError,
    PipelineError,
    RemoteMediaError,
    SerializationError,
    TransientError,
)
from .node import Node
from .pipeline import Pipeline

__all__ = [
    "Node",
    "Pipeline",
    "RemoteMediaError",
    "PipelineError",
    "NodeError",
    "ConfigurationError",
    "SerializationError",
    "TransientError",
]
