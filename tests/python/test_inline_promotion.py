"""When native calls move onto the event loop thread: one rule
(NativeExecution.note_off_loop / runs_inline) for runs and sessions alike.
The measured times are given to the rule, never taken from the clock."""

from __future__ import annotations

import asyncio
import threading
from typing import Any, List

import pytest

import remotemedia
from remotemedia import Node, Pipeline
from remotemedia.core.native_exec import INLINE_MAX_BYTES, INLINE_RUN_S, NativeExecution
from remotemedia.core.native_session import NativeSession
from remotemedia.nodes.simple_math import AddNode, MultiplyNode

if not remotemedia.is_native_runtime_available():
    pytest.skip("native runtime not installed (source-tree run)", allow_module_level=True)


class AsyncAdd(Node):
    async def process(self, data: Any) -> Any:
        return data + 1


class SyncAdd(Node):
    def process(self, data: Any) -> Any:
        return data + 1


def _execution(*nodes: Node) -> NativeExecution:
    pipeline = Pipeline(list(nodes))
    return pipeline._native_execution(False)


def test_inline_ok_is_known_from_the_start() -> None:
    assert _execution(MultiplyNode(factor=2), AddNode(addend=1)).inline_ok is True
    assert _execution(MultiplyNode(factor=2), SyncAdd()).inline_ok is True
    assert _execution(MultiplyNode(factor=2), AsyncAdd()).inline_ok is False


def test_a_cheap_call_off_the_loop_opens_the_inline_path_up_to_its_size() -> None:
    execution = _execution(MultiplyNode(factor=2))
    assert not execution.runs_inline(0)  # nothing measured yet
    execution.note_off_loop(INLINE_RUN_S * 2, 10)  # too slow: stays off the loop
    assert not execution.runs_inline(10)
    execution.note_off_loop(INLINE_RUN_S / 2, INLINE_MAX_BYTES + 1)  # too large
    assert not execution.runs_inline(10)
    execution.note_off_loop(INLINE_RUN_S / 2, 10)
    assert execution.runs_inline(10) and execution.runs_inline(1024)  # at least 1 KiB
    assert not execution.runs_inline(1025)
    execution.note_off_loop(INLINE_RUN_S / 2, 5000)
    assert execution.runs_inline(5000) and not execution.runs_inline(5001)
    execution.note_inline(100 * INLINE_RUN_S + 1)  # one call 100x over: closed again
    assert not execution.runs_inline(10)


def test_a_pipeline_with_an_async_python_node_never_runs_on_the_loop() -> None:
    execution = _execution(MultiplyNode(factor=2), AsyncAdd())
    execution.note_off_loop(0.0, 10)
    assert not execution.runs_inline(10)


def test_a_session_follows_the_same_rule() -> None:
    """A session's calls go off the loop until the rule says inline; what
    its off-loop call measured is what the rule hears (with the size)."""
    execution = _execution(MultiplyNode(factor=2))
    session = NativeSession(execution)
    heard: List[tuple] = []
    note = execution.note_off_loop
    execution.note_off_loop = lambda elapsed, size: (heard.append((elapsed, size)), note(0.0, size))  # type: ignore[method-assignment]
    threads: List[int] = []

    def call() -> List[Any]:
        threads.append(threading.get_ident())
        return []

    async def main() -> int:
        await session._call(call, 100)  # off the loop, measured, promoted
        await session._call(call, 100)  # inline now
        await session._call(call, 4096)  # larger than measured: off the loop
        return threading.get_ident()

    loop_thread = asyncio.run(main())
    session.close()
    assert [size for _elapsed, size in heard] == [100, 4096]
    assert all(elapsed >= 0 for elapsed, _size in heard)
    assert threads[0] != loop_thread and threads[1] == loop_thread and threads[2] != loop_thread


def test_a_session_push_follows_the_same_rule() -> None:
    """push_async (the per-item path of process()) decides by the same rule
    and payload size as the session's other calls: off the loop until a
    measured call promotes the size, inline up to it (timed for the rule),
    off the loop again above it."""
    import numpy as np

    execution = _execution(MultiplyNode(factor=2))
    session = NativeSession(execution)
    note_off, note_in = execution.note_off_loop, execution.note_inline
    heard: List[tuple] = []
    execution.note_off_loop = lambda elapsed, size: (heard.append(("off", size)), note_off(0.0, size))  # type: ignore[method-assignment]
    execution.note_inline = lambda elapsed: (heard.append(("inline", elapsed >= 0)), note_in(0.0))  # type: ignore[method-assignment]
    native = session._session
    threads: List[int] = []

    class Recording:
        def push(self, *args: Any) -> Any:
            threads.append(threading.get_ident())
            return native.push(*args)

        def __getattr__(self, name: str) -> Any:
            return getattr(native, name)

    session._session = Recording()
    small, large = np.ones(100, dtype=np.float32), np.ones(2000, dtype=np.float32)  # 400 and 8000 bytes

    async def main() -> tuple:
        first = await session.push_async(execution.convert_one(small))  # off the loop, promoted to 1 KiB
        second = await session.push_async(execution.convert_one(small))  # inline
        third = await session.push_async(execution.convert_one(large))  # above the measured size: off
        return threading.get_ident(), [first, second, third]

    loop_thread, outputs = asyncio.run(main())
    session._session = native
    session.close()
    assert heard == [("off", 400), ("inline", True), ("off", 8000)]
    assert threads[0] != loop_thread and threads[1] == loop_thread and threads[2] != loop_thread
    for out, x in zip(outputs, (small, small, large)):
        assert len(out) == 1 and np.array_equal(out[0][2], x * 2)
