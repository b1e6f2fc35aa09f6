"""Audio inputs that carry a metadata dict — ``(samples, rate, metadata)``
or ``((samples, rate), metadata)``, which docs/python-api.md says every
audio node accepts — into a pipeline whose first node is a native audio
node (FormatConverterNode, AudioResampleNode): the native plugin cannot
carry the dict, and the run failed with "input is a Python object ...,
not audio" where ``use_native=False`` gave the result. Such a ``run()``
now runs on the pure-Python path (the same results, by the SDK's
contract), and says so in its metrics' ``runtime_note``."""

from __future__ import annotations

import asyncio
import os

import numpy as np
import pytest

import remotemedia
from remotemedia import Node, Pipeline
from remotemedia.nodes.audio import AudioResampleNode, FormatConverterNode, VADNode

from parity import assert_same

NATIVE = remotemedia.is_native_runtime_available()
if not NATIVE and os.environ.get("REMOTEMEDIA_REQUIRE_NATIVE") == "1":
    raise RuntimeError("REMOTEMEDIA_REQUIRE_NATIVE=1 but the native runtime does not load")
pytestmark = pytest.mark.skipif(not NATIVE, reason="native runtime not installed (source-tree run)")

x = np.linspace(-1, 1, 480, dtype=np.float32)


class Keep(Node):
    def process(self, data):
        return data


@pytest.mark.parametrize("item", [(x, 48000, {"id": 1}), ((x, 48000), {"id": 1})], ids=["triple", "nested"])
@pytest.mark.parametrize("make", [lambda: [FormatConverterNode(target_format="i16")],
                                  lambda: [AudioResampleNode(target_sample_rate=16000), Keep()],
                                  lambda: [FormatConverterNode(target_format="f32"), VADNode()]],
                         ids=["converter", "resampler", "converter-vad"])
def test_metadata_inputs_give_the_python_result(make, item) -> None:
    python = asyncio.run(Pipeline(make()).run([item, item], use_native=False))
    p = Pipeline(make(), enable_metrics=True)
    native = asyncio.run(p.run([item, item]))
    assert_same(native, python)
    assert "metadata" in p.get_metrics()["runtime_note"]


def test_plain_audio_still_runs_natively() -> None:
    p = Pipeline([FormatConverterNode(target_format="i16")], enable_metrics=True)
    asyncio.run(p.run([(x, 48000)]))
    assert p.get_metrics()["runtime"] == "native"
