"""Every exception the SDK raises on purpose, in one place.

All of them derive from :class:`RemoteMediaError`, so ``except
RemoteMediaError`` catches anything the SDK reports. Errors raised *by a
node* while a pipeline runs are wrapped in :class:`NodeError`, which names the
node (``node_id``, ``node_type``) and the operation that failed and keeps the
original exception as ``__cause__``; when that is a ``ValueError`` (or a
``TypeError``) the NodeError is one too (:class:`NodeValueError`,
:class:`NodeTypeError`), so ``except ValueError`` still catches bad input
such as audio shaped (frames, channels).
"""

from __future__ import annotations

from typing import Optional

__all__ = [
    "RemoteMediaError",
    "PipelineError",
    "NodeError",
    "NodeValueError",
    "NodeTypeError",
    "ConfigurationError",
    "SerializationError",
    "TransientError",
    "CircuitOpenError",
    "NativeRuntimeUnavailableError",
]


class RemoteMediaError(Exception):
    """Base class of every error the SDK raises."""


class PipelineError(RemoteMediaError):
    """The pipeline was misused or could not run (e.g. adding a node to an
    initialised pipeline, running an empty one)."""


class ConfigurationError(RemoteMediaError, ValueError):
    """A node or pipeline parameter is invalid.

    Also a :class:`ValueError`, so code that validates parameters the standard
    way keeps working.
    """


class SerializationError(RemoteMediaError):
    """A pipeline or a value could not be turned into (or read from) a manifest."""


class NodeError(RemoteMediaError):
    """A node failed.

    Attributes:
        node_id: the node's id in the pipeline (``"{name}_{index}"``) or its
            name when it runs outside a pipeline.
        node_type: the node's class name.
        operation: what failed: ``"initialize"``, ``"process"``, ``"flush"``
            or ``"cleanup"``.
        transient: whether retrying could succeed (see :class:`TransientError`).
        attempt: the 1-based attempt of the failing call (retries count).
        max_attempts: 1 + the node's ``max_retries``.
    """

    def __init__(
        self,
        message: str,
        *,
        node_id: Optional[str] = None,
        node_type: Optional[str] = None,
        operation: Optional[str] = None,
        transient: bool = False,
        attempt: int = 1,
        max_attempts: int = 1,
    ) -> None:
        super().__init__(message)
        self.node_id = node_id
        self.node_type = node_type
        self.operation = operation
        self.transient = transient
        self.attempt = attempt
        self.max_attempts = max_attempts


class NodeValueError(NodeError, ValueError):
    """A node failed with a ``ValueError`` (its ``__cause__``): bad input
    such as audio shaped (frames, channels), on either path."""


class NodeTypeError(NodeError, TypeError):
    """A node failed with a ``TypeError`` (its ``__cause__``): input of the
    wrong type, such as samples that are not an array."""


def node_error_class(cause: Optional[BaseException]) -> type:
    """The NodeError class for a node that raised ``cause``."""
    if isinstance(cause, ValueError):
        return NodeValueError
    if isinstance(cause, TypeError):
        return NodeTypeError
    return NodeError


class TransientError(RemoteMediaError):
    """A failure worth retrying (a timeout, a dropped connection, a busy
    resource).

    Raise it from a node's ``process()`` to tell the runtime's retry logic that
    the same input may succeed later; any other exception is permanent.
    """


class CircuitOpenError(NodeError):
    """A node's circuit breaker is open: the call was refused without running
    (the node failed too often in a row). Never retried; the message names
    the node and its last error."""


class NativeRuntimeUnavailableError(RemoteMediaError, ImportError):
    """The native runtime was required but is not installed or not loadable."""
