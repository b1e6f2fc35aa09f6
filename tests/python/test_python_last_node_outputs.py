"""The outputs of a Python node that is the last of a native run come back
exactly as it returned them, as with ``use_native=False``: they crossed
into the runtime as native items, so ``AudioTransform(output_channels=1)``
after a native node returned ``(1, N)`` samples where the SDK contract
says 1-D, a 1-D array from a user node came back ``(1, N)``, and a numpy
scalar came back a Python float. The last node's items go nowhere but
back to Python, so they now stay the objects they were."""

from __future__ import annotations

import asyncio

import numpy as np
import pytest

from remotemedia import Node, Pipeline
from remotemedia.nodes.audio import AudioTransform, FormatConverterNode
from remotemedia.nodes.simple_math import MultiplyNode

from parity import assert_same

rng = np.random.default_rng(3)
chunks = [((rng.standard_normal((2, 960)) * 0.2).astype(np.float32), 48000) for _ in range(3)]


class Mean(Node):
    """A user node: the mono mix as a 1-D array, and its level as np.float32."""

    def process(self, data):
        samples, rate = data
        mono = samples.mean(axis=0)
        return mono, rate, np.float32(np.abs(mono).max())


def _both(make, data):
    native = asyncio.run(Pipeline(make()).run(data))
    python = asyncio.run(Pipeline(make()).run(data, use_native=False))
    return native, python


@pytest.mark.parametrize("make", [
    lambda: [FormatConverterNode(target_format="f32"), AudioTransform(output_sample_rate=16000, output_channels=1)],
    lambda: [FormatConverterNode(target_format="f32"), Mean()],
], ids=["AudioTransform-mono", "user-node"])
def test_last_python_node_output_is_what_it_returned(make) -> None:
    native, python = _both(make, chunks)
    assert native[0][0].ndim == 1  # mono is 1-D, as the contract says
    assert_same(native, python)


def test_process_stream_too() -> None:
    async def collect(native):
        p = Pipeline([FormatConverterNode(target_format="f32"), AudioTransform(output_sample_rate=48000,
                                                                              output_channels=1)])
        return [item async for item in p.process(chunks, use_native=native)]

    assert_same(asyncio.run(collect(True)), asyncio.run(collect(False)))


def test_numbers_from_a_last_python_node() -> None:
    class Half(Node):
        def process(self, data):
            return np.float32(data) / 2

    native, python = _both(lambda: [MultiplyNode(factor=3), Half()], [1, 2])
    assert_same(native, python)
