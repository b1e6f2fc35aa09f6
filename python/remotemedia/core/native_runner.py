"""The Python half of the native runtime's CPython adapter plugin.

The adapter plugin (``plugins/python``) calls into this module, with the GIL
held, to run one Python node inside a native pipeline:

* :func:`create_runner` builds a :class:`NodeRunner` for a node given by
  module + class name (importable code) or by the key of a live node object
  the SDK registered for the run (:func:`register_instance`: how nodes
  defined in ``__main__`` run natively).
* The runner's ``process``/``generate``/``flush`` drive the node's
  ``process()`` whatever its flavour (plain, coroutine, generator, async
  generator, streaming over an async iterator) on a private event loop.
* Values cross the boundary as ``(kind, payload, meta)`` triples; kinds are
  the plugin ABI's ``rm_item_kind_t``. Arrays are never copied: audio and
  tensors arrive as buffer views of the native item, and arrays returned are
  wrapped by the plugin around their own buffer.

Nothing here is public API; the triple format is private to the adapter.
"""

from __future__ import annotations

import asyncio
import collections
import importlib
import inspect
import itertools
import json
import math
import os
import sys
import threading
import traceback
from typing import Any, Deque, Dict, List, Optional, Tuple

import numpy as np

from . import _calls
from ._calls import call_hook, iterate_outputs, resolve
from .direct_call import python_method
from .exceptions import TransientError
from .node import Node

# rm_item_kind_t (plugin.h)
KIND_AUDIO, KIND_TENSOR, KIND_JSON, KIND_BYTES, KIND_PYOBJECT = 1, 2, 3, 4, 5
# rm_sample_format_t
_SAMPLE_DTYPES = {1: np.dtype(np.float32), 2: np.dtype(np.int16), 3: np.dtype(np.int32), 4: np.dtype(np.float64)}
_SAMPLE_CODES = {dtype: code for code, dtype in _SAMPLE_DTYPES.items()}
# rm_dtype_t
_TENSOR_DTYPES = {
    1: np.float32, 2: np.float64, 3: np.int8, 4: np.int16, 5: np.int32, 6: np.int64,
    7: np.uint8, 8: np.uint16, 9: np.uint32, 10: np.uint64, 11: np.bool_,
}
_TENSOR_DTYPES = {code: np.dtype(t) for code, t in _TENSOR_DTYPES.items()}
_TENSOR_CODES = {dtype: code for code, dtype in _TENSOR_DTYPES.items()}
#: The array dtypes that cross as native tensors.
TENSOR_CODES = _TENSOR_CODES
_LAYOUT_PLANAR = 1

Triple = Tuple[int, Any, Any]

# ---------------------------------------------------------------------------
# Live node objects registered by the SDK for native runs
# ---------------------------------------------------------------------------

_live_nodes: Dict[str, Node] = {}
_live_lock = threading.Lock()
_keys = itertools.count(1)


def register_instance(node: Node) -> str:
    """Make ``node`` reachable by the adapter under a fresh key; the SDK puts
    the key in the manifest (``"python": {"instance": key}``) and calls
    :func:`unregister_instance` after the run."""
    key = f"{type(node).__name__}@{next(_keys)}"
    with _live_lock:
        _live_nodes[key] = node
    return key


def unregister_instance(key: str) -> None:
    """Forget a key from :func:`register_instance` (unknown keys are ignored)."""
    with _live_lock:
        _live_nodes.pop(key, None)
        _last_errors.pop(key, None)
        _returns_objects.discard(key)


#: Keys of registered nodes whose outputs go back to Python only (the last
#: node of a chain): they cross as the objects themselves, so the result is
#: exactly what the node returned (a 1-D array stays 1-D, a numpy scalar
#: stays one), as on the pure-Python path.
_returns_objects: set = set()


def returns_objects(key: str) -> None:
    """Mark a registered node as a sink whose outputs stay Python objects."""
    with _live_lock:
        _returns_objects.add(key)


# The exceptions a registered node raised last (the newest at the end), so
# the SDK can chain the original exception to the NodeError it raises
# (``raise ... from exc``). Several, because runs of one pipeline awaited
# together share the key: each run takes the one its error describes.
_last_errors: Dict[str, Deque[BaseException]] = {}
_ERRORS_KEPT = 8


def take_last_error(key: str, message: Optional[str] = None) -> Optional[BaseException]:
    """The exception the node registered under ``key`` raised last, once;
    with ``message`` (the native error's), the newest one whose description
    (:func:`describe_exception`) it contains, else ``None``."""
    with _live_lock:
        errors = list(_last_errors.get(key, ()))
    found = next((exc for exc in reversed(errors)
                  if message is None or describe_exception(exc)[0] in message), None)
    if found is not None:
        with _live_lock:
            kept = _last_errors.get(key)
            for index, exc in enumerate(kept or ()):
                if exc is found:
                    del kept[index]  # type: ignore[index]
                    break
            if kept is not None and not kept:
                del _last_errors[key]
    return found


# A node call in progress on this thread (the runtime's worker, or the thread
# that runs a pipeline inline). A pipeline run from inside it must not wait
# for the worker pool its caller occupies: see :func:`inside_node_call`.
class _NodeCallDepth(threading.local):
    depth = 0  # per thread; the class default until a call sets it (a
    # plain read: getattr's default would raise and catch inside, ~0.3 µs
    # on every inline push and run that asks)


_node_calls = _NodeCallDepth()


def inside_node_call() -> bool:
    """Whether this thread is inside a Python node's call in a native run
    (the SDK then runs a nested pipeline on this thread alone)."""
    return _node_calls.depth > 0


class _NodeCall:
    def __enter__(self) -> None:
        _node_calls.depth += 1

    def __exit__(self, *exc: Any) -> None:
        _node_calls.depth -= 1


_node_call = _NodeCall()

# ---------------------------------------------------------------------------
# Conversions
# ---------------------------------------------------------------------------


def from_native(kind: int, payload: Any, meta: Any) -> Any:
    """A native item (as the plugin hands it over) -> the SDK's Python value."""
    if kind == KIND_AUDIO:
        sample_format, channels, frames, rate, layout = meta
        samples = np.frombuffer(payload, dtype=_SAMPLE_DTYPES[sample_format])
        if layout == _LAYOUT_PLANAR:
            samples = samples.reshape(channels, frames)
        else:  # interleaved: a transposed view, still no copy
            samples = samples.reshape(frames, channels).T
        return samples, rate
    if kind == KIND_TENSOR:
        dtype_code, shape, strides = meta
        flat = np.frombuffer(payload, dtype=_TENSOR_DTYPES[dtype_code])
        return np.lib.stride_tricks.as_strided(flat, shape=shape, strides=strides)
    if kind == KIND_JSON:
        # Whole numbers (the commonest items) without the JSON parser; the
        # runtime writes JSON without spaces, underscores or leading '+'.
        if type(payload) is str and (payload.isdigit() or (payload[:1] == "-" and payload[1:].isdigit())):
            return int(payload)
        return json.loads(payload)
    if kind == KIND_BYTES:
        return bytes(memoryview(payload))
    return payload  # KIND_PYOBJECT: the object itself


def _is_plain_json(value: Any, depth: int = 0) -> bool:
    """Whether ``value`` survives a JSON round trip unchanged (exact types,
    finite floats, str keys): only then may it travel as a JSON item. A
    numpy number scalar (``np.mean``'s float32/float64, an ``np.int64``)
    travels as its JSON number too, so the native math nodes take it as
    their Python implementations do; it comes back the Python float/int of
    exactly the same value (a float32 or float16 widens to a double without
    loss). An ``np.longdouble`` would lose digits: it stays an object."""
    if depth > 64:
        return False
    kind = type(value)
    if value is None or kind in (bool, int, str):
        return True
    if kind is float:
        return math.isfinite(value)
    if isinstance(value, np.integer):
        return True
    if isinstance(value, (np.float16, np.float32, np.float64)):
        return bool(np.isfinite(value))
    if kind is list:
        return all(_is_plain_json(v, depth + 1) for v in value)
    if kind is dict:
        return all(type(k) is str and _is_plain_json(v, depth + 1) for k, v in value.items())
    return False


def _numpy_number(value: Any) -> Any:
    """json.dumps' fallback: a numpy integer or float16/32 scalar as the
    Python number of the same value (np.float64 is a float already)."""
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, (np.float16, np.float32)):
        return float(value)
    raise TypeError(f"{type(value).__name__} is not JSON")


def _audio_triple(value: Any) -> Optional[Triple]:
    """``(samples, rate)`` with a supported sample dtype -> an audio triple.
    A whole-number float rate (``16e3``, ``np.float64(44100)``) is the
    integer rate, as every Python audio node reads it."""
    if not (type(value) is tuple and len(value) == 2):
        return None
    samples, rate = value
    if not isinstance(samples, np.ndarray) or isinstance(rate, bool):
        return None
    if isinstance(rate, (float, np.floating)):
        if not float(rate).is_integer():
            return None
    elif not isinstance(rate, (int, np.integer)):
        return None
    code = _SAMPLE_CODES.get(samples.dtype)
    if code is None or samples.ndim not in (1, 2) or not 0 < int(rate) <= 768000:
        return None
    planar = np.ascontiguousarray(samples.reshape(1, -1) if samples.ndim == 1 else samples)
    return KIND_AUDIO, planar, (code, int(rate))


def to_native(value: Any) -> Triple:
    """A Python value a node produced -> a triple the plugin turns into an item."""
    kind = type(value)
    if kind is int:  # the commonest items, as json.dumps writes them
        return KIND_JSON, int.__repr__(value), None
    if kind is float and math.isfinite(value):
        return KIND_JSON, float.__repr__(value), None
    audio = _audio_triple(value)
    if audio is not None:
        return audio
    if isinstance(value, np.ndarray) and value.dtype in _TENSOR_CODES and value.ndim <= 8:
        return KIND_TENSOR, np.ascontiguousarray(value), _TENSOR_CODES[value.dtype]
    if type(value) in (bytes, bytearray):
        return KIND_BYTES, value, None
    if _is_plain_json(value):
        return KIND_JSON, json.dumps(value, separators=(",", ":"), default=_numpy_number), None
    return KIND_PYOBJECT, value, None


def _as_object(value: Any) -> Triple:
    """The item as the Python object itself (a sink's output, see
    :func:`returns_objects`)."""
    return KIND_PYOBJECT, value, None


class LocationError(ImportError):
    """A manifest's ``python`` location names no usable class: the message
    says all there is (no traceback of the SDK's own lookup)."""


_RUNNER_FILES = frozenset({__file__, _calls.__file__})
#: asyncio's own modules: a coroutine or (async) generator node runs under
#: the adapter's event loop (run_until_complete, tasks).
_ASYNCIO_DIR = os.path.dirname(asyncio.__file__) + os.sep


def _is_ours(frame: traceback.FrameSummary) -> bool:
    return frame.filename in _RUNNER_FILES or frame.filename.startswith(_ASYNCIO_DIR)


def _user_traceback(exc: BaseException) -> traceback.TracebackException:
    """The exception's traceback without the adapter's own frames and
    asyncio's (wherever they are: an async node's call goes loop -> adapter
    -> user code), in chained exceptions too: the user reads their node's
    frames. A traceback of nothing else is kept whole."""
    described = traceback.TracebackException(type(exc), exc, exc.__traceback__)
    pending = [described]
    while pending:
        current = pending.pop()
        user = [frame for frame in current.stack if not _is_ours(frame)]
        if user:
            current.stack = traceback.StackSummary.from_list(user)
        pending.extend(e for e in (current.__cause__, current.__context__) if e is not None)
    return described


def describe_exception(exc: BaseException) -> Tuple[str, bool]:
    """``(message with traceback, transient?)`` for the native error object
    (a :class:`LocationError` without one). Timeouts, connection errors and
    :class:`TransientError` are transient."""
    if isinstance(exc, LocationError):
        return str(exc), False
    text = "".join(_user_traceback(exc).format()).rstrip()
    transient = isinstance(exc, (TransientError, TimeoutError, ConnectionError))
    return text, transient


# ---------------------------------------------------------------------------
# Running one node
# ---------------------------------------------------------------------------


class _Feed:
    """The async iterator a streaming node reads: items are pushed by the
    runner; ``hungry`` resolves when the node waits for more."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self._items: Deque[Any] = collections.deque()
        self._closed = False
        self._wakeup: Optional[asyncio.Future] = None
        self.hungry: asyncio.Future = loop.create_future()

    def __aiter__(self) -> "_Feed":
        return self

    async def __anext__(self) -> Any:
        while not self._items:
            if self._closed:
                raise StopAsyncIteration
            if not self.hungry.done():
                self.hungry.set_result(None)
            self._wakeup = self._loop.create_future()
            await self._wakeup
        return self._items.popleft()

    def push(self, item: Any) -> None:
        self._items.append(item)
        self._wake()

    def close(self) -> None:
        self._closed = True
        self._wake()

    def _wake(self) -> None:
        self.hungry = self._loop.create_future()
        if self._wakeup is not None and not self._wakeup.done():
            self._wakeup.set_result(None)


class NodeRunner:
    """Drives one node for the adapter plugin; calls never overlap (the
    native scheduler runs one call per instance at a time), but may come
    from different threads, so the runner owns a private event loop."""

    def __init__(self, node: Node, streaming: bool, owns_lifecycle: bool, key: str = "") -> None:
        self.node = node
        self._key = key
        with _live_lock:
            self._convert = _as_object if key in _returns_objects else to_native
        self.streaming = streaming or bool(getattr(node, "is_streaming", False))
        self._owns_lifecycle = owns_lifecycle
        self._event_loop: Optional[asyncio.AbstractEventLoop] = None
        self._outbox: List[Any] = []
        self._feed: Optional[_Feed] = None
        self._task: Optional[asyncio.Task] = None
        self._source: Any = None
        if owns_lifecycle:
            with _node_call:
                self._run(call_hook(node.initialize))

    @property
    def _loop(self) -> asyncio.AbstractEventLoop:
        # Made on first need: plain sync nodes never pay for an event loop.
        if self._event_loop is None:
            self._event_loop = asyncio.new_event_loop()
        return self._event_loop

    def _run(self, awaitable: Any) -> Any:
        return self._loop.run_until_complete(awaitable)

    def _collect_value(self, value: Any) -> None:
        """Queue what a call returned: plain values directly (the common,
        cheap case), coroutines and (async) generators through the loop."""
        if value is None:
            return
        if inspect.isawaitable(value) or inspect.isasyncgen(value) or inspect.isgenerator(value):
            self._run(self._collect(value))
        else:
            self._outbox.append(value)

    def _remember(self, exc: BaseException) -> None:
        """Keep the exception for the SDK (see :func:`take_last_error`)."""
        if self._key:
            with _live_lock:
                _last_errors.setdefault(self._key, collections.deque(maxlen=_ERRORS_KEPT)).append(exc)

    async def _collect(self, value: Any) -> None:
        async for output in iterate_outputs(await resolve(value)):
            self._outbox.append(output)

    def _drain(self) -> List[Triple]:
        outputs, self._outbox = self._outbox, []
        return [self._convert(o) for o in outputs]

    def process(self, triple: Triple) -> List[Triple]:
        """One input item -> the output triples it produced."""
        try:
            with _node_call:
                return self._process(triple)
        except BaseException as exc:  # KeyboardInterrupt too: the SDK re-raises it
            self._remember(exc)
            raise

    def generate(self) -> Tuple[List[Triple], bool]:
        """Sources: the next item, and whether the stream is over."""
        try:
            with _node_call:
                return self._generate()
        except BaseException as exc:  # KeyboardInterrupt too: the SDK re-raises it
            self._remember(exc)
            raise

    def flush(self) -> List[Triple]:
        """End of stream: a streaming node's remaining outputs, or ``flush()``'s."""
        try:
            with _node_call:
                return self._flush()
        except BaseException as exc:  # KeyboardInterrupt too: the SDK re-raises it
            self._remember(exc)
            raise

    def _process(self, triple: Triple) -> List[Triple]:
        data = from_native(*triple)
        if not self.streaming:
            self._collect_value(python_method(self.node, "process")(data))
            return self._drain()
        if self._task is None:
            self._feed = _Feed(self._loop)
            self._task = self._loop.create_task(self._collect(self.node.process(self._feed)))
        assert self._feed is not None
        self._feed.push(data)
        self._run(asyncio.wait([self._task, self._feed.hungry], return_when=asyncio.FIRST_COMPLETED))
        if self._task.done():
            self._task.result()  # raises the node's exception, if any
        return self._drain()

    def _generate(self) -> Tuple[List[Triple], bool]:
        if self._source is None:
            self._source = iterate_outputs(self._run(resolve(self.node.process()))).__aiter__()
        try:
            item = self._run(self._source.__anext__())
        except StopAsyncIteration:
            return [], True
        return [self._convert(item)], False

    def _flush(self) -> List[Triple]:
        if self._task is not None and self._feed is not None:
            self._feed.close()
            self._run(self._task)
        elif not self.streaming and callable(getattr(self.node, "flush", None)):
            self._collect_value(self.node.flush())
        return self._drain()

    def close(self) -> None:
        """Run ``cleanup()`` (for nodes the runner created) and free the loop."""
        try:
            if self._task is not None and not self._task.done():
                self._task.cancel()
                try:
                    self._run(self._task)
                except BaseException:  # cancelled or failed: already reported
                    pass
            if self._event_loop is not None:
                # A source or a streaming node stopped early (a run that
                # failed downstream): close its async generators, so their
                # finally blocks run, as in the pure-Python executor. Left
                # to the garbage collector they never would: the loop is
                # closed by then.
                try:
                    self._run(self._event_loop.shutdown_asyncgens())
                except Exception:
                    pass
            if self._owns_lifecycle:
                with _node_call:
                    self._run(call_hook(self.node.cleanup))
        finally:
            if self._event_loop is not None:
                self._event_loop.close()


def create_runner(module: str, class_name: str, config_json: str, instance_key: str,
                  name: str, streaming: int) -> NodeRunner:
    """Called by the adapter plugin's create(): see the module docstring."""
    if instance_key:
        with _live_lock:
            node = _live_nodes.get(instance_key)
        if node is None:
            raise LookupError(
                f"no live Python node registered under {instance_key!r}; a manifest that names "
                "an instance can only run from the SDK process that registered it"
            )
        return NodeRunner(node, bool(streaming), owns_lifecycle=False, key=instance_key)
    if not module or not class_name:
        raise LocationError("a Python node needs 'module' and 'class' (or an SDK 'instance' key)")
    if module == "__main__":
        raise LocationError(
            f"class {class_name!r} is defined in __main__ (the script that wrote this manifest), which "
            "another process such as rmrun cannot import; move the class into a module and import it from "
            "there (Pipeline.run() and remotemedia.batch run such pipelines in the script's own process)"
        )
    try:
        imported = importlib.import_module(module)
    except ModuleNotFoundError as exc:
        if not exc.name or not (module == exc.name or module.startswith(exc.name + ".")):
            raise  # the module is there, an import inside it failed: its traceback says where
        raise LocationError(
            f"no Python module {module!r} (for class {class_name!r}): this Python ({sys.executable}) cannot "
            "import it; install it there or add its folder to PYTHONPATH") from None
    cls = getattr(imported, class_name, None)
    if cls is None:
        raise LocationError(f"module {module!r} has no class {class_name!r}")
    if not isinstance(cls, type):
        raise LocationError(f"{module}.{class_name} is a {type(cls).__name__}, not a class")
    config = json.loads(config_json) if config_json else {}
    if not isinstance(config, dict):
        raise TypeError(f"config of {module}.{class_name} must be a JSON object, got {type(config).__name__}")
    node = cls(name=name or None, **config)
    return NodeRunner(node, bool(streaming), owns_lifecycle=True)
