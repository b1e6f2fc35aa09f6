"""The base class of every processing node."""

from __future__ import annotations

import logging
from typing import Any, Dict, Optional, Tuple

from ._calls import COMPLETED, CompletedAwaitable
from .remote_config import RemoteExecutorConfig
from .shared_contract import TIMEOUT_MS_DEFAULT

__all__ = ["Node", "RUNTIME_HINTS", "RemoteExecutorConfig"]

#: Values accepted for a node's ``runtime_hint`` (``"rust"`` is the old SDK's
#: word for ``"native"``).
RUNTIME_HINTS = ("auto", "native", "python", "rust")



def node_label(node: Any, name: Optional[str] = None) -> str:
    """How every SDK message names a node, as the native runtime does:
    ``node 'vad' (SpeechSegmenter)``; only the type when it has no name of
    its own (none, or the default: its type's name).

    ``node`` is a node (its class and its ``name``; ``name`` given instead,
    e.g. the ``"{name}_{index}"`` id it runs under in a pipeline) or a type
    name (a node not built yet: ``name`` is its name or a manifest's id).
    """
    if isinstance(node, str):
        node_type = node
    else:
        node_type = type(node).__name__
        if name is None:
            name = getattr(node, "name", None)
    return f"node '{name}' ({node_type})" if name and name != node_type else node_type

class Node:
    """A processing step of a :class:`~remotemedia.core.pipeline.Pipeline`.

    Subclasses override :meth:`process`. It may be a plain method, a coroutine
    or an async generator; a *source* node's ``process()`` takes no argument
    and returns an (async) generator of items. Returning ``None`` emits
    nothing. The optional hooks :meth:`initialize`, :meth:`cleanup` and
    ``flush()`` (called once at end of stream; its return value, or each item
    it yields, is emitted) may each be sync or async.

    Set ``is_streaming = True`` (class or instance attribute) to receive the
    whole input stream as one async iterator in ``process(stream)``.

    Args:
        name: the node's name (default: the class name). In a pipeline the
            node's id is ``"{name}_{index}"``.
        runtime_hint: where the node prefers to run: ``"auto"`` (default),
            ``"native"`` or ``"python"`` (``"rust"`` reads as ``"native"``).
            It is the manifest's node-level ``runtime_hint``, not a param.
        retry: the retry policy for transient failures, a dict with the
            manifest's keys ``max_retries`` (default 3), ``initial_delay_ms``
            (100), ``multiplier`` (2.0), ``max_delay_ms`` (0 = no cap),
            ``jitter`` (0..1). Default: the class attribute ``retry_policy``
            or the defaults (retries after 100, 200, 400 ms).
        timeout_ms: a time limit for one call (0 = none); a call over it
            fails as transient, so it is retried.
        breaker: the circuit breaker, ``{"failure_threshold": 5,
            "cooldown_ms": 30000}`` (threshold 0 = no breaker).
        on_error: what an item whose ``process`` call still fails after
            its retries does: ``"fail"`` (default: the run fails) or
            ``"skip"`` (the item is dropped, counted in the metrics'
            ``skipped_items``, and the stream goes on).
        **params: the node's configuration. It is stored in :attr:`config`
            and becomes the node's ``params`` in the manifest, so it should
            be JSON-serialisable.
    """

    #: Whether ``process()`` receives the whole input stream as an async iterator.
    is_streaming: bool = False
    #: Retry policy dict (manifest keys) or ``None`` for the defaults.
    retry_policy: Optional[Dict[str, Any]] = None
    #: Per-call time limit in ms; 0 = none.
    timeout_ms: int = TIMEOUT_MS_DEFAULT
    #: Circuit breaker dict (manifest keys) or ``None`` for the defaults.
    breaker_policy: Optional[Dict[str, Any]] = None
    #: The native node type that gives this class's results (the SDK's own
    #: nodes set it; see core/native_exec.py). Read from the class itself,
    #: never inherited: a subclass may change behaviour, so it runs in Python.
    native_twin: Optional[str] = None
    #: The param holding the path of the file the node reads, or writes: the
    #: Python side of the native plugins' RM_PARAM_INPUT_PATH /
    #: RM_PARAM_OUTPUT_PATH roles. ``process_files`` (remotemedia.batch)
    #: sets it per input file, as ``rmrun --batch`` does. ``None``: none.
    input_path_param: Optional[str] = None
    output_path_param: Optional[str] = None
    #: ``"fail"`` or ``"skip"``: an item whose call fails after its retries.
    on_error: str = "fail"

    def __init__(
        self,
        name: Optional[str] = None,
        runtime_hint: str = "auto",
        *,
        retry: Optional[Dict[str, Any]] = None,
        timeout_ms: Optional[int] = None,
        breaker: Optional[Dict[str, Any]] = None,
        on_error: Optional[str] = None,
        **params: Any,
    ) -> None:
        self.name: str = name or type(self).__name__
        self.runtime_hint = runtime_hint
        self.config: Dict[str, Any] = dict(params)
        self.logger = logging.getLogger(f"remotemedia.node.{type(self).__name__}")
        self._is_initialized = False
        if on_error is not None:
            from .reliability import check_on_error

            self.on_error = check_on_error(on_error, node_label(self))
        if retry is not None or timeout_ms is not None or breaker is not None:
            from .reliability import BreakerPolicy, RetryPolicy

            where = node_label(self)
            if retry is not None:
                self.retry_policy = RetryPolicy.from_dict(retry, f"{where}: retry").to_dict()
            if breaker is not None:
                self.breaker_policy = BreakerPolicy.from_dict(breaker, f"{where}: breaker").to_dict()
            if timeout_ms is not None:
                if isinstance(timeout_ms, bool) or not isinstance(timeout_ms, int) or timeout_ms < 0:
                    from .exceptions import ConfigurationError

                    raise ConfigurationError(f"{where}: timeout_ms must be a whole number >= 0; got {timeout_ms!r}")
                self.timeout_ms = timeout_ms

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        # Built-in nodes with a native twin: direct calls run natively.
        from .direct_call import install

        install(cls)

    def __getstate__(self) -> Dict[str, Any]:
        # Copies and pickles leave the direct-call session behind (a native
        # handle): the copy makes its own on its first direct call.
        state = self.__dict__.copy()
        state.pop("_rm_direct", None)
        return state

    @property
    def is_initialized(self) -> bool:
        """Whether :meth:`initialize` ran and :meth:`cleanup` did not since."""
        return self._is_initialized

    @property
    def runtime_hint(self) -> str:
        """Where this node prefers to run: ``"auto"``, ``"native"`` or
        ``"python"``. Settable (the original SDK's nodes set it in
        ``__init__``); ``"rust"`` reads as ``"native"``."""
        return self._runtime_hint

    @runtime_hint.setter
    def runtime_hint(self, value: str) -> None:
        if value not in RUNTIME_HINTS:
            from .exceptions import ConfigurationError

            raise ConfigurationError(f"{node_label(self)}: runtime_hint must be "
                                     f"one of {', '.join(RUNTIME_HINTS)}; got {value!r}")
        self._runtime_hint = "native" if value == "rust" else value

    def process(self, data: Any) -> Any:
        """Process one input item and return the output (``None`` = no output).

        Subclasses must override this.
        """
        raise NotImplementedError(
            f"{node_label(self)} does not implement process()"
        )

    def initialize(self) -> CompletedAwaitable:
        """Prepare the node before the first item (load models, open files).

        The base implementation only marks the node initialised; it may be
        awaited or called plainly. Overrides may be sync or async.
        """
        self._is_initialized = True
        return COMPLETED

    def cleanup(self) -> CompletedAwaitable:
        """Release what :meth:`initialize` acquired. May be awaited or called
        plainly; overrides may be sync or async."""
        self._is_initialized = False
        return COMPLETED

    def get_config(self) -> Dict[str, Any]:
        """``{"name", "class", "config"}`` (the old SDK's shape); ``config``
        is a copy of the node's parameters (the manifest's ``params``)."""
        return {"name": self.name, "class": type(self).__name__, "config": dict(self.config)}

    @staticmethod
    def split_data_metadata(data: Any) -> Tuple[Any, Optional[Dict[str, Any]]]:
        """Split ``(payload, metadata_dict)`` or ``(a, b, ..., metadata_dict)``
        into the payload and the dict; other data comes back with ``None``.

        Kept from the old SDK for user nodes that carry metadata along.
        """
        if isinstance(data, tuple) and len(data) >= 2 and isinstance(data[-1], dict):
            payload = data[0] if len(data) == 2 else data[:-1]
            return payload, data[-1]
        return data, None

    @staticmethod
    def merge_data_metadata(data: Any, metadata: Optional[Dict[str, Any]]) -> Any:
        """The inverse of :meth:`split_data_metadata`: append ``metadata``
        to a tuple, or pair it with other data; ``None`` leaves data as is."""
        if metadata is None:
            return data
        if isinstance(data, tuple):
            return data + (metadata,)
        return (data, metadata)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(name={self.name!r})"


def adopt_base_state(node: Node) -> None:
    """Give a node whose class's ``__init__`` never called
    ``super().__init__()`` what ``Node.__init__`` sets, keeping what it set
    itself (old-SDK scripts set ``self.name``/``self.config`` by hand): a
    name (its class name), ``runtime_hint="auto"``, an empty config, a
    logger."""
    state = node.__dict__
    if not isinstance(state.get("name"), str) or not state.get("name"):
        node.name = type(node).__name__
    if "_runtime_hint" not in state:
        node.runtime_hint = "auto"
    if not isinstance(state.get("config"), dict):
        node.config = {}
    if "logger" not in state:
        node.logger = logging.getLogger(f"remotemedia.node.{type(node).__name__}")
    node._is_initialized = False
