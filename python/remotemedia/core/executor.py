"""The pure-Python executor: a linear chain of async generators.

Each node becomes one *stage* that pulls items from the stage before it, so
every item flows through the whole chain before the source produces the next
one (memory stays bounded however long the stream). At end of stream each
non-streaming node's ``flush()`` runs, so stateful nodes emit their tails;
a streaming node (``is_streaming = True``) gets the upstream as one async
iterator and emits its tail when that iterator ends.

Time is measured *exclusively*: the time a streaming node spends waiting for
its upstream is charged to the upstream, not to the node.
"""

from __future__ import annotations

import asyncio
import inspect
import time
from typing import Any, AsyncIterator, List, NoReturn, Optional, Sequence

from ._calls import is_multi, iterate_outputs, resolve
from .direct_call import python_method
from .exceptions import CircuitOpenError, NodeError, PipelineError, TransientError, node_error_class
from .metrics import NodeMetrics, RunMetrics, python_class_of
from .node import Node, node_label
from .reliability import breaker_of, call_with_timeout, note_reliability, on_error_of, retry_policy_of, timeout_ms_of
from .shared_contract import ATTEMPT_SUFFIX

__all__ = ["PythonChainExecutor", "node_error"]


def node_error(exc: BaseException, node: Node, node_id: str, operation: str,
               attempt: int = 1, max_attempts: int = 1) -> NodeError:
    """Turn an exception raised by a node's code into a :class:`NodeError`
    naming the node, the operation and (after retries, or for a transient
    error) the attempt: ``"... (attempt 4 of 4)"``; a ``NodeError`` from
    further up the chain is kept as is."""
    if isinstance(exc, NodeError):
        if exc.node_id is None:
            exc.node_id, exc.node_type, exc.operation = node_id, type(node).__name__, operation
        if exc.node_id == node_id and isinstance(exc, CircuitOpenError):
            exc.attempt, exc.max_attempts = attempt, max_attempts
        return exc
    transient = is_transient(exc)
    message = (
        f"{node_label(node, node_id)} failed in {operation}(): "
        f"{type(exc).__name__}: {exc}"
    )
    if transient or attempt > 1:
        message += ATTEMPT_SUFFIX.format(attempt=attempt, max_attempts=max_attempts)
    return node_error_class(exc)(
        message,
        node_id=node_id,
        node_type=type(node).__name__,
        operation=operation,
        transient=transient,
        attempt=attempt,
        max_attempts=max_attempts,
    )


def is_transient(exc: BaseException) -> bool:
    """Whether retrying the call may succeed: the SDK's
    :class:`TransientError`, timeouts and connection errors."""
    return isinstance(exc, (TransientError, TimeoutError, ConnectionError))


#: The longest the executor keeps the event loop between two turns of it.
LOOP_TURN_NS = 5_000_000


class _LoopTurns:
    """Lets the event loop run between node calls: plain synchronous nodes
    fed a list never await anything that suspends, so without this a run
    kept the loop until its last item — ``asyncio.wait_for``,
    ``task.cancel()``, Ctrl-C under ``asyncio.run`` and other pipelines
    awaited together all waited for the whole run. A turn is taken once
    :data:`LOOP_TURN_NS` has passed since the last (not per call: that
    costs a few µs each)."""

    def __init__(self) -> None:
        self._last = time.perf_counter_ns()

    async def take(self) -> None:
        now = time.perf_counter_ns()
        if now - self._last >= LOOP_TURN_NS:
            await asyncio.sleep(0)
            self._last = time.perf_counter_ns()


class _Stage:
    """Book-keeping shared by one node's stage: its id, metrics and the time
    it spent waiting for its upstream (excluded from its own time)."""

    def __init__(self, node: Node, node_id: str, metrics: Optional[NodeMetrics], run: Optional[RunMetrics],
                 turns: Optional[_LoopTurns] = None) -> None:
        self.node = node
        self.node_id = node_id
        self.metrics = metrics
        self.run = run
        self.waiting_ns = 0
        self.turns = turns if turns is not None else _LoopTurns()

    def started(self) -> None:
        if self.run is not None:
            self.run.mark_started(self.node_id)

    def record(self, wall_ns: int) -> None:
        if self.metrics is not None:
            self.metrics.record_call(wall_ns)

    def received(self, item: Any) -> None:
        if self.metrics is not None:
            self.metrics.record_input(item)

    def emitted(self, item: Any) -> None:
        if self.metrics is not None:
            self.metrics.record_output(item)

    def skipped(self) -> Any:
        """An item dropped by ``on_error="skip"``: counted, not an error of
        the run."""
        if self.metrics is not None:
            self.metrics.skipped_items += 1
        return _SKIPPED

    def failed(self, exc: BaseException, operation: str, attempt: int = 1, max_attempts: int = 1) -> NodeError:
        error = node_error(exc, self.node, self.node_id, operation, attempt, max_attempts)
        if self.metrics is not None and error.node_id == self.node_id:
            self.metrics.errors += 1
            self.metrics.status = "failed"
            if self.run is not None and self.run.error is None:
                self.run.set_error(error)
        return error


def _reraise(error: NodeError, original: BaseException) -> "NoReturn":
    """Raise ``error`` (chained to ``original`` unless they are the same)."""
    if error is original:
        raise error
    raise error from original


async def _timed_outputs(stage: _Stage, value: Any, operation: str) -> AsyncIterator[Any]:
    """Yield the outputs of a node's return value, timing each generator step."""
    if not is_multi(value):
        if value is not None:
            stage.emitted(value)
            yield value
        return
    iterator = iterate_outputs(value).__aiter__()
    while True:
        waited_before = stage.waiting_ns
        start = time.perf_counter_ns()
        try:
            item = await iterator.__anext__()
        except StopAsyncIteration:
            stage.record(time.perf_counter_ns() - start - (stage.waiting_ns - waited_before))
            return
        except Exception as exc:
            _reraise(stage.failed(exc, operation), exc)
        stage.record(time.perf_counter_ns() - start - (stage.waiting_ns - waited_before))
        stage.emitted(item)
        yield item


#: What ``_call`` returns for an item dropped by ``on_error="skip"``.
_SKIPPED = object()


async def _call(stage: _Stage, operation: str, *args: Any, item_call: bool = False) -> Any:
    """Call ``process``/``flush`` (sync or async) and time the call itself.

    The node's circuit breaker is asked first; a transient failure is
    retried after the node's back-off (``asyncio.sleep``: other tasks on the
    loop go on), a call over the node's ``timeout_ms`` fails as transient
    (reliability.py). A streaming node's call consumes the stream, so it is
    neither retried nor timed out; failures of other nodes pass through.
    An ``item_call`` (``process(item)``) that still fails, on a node with
    ``on_error="skip"``, returns ``_SKIPPED``: the item is dropped and
    counted (``skipped_items``), the stream goes on — as in the native
    runtime."""
    method = python_method(stage.node, operation)  # not a direct-call wrapper
    streaming = any(isinstance(arg, _Upstream) for arg in args)
    skip = item_call and not streaming and on_error_of(stage.node) == "skip"
    policy = retry_policy_of(stage.node)
    breaker = breaker_of(stage.node)
    timeout_ms = 0.0 if streaming else timeout_ms_of(stage.node)
    attempt = 1
    while True:
        try:
            breaker.admit(stage.node_id, type(stage.node).__name__)
        except CircuitOpenError as exc:
            note_reliability(stage.metrics, breaker, rejections=1)
            if skip:
                return stage.skipped()
            exc.operation = operation
            _reraise(stage.failed(exc, operation, attempt, policy.max_retries + 1), exc)
        start = time.perf_counter_ns()
        try:
            value = await call_with_timeout(method, args, timeout_ms, resolve)
        except Exception as exc:
            if isinstance(exc, NodeError) and exc.node_id not in (None, stage.node_id):
                raise  # another node's failure, already reported
            breaker.record(False, f"{type(exc).__name__}: {exc}")
            note_reliability(stage.metrics, breaker, timeouts=int(isinstance(exc, TimeoutError)))
            if not streaming and is_transient(exc) and attempt <= policy.max_retries:
                delay_ms = policy.delay_ms(attempt)
                note_reliability(stage.metrics, breaker, retries=1, retry_wait_ms=delay_ms)
                await asyncio.sleep(delay_ms / 1000.0)
                attempt += 1
                continue
            if skip and not (isinstance(exc, NodeError) and exc.node_id not in (None, stage.node_id)):
                return stage.skipped()
            _reraise(stage.failed(exc, operation, attempt, policy.max_retries + 1), exc)
        breaker.record(True)
        note_reliability(stage.metrics, breaker)
        if not is_multi(value):
            stage.record(time.perf_counter_ns() - start)
        await stage.turns.take()
        return value


class _Upstream:
    """The async iterator a streaming node receives: counts the items it
    takes and charges the time spent producing them to the upstream."""

    def __init__(self, source: AsyncIterator[Any], stage: _Stage) -> None:
        self._source = source
        self._stage = stage

    def __aiter__(self) -> "_Upstream":
        return self

    async def __anext__(self) -> Any:
        start = time.perf_counter_ns()
        try:
            item = await self._source.__anext__()
        finally:
            self._stage.waiting_ns += time.perf_counter_ns() - start
        self._stage.received(item)
        return item


class PythonChainExecutor:
    """Runs a linear chain of nodes in this process, item by item.

    Args:
        nodes: the nodes, in pipeline order (already initialised).
        node_ids: their ids (``"{name}_{index}"``), same order.
        metrics: where to record per-node metrics, or ``None``.
    """

    def __init__(self, nodes: Sequence[Node], node_ids: Sequence[str], metrics: Optional[RunMetrics] = None) -> None:
        if len(nodes) != len(node_ids):
            raise ValueError("nodes and node_ids must have the same length")
        self._stages: List[_Stage] = []
        turns = _LoopTurns()
        for node, node_id in zip(nodes, node_ids):
            node_metrics = (metrics.add_node(node_id, type(node).__name__, python_class=python_class_of(node))
                            if metrics else None)
            self._stages.append(_Stage(node, node_id, node_metrics, metrics, turns))

    def stream(self, inputs: Optional[AsyncIterator[Any]]) -> AsyncIterator[Any]:
        """The chain's outputs for ``inputs``; ``None`` means the first node
        is a source whose ``process()`` (called without argument) produces
        the items."""
        stages = self._stages
        if not stages:
            raise PipelineError("cannot run a pipeline without nodes")
        if inputs is None:
            stream = self._source_stage(stages[0])
            stages = stages[1:]
        else:
            stream = inputs
        for stage in stages:
            if getattr(stage.node, "is_streaming", False):
                stream = self._streaming_stage(stage, stream)
            else:
                stream = self._item_stage(stage, stream)
        return stream

    async def _source_stage(self, stage: _Stage) -> AsyncIterator[Any]:
        node = stage.node
        try:
            inspect.signature(node.process).bind()
        except TypeError:
            raise PipelineError(
                f"run() got no input data, so the first node {type(node).__name__} "
                f"'{stage.node_id}' must be a source whose process() takes no argument; "
                "pass the input data to run(), or put a source node first"
            ) from None
        except ValueError:  # builtins without a signature: just try the call
            pass
        stage.started()
        value = await _call(stage, "process")
        async for item in _timed_outputs(stage, value, "process"):
            yield item
        async for item in self._flush(stage):
            yield item

    async def _item_stage(self, stage: _Stage, upstream: AsyncIterator[Any]) -> AsyncIterator[Any]:
        async for item in upstream:
            stage.started()
            stage.received(item)
            value = await _call(stage, "process", item, item_call=True)
            if value is _SKIPPED:
                continue
            async for output in _timed_outputs(stage, value, "process"):
                yield output
        async for output in self._flush(stage):
            yield output

    async def _streaming_stage(self, stage: _Stage, upstream: AsyncIterator[Any]) -> AsyncIterator[Any]:
        stage.started()
        value = await _call(stage, "process", _Upstream(upstream.__aiter__(), stage))
        if value is not None and not is_multi(value) and hasattr(value, "__aiter__"):
            value = _as_async_gen(value)
        async for output in _timed_outputs(stage, value, "process"):
            yield output

    async def _flush(self, stage: _Stage) -> AsyncIterator[Any]:
        if not callable(getattr(stage.node, "flush", None)):
            return
        value = await _call(stage, "flush")
        async for output in _timed_outputs(stage, value, "flush"):
            yield output


async def _as_async_gen(iterable: Any) -> AsyncIterator[Any]:
    """Adapt any async iterable (returned by a streaming node) to a generator."""
    async for item in iterable:
        yield item
