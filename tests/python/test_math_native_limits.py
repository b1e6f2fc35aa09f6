"""Inputs the Python math nodes compute with but the native plugin cannot
take (NaN and infinities are not JSON numbers; nested lists, tuples,
Fractions, float16 arrays cross as Python objects): a native run refused
them with "cannot do arithmetic on a Python object item; expected JSON
numbers, float audio or a float tensor", which names neither the value nor
the way out. The first node's inputs are now checked before the run and
the error says what the value is and how to compute with it; with
``runtime_hint="python"`` the same pipeline gives the Python results."""

from __future__ import annotations

import asyncio
import os
from fractions import Fraction

import numpy as np
import pytest

import remotemedia
from remotemedia import NodeError, Pipeline
from remotemedia.nodes.simple_math import AddNode, MultiplyNode

NATIVE = remotemedia.is_native_runtime_available()
if not NATIVE and os.environ.get("REMOTEMEDIA_REQUIRE_NATIVE") == "1":
    raise RuntimeError("REMOTEMEDIA_REQUIRE_NATIVE=1 but the native runtime does not load")
pytestmark = pytest.mark.skipif(not NATIVE, reason="native runtime not installed (source-tree run)")


@pytest.mark.parametrize("item, what", [
    (float("nan"), "nan, which is not a JSON number"),
    (float("-inf"), "-inf, which is not a JSON number"),
    ([1.0, float("inf")], "inf, which is not a JSON number"),
    ([1, [2, 3]], "a nested list"),
    ((1, 2), "a tuple"),
    ((5,), "a tuple"),  # a short tuple: was an IndexError out of the check
    ((), "a tuple"),
    ([[(1,)]], "a nested list"),
    ((np.ones((2, 2, 2), np.float32), 8000), "3-d audio samples"),
    (Fraction(1, 3), "a Fraction"),
    (True, "a bool"),
    (np.arange(3, dtype=np.float16), "a float16 array"),
])
def test_native_refusal_names_the_value_and_the_way_out(item, what) -> None:
    with pytest.raises(NodeError) as info:
        asyncio.run(Pipeline([MultiplyNode(factor=2, name="gain")]).run([item]))
    text = str(info.value)
    assert "node 'gain_0' (MultiplyNode)" in text and what in text, text
    assert "runtime_hint='python'" in text, text
    assert isinstance(info.value, ValueError) and info.value.partial_results == []
    # The way out it names works, and gives the pure-Python result.
    hinted = asyncio.run(Pipeline([MultiplyNode(factor=2, runtime_hint="python")]).run([item]))
    python = asyncio.run(Pipeline([MultiplyNode(factor=2)]).run([item], use_native=False))
    np.testing.assert_equal(hinted, python)


def test_what_the_plugin_takes_still_runs_natively() -> None:
    items = [3, 1.5, [1, 2.5], np.arange(4, dtype=np.int16), (np.ones(4, np.float32), 8000.0), np.float32(0.5)]
    native = asyncio.run(Pipeline([AddNode(addend=1)]).run(items))
    python = asyncio.run(Pipeline([AddNode(addend=1)]).run(items, use_native=False))
    np.testing.assert_equal(native, python)
    assert native[4][1] == 8000
