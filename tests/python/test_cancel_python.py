"""Cancelling pure-Python runs (``use_native=False``): a pipeline of plain
synchronous nodes fed a list never awaited anything that suspends, so the
event loop never ran while it did — ``asyncio.wait_for`` timed out only
after the whole run, ``task.cancel()`` and Ctrl-C under ``asyncio.run``
waited for the last item, and two pipelines awaited together ran one after
the other. The executor now lets the loop run between node calls.

No test depends on speed: each run would take far longer than the test
(500 items of 20 ms); the outcome is asserted (the run stopped early), and
HANG only bounds a hang."""

from __future__ import annotations

import asyncio
import time

import pytest

from remotemedia import Node, Pipeline
from remotemedia.nodes.simple_math import MultiplyNode

from test_cancel_native import HANG, SlowCount  # 20 ms a call, counted


def test_wait_for_timeout_stops_a_pure_python_run():
    calls: list = []
    p = Pipeline([SlowCount(calls), MultiplyNode(factor=2)])

    async def main():
        with pytest.raises((asyncio.TimeoutError, TimeoutError)):
            await asyncio.wait_for(p.run(list(range(500)), use_native=False), timeout=0.2)

    asyncio.run(main())
    assert 0 < len(calls) < 500
    assert not p.is_initialized
    assert asyncio.run(p.run([1, 2], use_native=False)) == [2, 4]


def test_task_cancel_stops_a_pure_python_stream():
    calls: list = []
    p = Pipeline([MultiplyNode(factor=2), SlowCount(calls)])

    async def main():
        seen = []

        async def consume():
            async for item in p.process(list(range(500)), use_native=False):
                seen.append(item)

        task = asyncio.create_task(consume())
        while len(calls) < 3:  # the stream is under way (the loop runs meanwhile)
            await asyncio.sleep(0.001)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await asyncio.wait_for(task, HANG)
        return seen

    seen = asyncio.run(main())
    assert 3 <= len(calls) < 500
    assert len(seen) <= len(calls)


def test_two_pure_python_runs_awaited_together_interleave():
    order: list = []

    class Tag(Node):
        def process(self, data):
            order.append(self.name)
            time.sleep(0.02)
            return data

    a, b = Pipeline([Tag(name="a")]), Pipeline([Tag(name="b")])

    async def main():
        return await asyncio.gather(a.run(list(range(20)), use_native=False),
                                    b.run(list(range(20)), use_native=False))

    assert asyncio.run(main()) == [list(range(20)), list(range(20))]
    # Not all of a's calls before all of b's: the loop switched between them.
    assert order != ["a"] * 20 + ["b"] * 20
