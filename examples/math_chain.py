#!/usr/bin/env python3
"""A longer chain: ten pass-through nodes, then x * 2 + 5, over range(100)."""

import asyncio

from remotemedia import Pipeline
from remotemedia.nodes.base import PassThroughNode
from remotemedia.nodes.simple_math import AddNode, MultiplyNode


async def main() -> None:
    nodes = [PassThroughNode(name=f"pass{i}") for i in range(10)]
    pipeline = Pipeline(nodes + [MultiplyNode(factor=2), AddNode(addend=5)], name="math_chain")
    result = await pipeline.run(list(range(100)))
    print("first five:", result[:5])
    print("count:", len(result), "last:", result[-1])
    print("element-wise on a list item:", await Pipeline([MultiplyNode(factor=0.5)]).run([[2, 3, 5]]))


if __name__ == "__main__":
    asyncio.run(main())
