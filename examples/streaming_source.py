#!/usr/bin/env python3
"""A user-defined source node, a streaming node, and pipeline.process()."""

import asyncio
from typing import AsyncIterator, List

from remotemedia import Node, Pipeline


class Counter(Node):
    """Source: yields 0 .. count-1 (process() takes no argument)."""

    def __init__(self, count: int = 5, **params) -> None:
        super().__init__(count=count, **params)
        self.count = count

    async def process(self) -> AsyncIterator[int]:
        for i in range(self.count):
            yield i


class TimesTen(Node):
    def process(self, data: int) -> int:
        return data * 10


class Pairs(Node):
    """Streaming: receives the whole stream, emits pairs and the odd tail."""

    is_streaming = True

    async def process(self, stream: AsyncIterator[int]) -> AsyncIterator[List[int]]:
        pair: List[int] = []
        async for value in stream:
            pair.append(value)
            if len(pair) == 2:
                yield pair
                pair = []
        if pair:
            yield pair


async def main() -> None:
    print("run():", await Pipeline([Counter(5), TimesTen()]).run())
    pipeline = Pipeline([Counter(5), TimesTen(), Pairs()])
    async with pipeline.managed_execution():
        async for pair in pipeline.process():
            print("streamed:", pair)


if __name__ == "__main__":
    asyncio.run(main())
