"""Running a pipeline on the native runtime (the C core, via the bridge).

One native execution runs the whole pipeline; each node runs natively where
a native plugin implements *exactly its semantics* (see
:func:`native_twin_of`) and in Python otherwise, inside the same execution,
through the runtime's CPython adapter plugin (the node object itself is
registered for the run, so classes defined in ``__main__`` work too).

The manifest is compiled once per pipeline layout and cached; runs reuse
it. Inputs cross into C without copying (numpy buffers are wrapped), and
arrays come back as numpy views that own the native buffers. The run itself
happens off the event loop thread with the GIL released, so several
pipelines awaited together run in parallel.
"""

from __future__ import annotations

import asyncio
import copy
import inspect
import json
import threading
import time
import warnings
import weakref
from typing import Any, Dict, List, Optional, Sequence, Tuple

import numpy as np

from .. import native
from . import native_runner, split_outputs
from .exceptions import CircuitOpenError, ConfigurationError, NodeError, PipelineError, node_error_class
from .audio_input import parse_audio
from .manifest import build_manifest, node_ids
from .node import Node, node_label
from .reliability import on_error_of

__all__ = ["native_twin_of", "native_type_for", "native_types_for", "NativeExecution", "native_runtime"]


#: Twins whose plugin splits the Python result over two output ports (the
#: VAD nodes): per type, the native params, the check of the installed
#: plugin and the reassembly of the Python values (core/split_outputs.py).
#: They run natively only as the LAST node, fed plain audio (the pipeline's
#: inputs or a native node's output): the sink then collects both ports'
#: items in emission order and the SDK rebuilds the Python tuple/dict per
#: input. Elsewhere the next node expects the Python value: Python.
SPLIT_TWINS = split_outputs.SPLIT_TWINS

#: Native twins that take audio: their input is checked in Python first, so
#: a wrong type fails before anything runs, with the same message as the
#: Python implementation gives.
_AUDIO_INPUT_TYPES = {"AudioResampleNode", "FormatConverterNode", "AudioFileSink"} | set(SPLIT_TWINS)

#: Native twins whose output has the input's shape (1-D stays 1-D in Python).
_KEEPS_SHAPE = {"PassThroughNode"}


def _plain_sync(node: Node) -> bool:
    """A node whose ``process`` is a plain function (no coroutine, generator
    or stream), like the pure-Python executor calls on the loop thread."""
    fn = getattr(type(node), "process", None)
    return (inspect.isfunction(fn) and not getattr(node, "is_streaming", False)
            and not (inspect.iscoroutinefunction(fn) or inspect.isasyncgenfunction(fn)
                     or inspect.isgeneratorfunction(fn)))


def _is_audio(value: Any) -> bool:
    return type(value) is tuple and len(value) == 2 and isinstance(value[0], np.ndarray)


#: rm_exec_policy_t (remotemedia/pipeline.h): every node call on the calling
#: thread. Used for a pipeline run from inside a Python node's call: its
#: calls must not wait for the worker pool, which the calling node (and its
#: siblings, all waiting the same way) may fill: that deadlocked.
EXEC_AUTO, EXEC_INLINE = 0, 2
ECANCELED = -13  # rm_status_t RM_ECANCELED (plugin.h): a CompileError's status

#: A run this short is cheaper inline than the hop to a worker thread.
INLINE_RUN_S = 100e-6
#: Never inline runs on inputs larger than this (zero-copy items cost the
#: same at any size; the measured time decides, per input size seen).
INLINE_MAX_BYTES = 1 << 28


def _item_bytes(payload: Any) -> int:
    """The size a converted item's payload counts for the inline rule
    (:meth:`NativeExecution.runs_inline`)."""
    return payload.nbytes if isinstance(payload, np.ndarray) else len(payload) if isinstance(payload, (str, bytes, bytearray)) else 64


def _payload_bytes(triples: List[Tuple[int, Any, Any]]) -> int:
    total = 0
    for _kind, payload, _meta in triples:
        total += _item_bytes(payload)
    return total


_runtime_lock = threading.Lock()
_runtime: Any = None


class _NativeRuntime:
    """The bridge's Runtime (the plugin registry) and its node types."""

    def __init__(self, bridge: Any) -> None:
        self.registry = bridge.Runtime()
        self.types = frozenset(self.registry.node_types())
        self._verified: Dict[str, bool] = {}
        self._verify_lock = threading.Lock()

    def compile(self, manifest: str, source_name: str) -> Any:
        return self.registry.compile(manifest, source_name=source_name)

    def has_sdk_semantics(self, native_type: str) -> bool:
        """Whether the installed plugin of a split-output twin behaves as the
        SDK relies on (a tiny probe run, once per process). An older plugin
        build fails the probe: that node type then runs in Python, with a
        warning."""
        with self._verify_lock:
            verified = self._verified.get(native_type)
            if verified is None:
                verified = self._verified[native_type] = self._probe(native_type)
                if not verified:
                    warnings.warn(
                        f"the installed native {native_type} plugin predates this SDK (its output differs "
                        f"from the Python implementation's); {native_type} runs in Python. Reinstall the "
                        "native runtime to run it natively.",
                        native.NativeRuntimeWarning,
                        stacklevel=2,
                    )
            return verified

    def _probe(self, native_type: str) -> bool:
        params, inputs, check = SPLIT_TWINS[native_type].probe
        manifest = {"version": "v1", "metadata": {"name": f"probe-{native_type}"},
                    "nodes": [{"id": "probe_0", "node_type": native_type, "params": params}], "connections": []}
        try:
            compiled = self.compile(json.dumps(manifest), source_name=f"SDK probe of {native_type}")
            _status, sinks, error, _stats, _ns = compiled.run([native_runner.to_native(x) for x in inputs])
            outputs = [native_runner.from_native(*t) for _sink, items in sinks for t in items]
            return error is None and bool(check(outputs))
        except Exception:  # unknown params, a failing run: not our semantics
            return False


def native_runtime() -> _NativeRuntime:
    """The process-wide native runtime (plugins scanned once)."""
    global _runtime
    with _runtime_lock:
        if _runtime is None:
            ok, bridge, error = native.try_load_native_runtime()
            if not ok:
                raise PipelineError(f"native runtime unavailable: {error}")
            _runtime = _NativeRuntime(bridge)
        return _runtime


def native_twin_of(node: Node) -> Optional[str]:
    """The native type a node names: a NativeNode's own type, or the
    ``native_twin`` its class declares itself (an SDK node whose plugin
    gives the same results within the tolerances in docs/python-api.md).
    Subclasses do not inherit it: they may override behaviour."""
    return getattr(node, "native_type", None) or vars(type(node)).get("native_twin")


def native_type_for(node: Node, available: frozenset) -> Optional[str]:
    """The native node type that runs ``node`` with identical semantics, or
    ``None`` when it must run in Python (hint ``"python"``, no twin, a
    subclass that may override behaviour, or the plugin is not installed)."""
    if getattr(node, "remote_config", None) is not None:  # docs/remote.md
        return "RemoteNode" if "RemoteNode" in available else None
    if node.runtime_hint == "python":
        return None
    native_type = native_twin_of(node)
    return native_type if native_type in available else None


def native_types_for(nodes: Sequence[Node], available: frozenset, graph: bool = False) -> List[Optional[str]]:
    """:func:`native_type_for` of each node of a chain, in its place: a
    split-output twin (:data:`SPLIT_TWINS`) runs natively only as the last
    node, fed the pipeline's inputs or a native node's output, with a config
    the plugin can express and an installed plugin that passes its probe."""
    types = [native_type_for(node, available) for node in nodes]
    if graph:
        # A graph (Pipeline.connect): each node's native outputs go where
        # the connections say, port by port, as the plugin emits them.
        return types
    for index, (node, native_type) in enumerate(zip(nodes, types)):
        twin = SPLIT_TWINS.get(native_type or "")
        if twin is None:
            continue
        last = index == len(nodes) - 1
        fed_audio = index == 0 or types[index - 1] is not None
        if not (last and fed_audio and twin.params(node) is not None
                and native_runtime().has_sdk_semantics(native_type)):
            types[index] = None
    return types


class _Registration:
    """The live node objects a compiled manifest refers to, unregistered
    when the compiled pipeline goes away."""

    def __init__(self) -> None:
        self.keys: List[str] = []
        self.by_node_id: Dict[str, str] = {}

    def add(self, node: Node, node_id: str) -> str:
        key = native_runner.register_instance(node)
        self.keys.append(key)
        self.by_node_id[node_id] = key
        return key

    def release(self) -> None:
        for key in self.keys:
            native_runner.unregister_instance(key)
        self.keys.clear()


class NativeExecution:
    """A pipeline compiled for the native runtime.

    Args:
        name: the pipeline's name.
        nodes: the nodes, in order.
        source_first: the first node is a source (``run(None)``).
    """

    def __init__(self, name: str, nodes: Sequence[Node], source_first: bool,
                 edges: Optional[Sequence[Any]] = None) -> None:
        runtime = native_runtime()
        self.nodes = list(nodes)
        self.ids = node_ids(self.nodes)
        self.implementations: List[str] = []
        #: The explicit connections of a graph (None: a chain).
        self.edges = None if edges is None else list(edges)
        manifest = build_manifest(name, self.nodes, edges=self.edges)
        registration = _Registration()
        #: The last node's split-output twin when it runs natively: its
        #: outputs are reassembled into the Python values.
        self._split: Optional[split_outputs.SplitTwin] = None
        native_types = native_types_for(self.nodes, runtime.types, graph=self.edges is not None)
        for index, (node, entry, native_type) in enumerate(zip(self.nodes, manifest["nodes"], native_types)):
            if native_type is not None:
                entry["node_type"] = native_type
                entry.pop("python", None)
                if getattr(node, "remote_config", None) is not None:
                    from .remote_nodes import remote_native_params

                    entry.pop("host", None)
                    entry["params"] = remote_native_params(node)
                entry["runtime_hint"] = "native"
                twin = SPLIT_TWINS.get(native_type)
                if twin is not None and self.edges is None:
                    entry["params"] = twin.params(node)  # the plugin's spelling of the config
                    self._split = twin
                self.implementations.append("native")
                continue
            if getattr(node, "remote_config", None) is not None:
                registration.release()
                raise ConfigurationError(
                    f"{node_label(node)} should run on {node.remote_config.address} (remote_config), which needs "
                    "the native runtime's RemoteNode plugin; it is not installed (a runtime built without "
                    "libgrpc-dev)")
            location: Dict[str, Any] = {"instance": registration.add(node, self.ids[index])}
            if self.edges is None and index == len(self.nodes) - 1:
                native_runner.returns_objects(location["instance"])  # the chain's result: as returned
            if index == 0 and source_first:
                location["source"] = True
            entry["python"] = location
            entry["runtime_hint"] = "python"
            entry["params"] = {}  # the live object carries its config
            self.implementations.append("python")
        self.manifest = manifest
        self._registration = registration
        try:
            self.compiled = runtime.compile(json.dumps(manifest), source_name=f"pipeline '{name}'")
        except Exception as exc:
            registration.release()
            text = exc.args[0] if exc.args else str(exc)
            if len(exc.args) == 3 and exc.args[2] == ECANCELED:
                # Ctrl-C ended a node's create waiting to retry (RemoteNode);
                # asyncio's handler cancelled the task: as for a cancelled run.
                raise asyncio.CancelledError(f"pipeline '{name}': the native compile was cancelled") from exc
            raise ConfigurationError(f"pipeline '{name}' cannot run natively:\n{text}") from exc
        # Unregister the node objects when this execution is garbage.
        weakref.finalize(self, registration.release)
        self._snapshot(source_first)
        #: Metrics and the trace cost a little per run (see bench/RESULTS.md):
        #: recorded only for get_metrics() / export_trace().
        self.collect_metrics = False
        # Inputs up to this many bytes run inline (None: always off-loop).
        self._inline_max_bytes: Optional[int] = None
        #: Whether a call measured cheap may run on the event loop thread:
        #: every Python node in it is a plain synchronous function (what the
        #: pure-Python executor also calls on that thread). Python nodes with
        #: coroutines, generators or streams run their own event loops,
        #: which cannot run on a thread whose loop is running.
        self.inline_ok = all(impl == "native" or _plain_sync(node)
                             for node, impl in zip(self.nodes, self.implementations))
        self.all_native = all(impl == "native" for impl in self.implementations)
        #: Every node has the base class's initialize()/cleanup().
        self.trivial_hooks = all(type(node).initialize is Node.initialize and type(node).cleanup is Node.cleanup
                                 for node in self.nodes)
        self._audio_first = (self.implementations[0] == "native"
                             and type(self.nodes[0]).__name__ in _AUDIO_INPUT_TYPES)
        #: A native first node's Python input check (``check_native_input``
        #: of its class): bad inputs fail as in Python, before anything runs.
        self._input_check = (vars(type(self.nodes[0])).get("check_native_input")
                             if self.implementations[0] == "native" and self.edges is None else None)
        if isinstance(self._input_check, staticmethod):
            self._input_check = self._input_check.__func__
        self._inline_avg = 0.0  # moving average of inline call times (s)
        #: The dispatch plan this form was made for (Pipeline._plan).
        self.plan: Any = None
        self._keeps_shape = all(impl == "native" and type(node).__name__ in _KEEPS_SHAPE
                                for node, impl in zip(self.nodes, self.implementations))

    @staticmethod
    def _state_of(node: Node) -> Tuple[Any, ...]:
        """What the compiled form depends on for one node: its name, hint,
        config and the native params of split-output twins (read from the
        node's attributes, which may change without its config)."""
        twin = SPLIT_TWINS.get(native_twin_of(node) or "")
        return (node.name, node.runtime_hint, node.config, None if twin is None else twin.params(node))

    def _snapshot(self, source_first: bool) -> None:
        # Deep copies: a config mutated in place must compare unequal later.
        self._compiled_for = (source_first, [(node, copy.deepcopy(self._state_of(node))) for node in self.nodes])

    def is_current(self, nodes: Sequence[Node], source_first: bool, edges: Optional[Sequence[Any]] = None) -> bool:
        """Whether this compiled form still matches ``nodes`` (same objects,
        names, hints, configs). Compares with ``==`` against a snapshot
        taken at compile time: per run, no serialisation."""
        compiled_source_first, snapshot = self._compiled_for
        if source_first != compiled_source_first or len(nodes) != len(snapshot):
            return False
        if edges is not None or self.edges is not None:
            if edges is None or self.edges is None or len(edges) != len(self.edges) or not all(
                    a[0] is b[0] and a[1] is b[1] and a[2] == b[2] and a[3] == b[3]
                    for a, b in zip(edges, self.edges)):
                return False
        try:
            return all(node is old and self._state_of(node) == state
                       for node, (old, state) in zip(nodes, snapshot))
        except (TypeError, ValueError):  # e.g. arrays in a config: assume changed
            return False

    @property
    def all_python(self) -> bool:
        return all(impl == "python" for impl in self.implementations)

    def convert_one(self, item: Any) -> Tuple[int, Any, Any]:
        """:meth:`convert_inputs` of one item, with a fast path for plain
        ``(samples, rate)`` audio into a native audio node (checked by the
        same rule the bridge applies)."""
        if self._audio_first and type(item) is tuple and len(item) == 2:
            triple = native_runner._audio_triple(item)
            if triple is not None:
                return triple
        return self.convert_inputs([item])[0]

    def convert_inputs(self, items: List[Any]) -> List[Tuple[int, Any, Any]]:
        """Type-check and convert the inputs before anything runs."""
        first, first_id = self.nodes[0], self.ids[0]
        check = self._input_check
        # on_error="skip": a bad item is the run's to drop, item by item (the
        # plugin refuses it and the runtime skips it), not the whole run's
        # failure. A split-output twin's values are rebuilt per input, so it
        # still needs every input good.
        skip = check is not None or self._audio_first and self._split is None
        skip = skip and on_error_of(first) == "skip"
        if check is not None and not skip:  # the Python implementation's own check (the math nodes)
            try:
                for item in items:
                    check(first, item)
            except (TypeError, ValueError) as exc:
                raise self._input_error(exc) from exc
        if self.implementations[0] == "native" and type(first).__name__ in _AUDIO_INPUT_TYPES and not skip:
            try:
                parsed = [parse_audio(first, item) for item in items]  # TypeError/ValueError naming the node
            except (TypeError, ValueError) as exc:
                raise self._input_error(exc) from exc
            if self._split is not None and len(self.nodes) == 1:
                # The node's metadata (3-tuples, ((samples, rate), dict)) stays
                # here for the reassembly; the plugin takes the audio.
                items = [(p.samples, p.sample_rate) for p in parsed]
        try:
            return [native_runner.to_native(item) for item in items]
        except (TypeError, ValueError) as exc:
            raise type(exc)(f"{node_label(first, first_id)}: {exc}") from exc

    def carries_metadata(self, items: List[Any]) -> bool:
        """Whether an input is audio with a metadata dict
        (``(samples, rate, metadata)`` or ``((samples, rate), metadata)``)
        for a native first audio node that cannot carry it (a split-output
        twin alone reattaches it itself): such a run belongs to the
        pure-Python path."""
        if not self._audio_first or (self._split is not None and len(self.nodes) == 1):
            return False
        return any(type(item) is tuple and len(item) in (2, 3) and isinstance(item[-1], dict)
                   and (len(item) == 3 or type(item[0]) is tuple) for item in items)

    def _input_error(self, exc: BaseException) -> NodeError:
        """A bad input refused before anything ran, as the Python executor
        reports it: the same NodeError (also a ValueError / TypeError) and
        message on both paths; no partial results."""
        from .executor import node_error

        error = node_error(exc, self.nodes[0], self.ids[0], "process")
        error.partial_results = []  # type: ignore[attr-defined]
        return error

    def run(self, triples: List[Tuple[int, Any, Any]],
            inputs: Optional[List[Any]] = None, exec_policy: Optional[int] = None,
            cancel: Any = None) -> Tuple[List[Any], Dict[str, Any]]:
        """Run (blocking; releases the GIL). Returns ``(outputs, report)``.
        ``inputs``: the Python items ``triples`` came from (needed when the
        last node is a split-output twin that is also the first).
        ``exec_policy``: default: all on this thread inside a Python node's
        call, else the runtime's choice. ``cancel``: a bridge CancelToken
        whose cancel() stops the run (the report's error is then
        ECANCELED); on the main thread Ctrl-C stops the run and raises
        KeyboardInterrupt."""
        if exec_policy is None:
            exec_policy = EXEC_INLINE if native_runner.inside_node_call() else EXEC_AUTO
        status, sinks, error, extras, total_ns = self.compiled.run(
            triples, exec_policy=exec_policy, metrics=self.collect_metrics, trace=self.collect_metrics,
            cancel=cancel)
        outputs: List[Any] = []
        for _sink_id, items in sinks:
            outputs.extend(native_runner.from_native(*t) for t in items)
        if self._split is not None:
            fed_inputs = inputs if len(self.nodes) == 1 and error is None else None
            outputs = self._split.reassemble(self.nodes[-1], outputs, fed_inputs)
        report = {"status": status, "error": error, "total_ns": total_ns,
                  "metrics": extras["metrics"], "trace": extras["trace"]}
        return outputs, report

    def shape_outputs(self, items: List[Any], outputs: List[Any]) -> List[Any]:
        """Mono audio given as a 1-D array comes back 1-D, as from the Python
        implementations, when every node keeps the input's shape (pass-through). Native items are always (channels, frames) otherwise."""
        if not items or not self._keeps_shape:
            return outputs
        if not all(_is_audio(item) and np.asarray(item[0]).ndim == 1 for item in items):
            return outputs
        return [
            (o[0][0], o[1]) if _is_audio(o) and o[0].ndim == 2 and o[0].shape[0] == 1 else o
            for o in outputs
        ]

    @property
    def rebuilds_outputs(self) -> bool:
        """Whether :meth:`session_outputs` rebuilds values (a split-output
        twin as the last node), so it may answer an input with no item."""
        return self._split is not None

    def session_outputs(self, items: List[Any], tagged: List[Tuple[str, int, Any]]) -> List[Any]:
        """The Python outputs of one session push (``items``: the item
        pushed, or ``[]`` for outputs of the end of stream), as :meth:`run`
        shapes a run's outputs."""
        outputs = [value for _node, _port, value in tagged]
        if self._split is not None:
            fed = items if len(self.nodes) == 1 and items else None
            outputs = self._split.reassemble(self.nodes[-1], outputs, fed)
        return self.shape_outputs(items, outputs)

    def node_error(self, error: Dict[str, Any], partial: List[Any]) -> BaseException:
        """The NodeError for a failed run, chained to the Python exception
        when a Python node raised it; ``partial_results`` holds what the
        pipeline emitted before the failure. A KeyboardInterrupt or
        SystemExit raised by a Python node is returned itself, as the
        pure-Python path lets it through. A cancelled run (a CancelToken,
        or Ctrl-C handled by asyncio.run's handler) is
        ``asyncio.CancelledError``."""
        if error.get("operation") == "cancel":
            return asyncio.CancelledError("the native run was cancelled")
        key = self._registration.by_node_id.get(error.get("node_id") or "")
        cause = native_runner.take_last_error(key, error.get("message") or "") if key else None
        if isinstance(cause, (KeyboardInterrupt, SystemExit)):
            return cause
        exc = self._node_error(error, partial, cause)
        exc.__cause__ = cause
        return exc

    def _node_error(self, error: Dict[str, Any], partial: List[Any],
                    cause: Optional[BaseException] = None) -> NodeError:
        node_id = error.get("node_id") or "?"
        message = (
            f"{node_label(error.get('node_type') or '?', node_id)} failed in {error.get('operation') or '?'}(): "
            f"{error.get('message')} [{error.get('name')}]"
        )
        # An open circuit breaker refused the call: the SDK's own class.
        cls = CircuitOpenError if error.get("name") == "EBREAKER" else node_error_class(cause)
        exc = cls(
            message,
            node_id=node_id,
            node_type=error.get("node_type"),
            operation=error.get("operation"),
            transient=bool(error.get("transient")),
            attempt=int(error.get("attempt") or 1),
            max_attempts=int(error.get("max_attempts") or 1),
        )
        exc.partial_results = partial  # type: ignore[attr-defined]
        return exc

    async def run_async(self, items: List[Any]) -> Tuple[List[Any], Dict[str, Any]]:
        """Run off the event loop thread, so the loop stays responsive —
        except runs measured cheaper than that thread hop (tens of µs):
        an all-native pipeline whose last run on no larger input took less
        than :data:`INLINE_RUN_S` runs on the loop thread."""
        triples = self.convert_inputs(items)
        if native_runner.inside_node_call():
            # A pipeline run by a Python node of a native run: on this thread,
            # which the node's call holds anyway (no pool, no thread hop).
            return self.run(triples, items, exec_policy=EXEC_INLINE)
        size = _payload_bytes(triples)
        if self.runs_inline(size):
            return self.call_inline(self.run, triples, items)
        loop = asyncio.get_running_loop()
        cancel = native.get_native_runtime().CancelToken()
        running = loop.run_in_executor(None, self._timed_run, triples, items, cancel)
        try:
            result = await asyncio.shield(running)
        except asyncio.CancelledError:
            # The awaiting task was cancelled (wait_for, task.cancel(),
            # Ctrl-C under asyncio.run): stop the native run too, and wait
            # for it (its calls in flight return, its sinks clean up) so
            # nothing is written after the cancellation returns.
            cancel.cancel()
            await _settle(running)
            raise
        outputs, report, elapsed = result
        self.note_off_loop(elapsed, size)
        return outputs, report

    def runs_inline(self, size: int) -> bool:
        """Whether a call on ``size`` input bytes runs on the event loop
        thread: calls that large were measured cheaper than the thread hop
        (:meth:`note_off_loop`) and have stayed cheap (:meth:`note_inline`)."""
        limit = self._inline_max_bytes
        return limit is not None and size <= limit

    def call_inline(self, fn: Any, *args: Any) -> Any:
        """``fn(*args)`` on this thread, timed for :meth:`note_inline`."""
        start = time.perf_counter()
        result = fn(*args)
        self.note_inline(time.perf_counter() - start)
        return result

    def note_off_loop(self, elapsed: float, size: int) -> None:
        """A call off the loop on ``size`` input bytes took ``elapsed`` s:
        when that was cheaper than the hop (:data:`INLINE_RUN_S`) and every
        node may run on the loop thread (:attr:`inline_ok`), calls up to
        that size run inline from now on."""
        if self.inline_ok and elapsed < INLINE_RUN_S and size <= INLINE_MAX_BYTES:
            self._inline_max_bytes = max(size, 1024)

    def note_inline(self, elapsed: float) -> None:
        """An inline call took ``elapsed`` s: back to the thread pool when
        calls got slow — on average (a call preempted for a few ms on a busy
        machine does not count: sending every stream's next call through a
        thread then costs far more), or one call at once when it took 100x
        the budget (10 ms: the work itself got slow)."""
        average = self._inline_avg = self._inline_avg * 0.875 + elapsed * 0.125
        if average > INLINE_RUN_S or elapsed > 100 * INLINE_RUN_S:
            self._inline_max_bytes = None
            self._inline_avg = 0.0

    def _timed_run(self, triples: List[Tuple[int, Any, Any]],
                   inputs: Optional[List[Any]] = None, cancel: Any = None) -> Tuple[List[Any], Dict[str, Any], float]:
        start = time.perf_counter()
        outputs, report = self.run(triples, inputs, cancel=cancel)
        return outputs, report, time.perf_counter() - start


def metrics_from_native(report: Dict[str, Any]) -> Optional[Dict[str, Any]]:
    """The native run's metrics document (schema ``remotemedia.metrics/1``,
    docs/metrics.md; the same schema as the pure-Python path's)."""
    text = report.get("metrics")
    return json.loads(text) if text else None


async def _settle(future: "asyncio.Future[Any]") -> None:
    """Wait until ``future`` (a cancelled run off the loop) is done, whatever
    it returns; a second cancellation of the waiting task while it waits is
    passed on at once (a second Ctrl-C must not hang)."""
    try:
        await asyncio.shield(future)
    except asyncio.CancelledError:
        if not future.done():
            raise
    except Exception:  # the run's own error: the cancellation wins
        pass
