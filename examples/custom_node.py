#!/usr/bin/env python3
"""Writing your own nodes: sync or async hooks, flush at end of stream, errors."""

import asyncio
from typing import Any, Optional

from remotemedia import Node, NodeError, Pipeline
from remotemedia.nodes.simple_math import MultiplyNode


class RunningMean(Node):
    """Emits nothing per item; emits the mean of everything at end of stream."""

    def __init__(self, **params: Any) -> None:
        super().__init__(**params)
        self.total = 0.0
        self.count = 0

    async def initialize(self) -> None:  # async hook
        self.total, self.count = 0.0, 0

    def process(self, data: float) -> None:  # returning None emits nothing
        self.total += data
        self.count += 1

    def flush(self) -> Optional[float]:  # sync hook, runs at end of stream
        return self.total / self.count if self.count else None


class Reciprocal(Node):
    async def process(self, data: float) -> float:  # a coroutine works too
        return 1.0 / data


async def main() -> None:
    print("mean:", await Pipeline([RunningMean()]).run([1, 2, 3, 4]))
    # A native node and this script's own node in one run: with the native
    # runtime installed, MultiplyNode runs in C and RunningMean (defined in
    # __main__) runs in Python inside the same native execution.
    mixed = Pipeline([MultiplyNode(factor=2), RunningMean()], enable_metrics=True)
    result = await mixed.run([1, 2, 3, 4])
    print("native + __main__ node:", result, [m["implementation"] for m in mixed.get_metrics()["node_metrics"]])
    manifest = Pipeline([RunningMean(name="avg", window=10)]).serialize()
    print("manifest node:", manifest[manifest.index('"nodes"'):manifest.index(', "connections"')])
    try:
        await Pipeline([Reciprocal(name="inv")]).run([1, 0])
    except NodeError as error:
        print("error from node:", error.node_id, "-", type(error.__cause__).__name__)


if __name__ == "__main__":
    asyncio.run(main())
