"""Array items of ``NativeStage`` (and so of Dask's ``map_items`` and Ray's
stages) follow the SDK's audio rules, as a pipeline's inputs do: a
whole-number float rate (``48000.0``) was refused ("with an int rate"),
a ``(frames, channels)`` array failed deep in the runtime as "invalid audio
format (... 4800 channels ...)" instead of saying to pass ``samples.T``,
and a ``uint8`` array was cast to float32 without scaling and ran."""

from __future__ import annotations

import os

import numpy as np
import pytest

import remotemedia
from remotemedia import Pipeline
from remotemedia.distributed import NativeStage
from remotemedia.nodes import AudioFileSink, AudioFileSource, FormatConverterNode

NATIVE = remotemedia.is_native_runtime_available()
if not NATIVE and os.environ.get("REMOTEMEDIA_REQUIRE_NATIVE") == "1":
    raise RuntimeError("REMOTEMEDIA_REQUIRE_NATIVE=1 but the native runtime does not load")
pytestmark = pytest.mark.skipif(not NATIVE, reason="native runtime not installed (source-tree run)")

x = (np.sin(np.arange(4800) / 5.0) * 0.3).astype(np.float32)


def _stage() -> NativeStage:
    return NativeStage(Pipeline([AudioFileSource("in.wav"), FormatConverterNode(target_format="f32"),
                                 AudioFileSink("out.wav")]))


def test_whole_number_float_rate_is_the_int_rate() -> None:
    as_int, as_float = _stage()([(x, 48000), (x, 48000.0)])
    assert as_int.status == "ok" and as_float.status == "ok", as_float.error
    np.testing.assert_array_equal(as_int.arrays["AudioFileSink_2"][0], as_float.arrays["AudioFileSink_2"][0])
    assert as_float.arrays["AudioFileSink_2"][1] == 48000


def test_bad_arrays_fail_with_the_sdk_audio_message() -> None:
    transposed, unsigned, fractional = _stage()([(np.zeros((4800, 2), np.float32), 48000),
                                                 (np.zeros(480, np.uint8), 48000), (x, 44100.5)])
    assert transposed.status == "failed"
    assert "samples of shape (4800, 2) are 4800 channels" in transposed.error
    assert "pass samples.T" in transposed.error
    assert unsigned.status == "failed"
    assert "unsupported sample dtype uint8; expected float32, float64, int16 or int32" in unsigned.error
    assert fractional.status == "failed" and "with an int rate in 1..768000; got rate 44100.5" in fractional.error
