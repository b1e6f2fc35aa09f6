"""A whole-number sample rate written as a float (``16e3``, ``48000.0``,
``np.float64(44100)``) is accepted by every Python audio node, but the
native path sent such an item as a Python object and the plugin refused it
("input is a Python object ..., not audio"): the same pipeline failed
natively and ran with ``use_native=False``. It now crosses as audio with
the integer rate, as a pipeline input and from a Python node alike."""

from __future__ import annotations

import asyncio

import numpy as np
import pytest

from remotemedia import Node, Pipeline
from remotemedia.nodes.audio import AudioResampleNode, FormatConverterNode, VADNode

from parity import assert_same

x = (np.sin(np.arange(4800) / 7.0) * 0.3).astype(np.float32)


class FloatRate(Node):
    """A user node that hands on audio with a float rate."""

    def process(self, data):
        samples, rate = data
        return samples, float(rate)


@pytest.mark.parametrize("rate", [48000.0, 48e3, np.float64(48000), np.float32(48000)])
@pytest.mark.parametrize("make", [lambda: [FormatConverterNode(target_format="i16")],
                                  lambda: [AudioResampleNode(target_sample_rate=16000)],
                                  lambda: [FloatRate(), FormatConverterNode(target_format="i16"), VADNode()]])
def test_integral_float_rates_run_natively_as_in_python(rate, make) -> None:
    item = (x, rate)
    native = asyncio.run(Pipeline(make()).run(item))
    python = asyncio.run(Pipeline(make()).run(item, use_native=False))
    assert_same(native, python)


def test_a_fractional_rate_is_still_refused() -> None:
    for native in (True, False):
        with pytest.raises(TypeError, match=r"expected an integer sample rate, got 44100.5"):
            asyncio.run(Pipeline([FormatConverterNode(target_format="i16")]).run((x, 44100.5), use_native=native))
