"""``NodeError.partial_results``: what the pipeline emitted before a node
failed. A native run set it; a pure-Python run (``use_native=False``, or a
pipeline of Python nodes only) raised the NodeError without it, so a
script reading ``error.partial_results`` broke with AttributeError
depending on where its nodes ran."""

from __future__ import annotations

import asyncio

import pytest

from remotemedia import Node, NodeError, Pipeline
from remotemedia.nodes.simple_math import AddNode, MultiplyNode


class FailsOnThree(Node):
    def process(self, data):
        if data == 3:
            raise ValueError("three")
        return data


@pytest.mark.parametrize("native", [True, False])
def test_run_error_holds_what_was_emitted(native) -> None:
    p = Pipeline([MultiplyNode(factor=1), FailsOnThree(), AddNode(addend=10)])
    with pytest.raises(NodeError) as info:
        asyncio.run(p.run([1, 2, 3, 4], use_native=native))
    assert info.value.node_id == "FailsOnThree_1"
    assert info.value.partial_results == [11, 12]


def test_python_only_pipeline_error_holds_what_was_emitted() -> None:
    with pytest.raises(NodeError) as info:
        asyncio.run(Pipeline([FailsOnThree()]).run([1, 2, 3]))
    assert info.value.partial_results == [1, 2]
