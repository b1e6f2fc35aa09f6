"""MultiplyNode / AddNode on an audio item ``(samples, rate)``: the native
plugin scales the samples and keeps the rate; the Python implementation
used to treat the tuple as a list of numbers and multiplied (or added to)
the sample rate too — ``MultiplyNode(2)`` turned 48 kHz audio into a
96 kHz item. Both now give the same ``(samples (C, N), rate)``; integer
PCM is refused by both with the same message."""

from __future__ import annotations

import asyncio

import numpy as np
import pytest

from remotemedia import Pipeline
from remotemedia.core.exceptions import NodeError
from remotemedia.nodes.simple_math import AddNode, MultiplyNode

from parity import assert_same


def _audio(shape, dtype):
    rng = np.random.default_rng(7)
    return (rng.standard_normal(shape) * 0.3).astype(dtype)


@pytest.mark.parametrize("make", [lambda: MultiplyNode(factor=0.5), lambda: AddNode(addend=0.25)])
@pytest.mark.parametrize("shape, dtype", [((480,), np.float32), ((2, 480), np.float32), ((1, 7), np.float64),
                                          ((2, 0), np.float32)])
def test_audio_keeps_its_rate_native_and_python(make, shape, dtype) -> None:
    item = (_audio(shape, dtype), 48000)
    native = asyncio.run(Pipeline([make()]).run(item))
    python = asyncio.run(Pipeline([make()]).run(item, use_native=False))
    assert type(python) is tuple and python[1] == 48000
    assert python[0].shape == (shape[0] if len(shape) == 2 else 1, shape[-1])
    assert_same(native, python)


def test_direct_call_scales_the_samples_not_the_rate() -> None:
    x = _audio((2, 100), np.float32)
    samples, rate = MultiplyNode(factor=2, runtime_hint="python").process((x, 16000))
    assert rate == 16000 and samples.dtype == np.float32
    np.testing.assert_array_equal(samples, x * np.float32(2))


def test_integer_audio_is_refused_alike() -> None:
    item = ((np.arange(8) * 100).astype(np.int16), 8000)
    messages = []
    for native in (True, False):
        with pytest.raises(NodeError) as info:
            asyncio.run(Pipeline([MultiplyNode(factor=2)]).run(item, use_native=native))
        assert isinstance(info.value, TypeError)
        messages.append(str(info.value))
    assert "audio must be f32 or f64 samples (convert integer PCM first)" in messages[1]
    assert messages[0] == messages[1]
