"""await run() of a cached all-native pipeline measured cheap takes a fast
path (no coroutine layers, no life cycle to manage): the same results,
errors and recompilation as the general path."""

from __future__ import annotations

import asyncio

import pytest

import remotemedia
from remotemedia import NodeError, Pipeline
from remotemedia.nodes.base import PassThroughNode
from remotemedia.nodes.simple_math import AddNode, MultiplyNode

if not remotemedia.is_native_runtime_available():
    pytest.skip("native runtime not installed (source-tree run)", allow_module_level=True)


def test_fast_path_gives_the_general_paths_results_and_errors():
    p = Pipeline([MultiplyNode(factor=2), AddNode(addend=10), PassThroughNode()])

    async def main():
        first = [await p.run([1, 2, 3]) for _ in range(50)]  # measured, then inline
        assert p._native._inline_max_bytes is not None  # the fast path is open
        fast = await p.run([1, 2, 3])
        single = await p.run([4])
        empty = await p.run([])
        p.nodes[0].factor = 3  # a config change recompiles
        changed = await p.run([1])
        with pytest.raises(NodeError) as info:
            await p.run([1, "x", 2])
        return first, fast, single, empty, changed, info.value

    first, fast, single, empty, changed, error = asyncio.run(main())
    assert all(r == [12, 14, 16] for r in first) and fast == [12, 14, 16]
    assert single == 18 and empty is None and changed == 13
    assert error.node_id == "MultiplyNode_0" and error.operation == "process"
    assert isinstance(error.partial_results, list)
