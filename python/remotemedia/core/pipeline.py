"""The pipeline: an ordered chain of nodes and the calls that run it."""

from __future__ import annotations

import asyncio
import os
import logging
import uuid
from contextlib import asynccontextmanager
from typing import Any, AsyncIterator, Dict, Iterable, Iterator, List, Optional, Tuple, Union

from ._calls import call_hook
from .dispatch import ExecutionPlan, plan_execution
from .exceptions import ConfigurationError, NodeError, PipelineError
from .executor import PythonChainExecutor, node_error
from .manifest import Edge, build_manifest, manifest_json, node_ids
from .metrics import RunMetrics, python_trace
from . import native_runner
from .native_exec import NativeExecution, _payload_bytes, metrics_from_native
from .native_session import NativeSession
from .node import Node, adopt_base_state, node_label

__all__ = ["Pipeline"]

logger = logging.getLogger("remotemedia.pipeline")

async def _aiter_items(items: Any) -> AsyncIterator[Any]:
    # A None item is no item, on every path (the original SDK dropped None
    # outputs; a node's None return emits nothing).
    if hasattr(items, "__aiter__"):
        async for item in items:
            if item is not None:
                yield item
        return
    for item in items:
        if item is not None:
            yield item

def _input_stream(data: Any) -> AsyncIterator[Any]:
    """How ``run()``/``process()`` input is fed: a list (or range, iterator,
    generator, async iterable) item by item; anything else — a number, a
    tuple such as ``(samples, rate)``, an array, a dict, a string — as one
    item. ``None`` items are dropped."""
    if hasattr(data, "__aiter__") or isinstance(data, (list, range, Iterator)):
        return _aiter_items(data)
    return _aiter_items([data])

_NOT_FAST = object()


def _shape_result(outputs: List[Any]) -> Any:
    """``None`` for no output, the bare item for one, the list for more."""
    if not outputs:
        return None
    if len(outputs) == 1:
        return outputs[0]
    return outputs

def _check_nodes_argument(nodes: Any) -> None:
    """Pipeline(nodes): None or an iterable of nodes, named when it is not
    (a name or a lone node passed first is the usual slip)."""
    if nodes is None or (isinstance(nodes, Iterable) and not isinstance(nodes, (str, bytes, Node))):
        return
    text = f"Pipeline: nodes must be a list of Node objects, got {type(nodes).__name__} {nodes!r}"
    if isinstance(nodes, str):
        text += f" (to name the pipeline: Pipeline(name={nodes!r}))"
    elif isinstance(nodes, Node):
        text += " (one node: [node])"
    raise PipelineError(text)


class Pipeline:
    """An ordered chain of :class:`~remotemedia.core.node.Node` objects.

    Nodes connect in the order they are added. Run the pipeline with
    :meth:`run` (one call, collected result) or stream through it with
    :meth:`process` inside :meth:`managed_execution`.

    Args:
        nodes: nodes to add, in order.
        name: the pipeline's name (default ``"Pipeline_<unique hex>"``).
        enable_metrics: collect per-node metrics for :meth:`get_metrics`.
    """

    def __init__(self, nodes: Optional[Iterable[Node]] = None, name: Optional[str] = None, enable_metrics: bool = False) -> None:
        if name is not None and not isinstance(name, str):
            raise PipelineError(f"Pipeline: name must be a string, got {type(name).__name__} {name!r}")
        _check_nodes_argument(nodes)
        self.name: str = name or f"Pipeline_{uuid.uuid4().hex[:12]}"
        self.enable_metrics = bool(enable_metrics)
        self._nodes: List[Node] = []
        #: Explicit connections (connect()); None: a chain in add order.
        self._edges: Optional[List[Edge]] = None
        self._is_initialized = False
        self._metrics: Optional[Dict[str, Any]] = None
        self._native: Optional[NativeExecution] = None
        self._trace: Optional[str] = None
        # Runs in flight that share an initialisation they made themselves
        # (no managed_execution()): the last one to finish cleans up, so
        # runs awaited together on this pipeline never see their nodes
        # cleaned up under them by another run.
        self._auto_runs = 0
        self._auto_starting: Optional["asyncio.Future[None]"] = None
        for node in nodes or ():
            self.add_node(node)

    # -- building ---------------------------------------------------------

    @property
    def nodes(self) -> List[Node]:
        """The nodes in order (the list itself; modify it only through
        :meth:`add_node` and :meth:`remove_node`)."""
        return self._nodes

    @property
    def is_initialized(self) -> bool:
        """Whether :meth:`initialize` ran and :meth:`cleanup` did not since."""
        return self._is_initialized

    def add_node(self, node: Node) -> "Pipeline":
        """Append ``node`` to the chain and return the pipeline (chainable).

        Raises:
            PipelineError: the pipeline is initialised, or ``node`` is not a Node.
        """
        if self._is_initialized:
            raise PipelineError(
                f"cannot add a node to pipeline '{self.name}': it is initialised "
                "(add nodes before initialize()/managed_execution())"
            )
        if not isinstance(node, Node):
            raise PipelineError(
                f"pipeline '{self.name}': add_node() expects a remotemedia Node, "
                f"got {type(node).__name__}"
            )
        if "_is_initialized" not in getattr(node, "__dict__", {}):
            adopt_base_state(node)  # its __init__ skipped Node.__init__
        self._nodes.append(node)
        return self

    def connect(self, src: Union[Node, str], dst: Union[Node, str], from_port: Union[int, str] = 0,
                to_port: Union[int, str] = 0) -> "Pipeline":
        """Connect output port ``from_port`` of ``src`` to input port
        ``to_port`` of ``dst`` (indices or port names, e.g. ``from_port=1``
        of a ``SpeechSegmenter``: its speech audio) and return the pipeline.

        Nodes are given as objects (added to the pipeline if they are not in
        it yet) or by name. Once a pipeline has a connection it is a graph
        (a DAG): only the explicit connections exist, not the chain of the
        add order; nodes without an outgoing connection are its sinks. A
        graph runs on the native runtime (its Python nodes inside it).

        Raises:
            PipelineError: the pipeline is initialised, a name is unknown,
                a port is not an int >= 0 or a name, or src is dst.
        """
        if self._is_initialized:
            raise PipelineError(f"cannot connect nodes of pipeline '{self.name}': it is initialised")
        ends = []
        for which, node in (("src", src), ("dst", dst)):
            if isinstance(node, str):
                found = self.get_node(node)
                if found is None:
                    raise PipelineError(f"pipeline '{self.name}': connect() {which}: no node named {node!r}; "
                                        f"nodes: {[n.name for n in self._nodes]}")
                node = found
            elif not isinstance(node, Node):
                raise PipelineError(f"pipeline '{self.name}': connect() {which} must be a Node or a node name, "
                                    f"got {type(node).__name__}")
            elif not any(node is n for n in self._nodes):
                self.add_node(node)
            ends.append(node)
        if ends[0] is ends[1]:
            raise PipelineError(f"pipeline '{self.name}': connect() of node {ends[0].name!r} to itself")
        for label, port in (("from_port", from_port), ("to_port", to_port)):
            if isinstance(port, bool) or not (isinstance(port, str) and port or isinstance(port, int) and port >= 0):
                raise PipelineError(f"pipeline '{self.name}': connect() {label} must be an int >= 0 or a port "
                                    f"name; got {port!r}")
        if self._edges is None:
            self._edges = []
        self._edges.append((ends[0], ends[1], from_port, to_port))
        return self

    @property
    def connections(self) -> Optional[List[Edge]]:
        """The explicit connections ``(src, dst, from_port, to_port)`` of a
        graph, or ``None`` for a chain."""
        return None if self._edges is None else list(self._edges)

    @classmethod
    def from_manifest(cls, manifest: Union[str, "os.PathLike[str]", Dict[str, Any]], name: Optional[str] = None,
                      enable_metrics: bool = False) -> "Pipeline":
        """A pipeline from a manifest (a dict, a path to a JSON file, or
        JSON text): SDK node classes for the types the SDK knows
        (``MultiplyNode``, ``AudioResampleNode``, ...), :class:`NativeNode`
        for the others; each node named by its manifest ``id``; the
        manifest's connections (ports included) kept. See docs/manifest.md.

        Raises:
            ConfigurationError: the manifest is malformed, names a node by
                an unknown id, or has a node the SDK cannot rebuild.
        """
        from .manifest_load import pipeline_from_manifest

        return pipeline_from_manifest(cls, manifest, name=name, enable_metrics=enable_metrics)

    def get_node(self, name: str) -> Optional[Node]:
        """The first node called ``name``, or ``None``."""
        for node in self._nodes:
            if node.name == name:
                return node
        return None

    def remove_node(self, name: str) -> bool:
        """Remove the first node called ``name``; ``True`` if one was removed.

        Raises:
            PipelineError: the pipeline is initialised.
        """
        if self._is_initialized:
            raise PipelineError(f"cannot remove a node from pipeline '{self.name}': it is initialised")
        for index, node in enumerate(self._nodes):
            if node.name == name:
                del self._nodes[index]
                if self._edges is not None:
                    self._edges = [e for e in self._edges if e[0] is not node and e[1] is not node]
                return True
        return False

    def __len__(self) -> int:
        return len(self._nodes)

    @property
    def node_count(self) -> int:
        """The number of nodes (the old SDK's name for ``len(pipeline)``)."""
        return len(self._nodes)

    def get_config(self) -> Dict[str, Any]:
        """A summary of the pipeline: name, node count, each node's config."""
        return {
            "name": self.name,
            "node_count": len(self._nodes),
            "nodes": [node.get_config() for node in self._nodes],
            "is_initialized": self._is_initialized,
        }

    def __iter__(self) -> Iterator[Node]:
        return iter(self._nodes)

    def __repr__(self) -> str:
        chain = " -> ".join(node.name for node in self._nodes) or "empty"
        return f"Pipeline(name={self.name!r}, nodes=[{chain}])"

    # -- life cycle -------------------------------------------------------

    async def initialize(self) -> None:
        """Initialise every node in order (sync or async hooks).

        Raises:
            PipelineError: the pipeline is empty.
            NodeError: a node's ``initialize()`` failed (the nodes initialised
                before it are cleaned up again).
        """
        if self._is_initialized:
            return
        if not self._nodes:
            raise PipelineError(f"cannot initialise pipeline '{self.name}': it has no nodes")
        done: List[Node] = []
        for index, node in enumerate(self._nodes):
            try:
                await call_hook(node.initialize)
            except Exception as exc:
                for started in reversed(done):
                    await self._cleanup_node(started)
                raise node_error(exc, node, node_ids(self._nodes)[index], "initialize") from exc
            done.append(node)
        self._is_initialized = True

    async def cleanup(self) -> None:
        """Clean up every node (sync or async hooks). A failing ``cleanup()``
        is logged and does not stop the others."""
        for node in self._nodes:
            await self._cleanup_node(node)
        self._is_initialized = False

    @staticmethod
    async def _cleanup_node(node: Node) -> None:
        try:
            await call_hook(node.cleanup)
        except Exception:
            logger.exception("cleanup() of node %r failed", node.name)

    async def _begin_run(self) -> bool:
        """Initialise the pipeline for a run() or process() unless the caller
        manages its life cycle; ``True`` when the run must call
        :meth:`_end_run`. Concurrent runs share one initialisation."""
        if self._is_initialized and self._auto_runs == 0:
            return False  # initialize()/managed_execution(): the caller's
        self._auto_runs += 1
        try:
            while not self._is_initialized:
                if self._auto_starting is not None:
                    await asyncio.shield(self._auto_starting)  # another run initialises
                    continue
                starting = self._auto_starting = asyncio.get_running_loop().create_future()
                try:
                    await self.initialize()
                finally:
                    self._auto_starting = None
                    starting.set_result(None)
        except BaseException:
            await self._end_run()
            raise
        return True

    async def _end_run(self) -> None:
        self._auto_runs -= 1
        if self._auto_runs == 0 and self._is_initialized:
            await self.cleanup()

    @asynccontextmanager
    async def managed_execution(self) -> AsyncIterator["Pipeline"]:
        """``async with pipeline.managed_execution():`` initialises the
        pipeline and cleans it up on exit, even on error."""
        await self.initialize()
        try:
            yield self
        finally:
            await self.cleanup()

    # -- running ----------------------------------------------------------

    async def process(self, stream: Any = None, *, use_native: Optional[bool] = None,
                      by_port: bool = False) -> AsyncIterator[Any]:
        """Stream items through the pipeline, yielding outputs as they come.

        Args:
            stream: an async iterable or iterable of input items (or one
                item, see :meth:`run`); ``None`` when the first node is a
                source.
            use_native: run natively where possible (default: yes).
            by_port: yield ``((node, port), item)`` pairs: which sink node
                emitted the item on which output port (see :meth:`run`).

        The pipeline is initialised (and cleaned up afterwards) if it is not
        already, e.g. by :meth:`managed_execution`.
        """
        owns_lifecycle = await self._begin_run()
        try:
            wanted = True if use_native is None else use_native
            plan = self._plan(bool(wanted), use_native is True, source_first=stream is None)
            if plan.all_python:
                key = self._last_port_key() if by_port else None
                async for output in self._execute(stream, plan):
                    yield (key, output) if by_port else output
            else:
                # A native session: each item runs through the pipeline as
                # it comes (native nodes natively, the others in Python
                # inside the same session), outputs yielded as produced.
                async for output in self._process_native(stream, plan, by_port):
                    yield output
        finally:
            if owns_lifecycle:
                await self._end_run()

    async def run(self, data: Any = None, use_rust: bool = True, use_native: Optional[bool] = None,
                  *, by_port: bool = False, **legacy: Any) -> Any:
        """Run the pipeline on ``data`` and return what it emitted.

        Args:
            data: a list (or range, iterator, async iterable) is fed item by
                item; a scalar, a tuple (e.g. ``(samples, rate)``), an array
                or a dict is one item; ``None`` means the first node is a
                source that produces the items. The old SDK's keyword
                ``input_data=`` is accepted too.
            use_rust: the old name of ``use_native``.
            use_native: run nodes natively where a native implementation
                exists (falls back to Python per node). Overrides ``use_rust``.
            by_port: return ``{(node, port): [items...]}`` instead: what
                each sink node emitted on each output port, in order (node =
                the node's name, or its id when names repeat).

        Returns:
            ``None`` if nothing was emitted, the bare item if exactly one was,
            else the list of emitted items.

        Raises:
            NodeError: a node failed (names the node and the operation).
            PipelineError: the pipeline cannot run as built.
        """
        if legacy:
            if set(legacy) != {"input_data"} or data is not None:
                raise TypeError(f"run() got unexpected keyword arguments: {sorted(legacy)}")
            data = legacy["input_data"]
        wanted = use_rust if use_native is None else use_native
        if wanted and not by_port and type(data) is list and not any(item is None for item in data):
            fast = self._run_inline_native(data)
            if fast is not _NOT_FAST:
                return fast
        owns_lifecycle = await self._begin_run()
        try:
            plan = self._plan(bool(wanted), use_native is True, source_first=data is None)
            if by_port:
                return await self._run_by_port(data, plan)
            if plan.all_python:
                outputs = await self._collect_python(data, plan)
            else:
                outputs = await self._run_native(data, plan)
        finally:
            if owns_lifecycle:
                await self._end_run()
        return _shape_result(outputs)

    def _python_can_run(self) -> bool:
        """Whether the pure-Python executor can run this pipeline: a chain
        with no node that exists only natively (a NativeNode, a remote node)."""
        return self._edges is None and not any(
            getattr(node, "native_type", None) or getattr(node, "remote_config", None) is not None
            for node in self._nodes)

    async def _collect_python(self, data: Any, plan: ExecutionPlan) -> List[Any]:
        """The pure-Python run's outputs; a failure's NodeError carries
        ``partial_results`` (what was emitted before it), as a native run's."""
        outputs: List[Any] = []
        try:
            async for item in self._execute(data, plan):
                outputs.append(item)
        except NodeError as exc:
            exc.partial_results = outputs  # type: ignore[attr-defined]
            raise
        return outputs

    def _run_inline_native(self, data: List[Any]) -> Any:
        """The fast path of a cached, all-native pipeline whose runs are
        measured cheaper than a thread hop: the same run as the general
        path, on this thread, without its coroutine layers. Its nodes have
        the base class's initialize()/cleanup() (nothing to call), so there
        is no life cycle to manage. ``_NOT_FAST`` when any condition fails
        (the general path then runs)."""
        execution = self._native
        if (execution is None or execution.plan is None or execution._inline_max_bytes is None
                or not execution.all_native or not execution.trivial_hooks or self.enable_metrics
                or native_runner.inside_node_call() or not execution.is_current(self._nodes, False, self._edges)):
            return _NOT_FAST
        if execution.carries_metadata(data):
            return _NOT_FAST
        triples = execution.convert_inputs(data)
        if not execution.runs_inline(_payload_bytes(triples)):
            return _NOT_FAST
        outputs, report = execution.call_inline(execution.run, triples, data)
        if report["error"] is not None:
            raise execution.node_error(report["error"], outputs)
        return _shape_result(execution.shape_outputs(data, outputs))

    def _port_keys(self) -> Dict[str, str]:
        """node id -> the key by_port results use (the name, or the id when
        names repeat)."""
        ids = node_ids(self._nodes)
        names = [node.name for node in self._nodes]
        unique = len(set(names)) == len(names)
        return dict(zip(ids, names if unique else ids))

    def _last_port_key(self) -> Tuple[str, int]:
        """The by_port key of a chain's output: its last node, port 0."""
        return self._port_keys()[node_ids(self._nodes)[-1]], 0

    async def _run_by_port(self, data: Any, plan: ExecutionPlan) -> Dict[Tuple[str, int], List[Any]]:
        results: Dict[Tuple[str, int], List[Any]] = {}
        if plan.all_python:  # a chain: the last node's items, on its port 0
            outputs = [item async for item in self._execute(data, plan)]
            if outputs:
                results[self._last_port_key()] = outputs
            return results
        async for key, value in self._process_native(data, plan, by_port=True):
            results.setdefault(key, []).append(value)
        return results

    def _plan(self, use_native: bool, explicit: bool, source_first: bool) -> ExecutionPlan:
        """The execution plan; reused (no per-node dispatch) while the
        compiled native form is current for these nodes."""
        cached = self._native
        if (use_native and cached is not None and cached.plan is not None
                and cached.is_current(self._nodes, source_first, self._edges)):
            return cached.plan
        plan = plan_execution(self._nodes, use_native=use_native, explicit=explicit, graph=self._edges is not None)
        if plan.all_python:
            _refuse_local_remote_nodes(self._nodes)
        if use_native and not plan.all_python:
            self._native_execution(source_first).plan = plan
        return plan

    def _native_execution(self, source_first: bool) -> NativeExecution:
        """The compiled native form of this pipeline, cached until its nodes
        or their config change."""
        cached = self._native
        if cached is None or not cached.is_current(self._nodes, source_first, self._edges):
            cached = self._native = NativeExecution(self.name, self._nodes, source_first, self._edges)
        return cached

    async def _run_native(self, data: Any, plan: ExecutionPlan) -> List[Any]:
        # The same input rule as the pure-Python path (_input_stream).
        if data is None:
            items: List[Any] = []
        elif type(data) is list:  # the common case, without the async iteration
            items = [item for item in data if item is not None]
        else:
            items = [item async for item in _input_stream(data)]
        execution = self._native
        if execution is None or execution.plan is not plan:  # else just checked by _plan
            execution = self._native_execution(source_first=data is None)
        if execution.carries_metadata(items) and self._python_can_run():
            python = plan_execution(self._nodes, use_native=False, explicit=False)
            python.reason = ("the inputs carry metadata dicts, which the native first node cannot: "
                             "pure Python (the same results)")
            return await self._collect_python(items, python)
        execution.collect_metrics = self.enable_metrics
        outputs, report = await execution.run_async(items)
        if self.enable_metrics:
            self._metrics = metrics_from_native(report)
            if self._metrics is not None:
                self._metrics["runtime_note"] = plan.reason
            self._trace = report.get("trace")
        if report["error"] is not None:
            raise execution.node_error(report["error"], outputs)
        return execution.shape_outputs(items, outputs)

    async def _process_native(self, stream: Any, plan: ExecutionPlan, by_port: bool = False) -> AsyncIterator[Any]:
        execution = self._native_execution(source_first=stream is None)
        session = NativeSession(execution, metrics=self.enable_metrics)
        keys = self._port_keys() if by_port else None

        def shaped(items: List[Any], tagged: List[Any]) -> List[Any]:
            if keys is None:
                return execution.session_outputs(items, tagged)
            return [((keys[node_id], port), value) for node_id, port, value in tagged]

        try:
            if stream is not None:
                convert, push = execution.convert_one, session.push_async
                rebuilds = execution.rebuilds_outputs  # may answer an input without outputs
                if hasattr(stream, "__aiter__"):
                    async for item in stream:
                        if item is None:  # no item (as _input_stream)
                            continue
                        tagged = await push(convert(item))
                        if tagged or rebuilds:
                            for output in shaped([item], tagged):
                                yield output
                        if session.status != 0:
                            break
                else:  # the same, without an async generator around a sync iterable
                    for item in stream if isinstance(stream, (list, range, Iterator)) else (stream,):
                        if item is None:
                            continue
                        tagged = await push(convert(item))
                        if tagged or rebuilds:
                            for output in shaped([item], tagged):
                                yield output
                        if session.status != 0:
                            break
            if session.status == 0:
                tagged = await session.end_async()
                for output in shaped([], tagged):
                    yield output
                while session.status == 0 and not session.finished:
                    tagged = await session.step_async()
                    for output in shaped([], tagged):
                        yield output
        finally:
            report = await session.aclose()
            if self.enable_metrics:
                self._metrics = metrics_from_native(report)
                if self._metrics is not None:
                    self._metrics["runtime_note"] = plan.reason
                self._trace = report.get("trace")
        if report["error"] is not None and report["error"].get("name") != "ECANCELED":
            raise execution.node_error(report["error"], [])

    async def _execute(self, data: Any, plan: ExecutionPlan) -> AsyncIterator[Any]:
        if self._edges is not None:
            raise PipelineError(
                f"pipeline '{self.name}' is a graph (connect()): it runs on the native runtime only "
                f"({plan.reason or 'native execution not requested'})"
            )
        run_metrics = RunMetrics(self.name, runtime="python") if self.enable_metrics else None
        executor = PythonChainExecutor(self._nodes, node_ids(self._nodes), run_metrics)
        inputs = None if data is None else _input_stream(data)
        failed = True
        if run_metrics is not None:
            run_metrics.start()
        try:
            async for output in executor.stream(inputs):
                yield output
            failed = False
        finally:
            if run_metrics is not None:
                run_metrics.finish(failed=failed)
                self._metrics = run_metrics.to_dict()
                self._trace = None
                self._metrics["runtime_note"] = plan.reason

    # -- description ------------------------------------------------------

    def to_manifest(self, description: Optional[str] = None) -> Dict[str, Any]:
        """The pipeline's manifest as a dict (see :meth:`serialize`)."""
        return build_manifest(self.name, self._nodes, description=description, edges=self._edges)

    def serialize(self, include_capabilities: bool = True, description: Optional[str] = None, *,
                  indent: Optional[int] = None) -> str:
        """The pipeline's manifest as a JSON string (format ``"v1"``, see
        docs/python-api.md): what ``rmrun`` and the native runtime read.

        ``include_capabilities`` is accepted for the old SDK's signature and
        has no effect (the native runtime knows each type's capabilities).

        Raises:
            SerializationError: a node parameter has no JSON form.
        """
        return manifest_json(self.to_manifest(description), indent=indent)

    def export_trace(self, path: Any) -> None:
        """Write the last run's timeline as a Chrome trace-event JSON file
        (open it in https://ui.perfetto.dev or chrome://tracing).

        Needs ``enable_metrics=True``. A native run has one track per thread
        and one slice per node call (retries and waits included); a
        pure-Python run has one slice per node, from its first start to its
        last end.

        Raises:
            PipelineError: no run with metrics happened yet.
        """
        if self._metrics is None:
            raise PipelineError(
                f"pipeline '{self.name}': no trace to export; create it with enable_metrics=True and run it first"
            )
        text = self._trace if self._trace is not None else python_trace(self._metrics)
        with open(path, "w", encoding="utf-8") as out:
            out.write(text)

    def get_metrics(self) -> Optional[Dict[str, Any]]:
        """Metrics of the last run when ``enable_metrics=True``, else ``None``."""
        return self._metrics


def _refuse_local_remote_nodes(nodes: Iterable[Node]) -> None:
    """A node with a ``remote_config`` runs only through the native
    RemoteNode plugin: never silently here (docs/remote.md)."""
    for node in nodes:
        config = getattr(node, "remote_config", None)
        if config is not None:
            raise ConfigurationError(
                f"{node_label(node)} should run on {config.address} (remote_config), which needs the native "
                "runtime's RemoteNode plugin; it is not available here (use_native=False, or a runtime "
                "built without libgrpc-dev)")
