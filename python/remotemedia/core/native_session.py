"""A streaming session of a compiled native pipeline (``Pipeline.process()``,
direct node calls).

One session = one live stream through the pipeline with its own native node
instances and state (remotemedia/session.h). Each :meth:`push` queues one
item, runs the pipeline until it is quiescent and returns the outputs that
item produced, in emission order. Calls measured cheaper than the hop to a
worker thread run on the caller's (event loop) thread; the others run off
the loop with the GIL released, so many sessions awaited together run in
parallel and the loop never waits on native work.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any, Dict, List, Optional, Tuple

from . import native_runner
from .native_runner import from_native
from .native_exec import EXEC_AUTO, EXEC_INLINE, NativeExecution, _item_bytes

__all__ = ["NativeSession"]

Tagged = Tuple[str, int, Any]  # (node_id, port, value)


class NativeSession:
    """A session on ``execution`` (a :class:`NativeExecution`).

    Args:
        execution: the compiled pipeline.
        metrics: record per-node metrics (and a trace) for :meth:`close`.
    """

    def __init__(self, execution: NativeExecution, metrics: bool = False) -> None:
        self.execution = execution
        policy = EXEC_INLINE if native_runner.inside_node_call() else EXEC_AUTO
        self._session = execution.compiled.session(exec_policy=policy, metrics=metrics, trace=metrics)
        self.status = 0
        self.finished = False
        self.report: Optional[Dict[str, Any]] = None
        self._pending: Optional["asyncio.Future[Any]"] = None  # a call off the loop

    # -- blocking calls (any thread, one at a time) --------------------------

    def _convert(self, outputs: List[Tuple[str, int, Any]]) -> List[Tagged]:
        return [(node_id, port, from_native(*triple)) for node_id, port, triple in outputs]

    def push_triple(self, triple: Tuple[int, Any, Any], entry: Optional[str] = None, port: int = 0) -> List[Tagged]:
        """Queue one converted item; run until quiescent; its outputs."""
        self.status, outputs, self.finished = self._session.push(triple, entry, port)
        return self._convert(outputs)

    def end(self) -> List[Tagged]:
        """End of stream (nodes flush); the outputs so far (call :meth:`step`
        until :attr:`finished` for the rest)."""
        self.status, outputs, self.finished = self._session.end()
        return self._convert(outputs)

    def step(self) -> List[Tagged]:
        self.status, outputs, self.finished = self._session.step()
        return self._convert(outputs)

    def error(self) -> Optional[Dict[str, Any]]:
        return self._session.error()

    def close(self) -> Dict[str, Any]:
        """Release the session (cancels it when not finished); its report
        (status, error, metrics/trace documents, total_ns, per-node calls)."""
        if self.report is None:
            status, error, extras, total_ns, stats = self._session.close()
            self.report = {"status": status, "error": error, "total_ns": total_ns,
                           "metrics": extras["metrics"], "trace": extras["trace"], "stats": stats}
        return self.report

    # -- from a coroutine ----------------------------------------------------

    async def push_async(self, triple: Tuple[int, Any, Any], entry: Optional[str] = None, port: int = 0) -> List[Tagged]:
        """:meth:`push_triple` under :meth:`_call`'s rule (the execution's
        ``runs_inline``/``call_inline``, as ``run_async``), without its
        coroutine layer when the push runs inline: the hot path of a live
        stream."""
        execution = self.execution
        size = _item_bytes(triple[1])
        if execution.runs_inline(size) and not native_runner.inside_node_call():
            return execution.call_inline(self.push_triple, triple, entry, port)
        return await self._call(self.push_triple, size, triple, entry, port)

    async def end_async(self) -> List[Tagged]:
        return await self._call(self.end, 0)

    async def step_async(self) -> List[Tagged]:
        return await self._call(self.step, 0)

    async def aclose(self) -> Dict[str, Any]:
        """:meth:`close` from a coroutine: after a call still running off the
        loop (its awaiting task was cancelled), and off the loop itself when
        Python nodes clean up (they run their own event loops) or calls may
        still be in flight."""
        if self._pending is not None:
            if not self._pending.done():
                # Its awaiting task was cancelled (or Ctrl-C): stop the
                # call still running off the loop, then wait for it.
                self._session.cancel()
            try:
                await asyncio.shield(self._pending)
            except BaseException:  # its error is the session's error
                pass
        if self.finished and self.execution.inline_ok:
            return self.close()
        return await asyncio.get_running_loop().run_in_executor(None, self.close)

    async def _call(self, fn: Any, size: int, *args: Any) -> List[Tagged]:
        execution = self.execution
        if native_runner.inside_node_call():
            return fn(*args)  # this thread runs the calling node anyway
        if execution.runs_inline(size):
            return execution.call_inline(fn, *args)
        loop = asyncio.get_running_loop()
        start_holder: List[float] = []

        def timed() -> List[Tagged]:
            start_holder.append(time.perf_counter())
            out = fn(*args)
            start_holder.append(time.perf_counter())
            return out

        # Shielded: cancelling the awaiting task must not forget the call,
        # which goes on in its thread (aclose() waits for it).
        self._pending = loop.run_in_executor(None, timed)
        result = await asyncio.shield(self._pending)
        self._pending = None
        execution.note_off_loop(start_holder[1] - start_holder[0], size)
        return result
