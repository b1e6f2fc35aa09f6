"""``on_error="skip"`` on a native node that is the pipeline's first: the
SDK checks the first node's inputs before a native run (so a bad item
fails the same way as in Python), and that check failed the whole run on
the first bad item, where the Python executor — and the native runtime
itself — drop that item and go on."""

from __future__ import annotations

import asyncio

import numpy as np
import pytest

from remotemedia import Pipeline
from remotemedia.nodes.audio import FormatConverterNode
from remotemedia.nodes.simple_math import MultiplyNode


@pytest.mark.parametrize("native", [True, False])
def test_skip_drops_bad_items_into_a_native_math_node(native) -> None:
    result = asyncio.run(Pipeline([MultiplyNode(factor=2, on_error="skip")]).run([1, "x", {"a": 1}, 3],
                                                                               use_native=native))
    assert result == [2, 6]


@pytest.mark.parametrize("native", [True, False])
def test_skip_drops_bad_items_into_a_native_audio_node(native) -> None:
    x = np.linspace(-1, 1, 8, dtype=np.float32)
    p = Pipeline([FormatConverterNode(target_format="i16", on_error="skip")])
    result = asyncio.run(p.run([(x, 8000), "not audio", (np.zeros((2, 2, 2), np.float32), 8000), (x, 8000)],
                               use_native=native))
    assert len(result) == 2 and all(rate == 8000 and samples.dtype == np.int16 for samples, rate in result)
