#!/usr/bin/env python3
"""The smallest pipeline: two nodes, a list in, a list out."""

import asyncio

from remotemedia import Pipeline
from remotemedia.nodes.base import PassThroughNode
from remotemedia.nodes.simple_math import AddNode, MultiplyNode


async def main() -> None:
    pipeline = Pipeline(name="basic")
    pipeline.add_node(MultiplyNode(factor=2)).add_node(AddNode(addend=10))
    print("result:", await pipeline.run([1, 2, 3]))
    print("one item:", await pipeline.run(5))
    print("passthrough:", await Pipeline([PassThroughNode()]).run({"any": "value"}))


if __name__ == "__main__":
    asyncio.run(main())
