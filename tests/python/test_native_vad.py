"""VADNode, VoiceActivityDetector and SpeechSegmenter run natively as the
last node, and give the Python implementations' results.

The native plugins split each result over two ports (audio / JSON); the SDK
reassembles the Python tuple or dict per input (core/split_outputs.py).
Integers, booleans, arrays, floats and the chunk structure are identical:
the frame energies and their mean are summed in the same order on both sides
(plugins/vad/energy_vad.c, remotemedia.dsp.energy).
"""

import asyncio
import os
import warnings

import numpy as np
import pytest

import remotemedia
from remotemedia import Node, NodeError, Pipeline
from remotemedia.nodes.audio import (AudioResampleNode, FormatConverterNode, SpeechSegmenter, VADNode,
                                     VoiceActivityDetector)
from remotemedia.nodes.base import PassThroughNode

from parity import assert_same as _assert_same
from speech_signals import speech_with_pauses

if not remotemedia.is_native_runtime_available():
    if os.environ.get("REMOTEMEDIA_REQUIRE_NATIVE") == "1":
        raise RuntimeError("REMOTEMEDIA_REQUIRE_NATIVE=1 but the native runtime does not load")
    pytest.skip("native runtime not installed (source-tree run)", allow_module_level=True)


def _require(native_type: str) -> None:
    from remotemedia.core.native_exec import native_runtime

    runtime = native_runtime()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ok = native_type in runtime.types and runtime.has_sdk_semantics(native_type)
    if not ok:
        pytest.skip(f"the installed native {native_type} plugin predates this SDK (reinstall the runtime)")


def _run(pipeline, data, **kwargs):
    return asyncio.run(pipeline.run(data, **kwargs))


def _implementations(pipeline):
    return [n["implementation"] for n in pipeline.get_metrics()["node_metrics"]]


def _both(nodes, data, expect):
    """Run natively and in pure Python; check which nodes ran natively."""
    pipeline = Pipeline(nodes, enable_metrics=True)
    native = _run(pipeline, data)
    assert _implementations(pipeline) == expect
    python = _run(pipeline, data, use_native=False)
    assert pipeline.get_metrics()["runtime"] == "python"
    return native, python


def _chunks(rng, levels, size=1600, rate=16000, dtype=np.float32):
    return [(rng.normal(0, level, size).astype(dtype), rate) for level in levels]


LEVELS = [0.001] * 30 + [0.1, 0.1, 0.002, 0.3] + [0.001] * 5 + [0.05, 0.0, 0.2]


# -- VADNode -------------------------------------------------------------------


def test_vadnode_native_equals_python_across_formats(rng) -> None:
    _require("VADNode")
    stereo = rng.normal(0, 0.05, (2, 16123)).astype(np.float32)
    inputs = [
        (rng.normal(0, 0.05, 16000).astype(np.float32), 16000),   # 1-D mono
        (stereo, 16000),                                          # stereo, tail dropped
        (stereo.astype(np.float64), 48000),
        ((stereo * 20000).astype(np.int16), 22050),
        ((stereo * 2e9).astype(np.int32), 8000),
        (np.full((1, 100), 0.5, np.float32), 16000),              # shorter than a frame
        (np.zeros((1, 0), np.float32), 16000),                    # empty: answered by the SDK
        (np.asfortranarray(stereo), 44100),                       # not C-contiguous
    ]
    for frame_ms, threshold in [(30, 0.02), (10, 0.05), (25, 0.0)]:
        native, python = _both([VADNode(frame_duration_ms=frame_ms, energy_threshold=threshold)], inputs,
                               ["native"])
        _assert_same(native, python)
        assert all(isinstance(o, tuple) and len(o) == 3 for o in native)
        assert native[0][0].shape == (1, 16000)


def test_vadnode_after_native_nodes_and_metadata_inputs(rng) -> None:
    _require("VADNode")
    x = np.stack([0.3 * np.sin(np.arange(48000) / 7.0), rng.normal(0, 0.01, 48000)]).astype(np.float32)
    native, python = _both([AudioResampleNode(16000, runtime_hint="python"), FormatConverterNode("i16"),
                            VADNode()], (x, 48000), ["python", "native", "native"])
    _assert_same(native, python)
    # Inputs carrying metadata: VADNode's info is its own.
    items = [(x[0], 48000, {"take": 1}), ((x, 48000), {"take": 2})]
    native, python = _both([VADNode()], items, ["native"])
    _assert_same(native, python)


def test_vadnode_not_last_or_fractional_frame_runs_in_python(rng) -> None:
    _require("VADNode")
    chunks = _chunks(rng, [0.1, 0.001])
    native, python = _both([VADNode(), PassThroughNode()], chunks, ["python", "native"])
    _assert_same(native, python)
    native, python = _both([VADNode(frame_duration_ms=12.5)], chunks, ["python"])
    _assert_same(native, python)
    # Not fed audio by a native node (a Python node could emit anything): Python.
    native, python = _both([PassThroughNode(runtime_hint="python"), VADNode()], chunks, ["python", "python"])
    _assert_same(native, python)


def test_vadnode_bad_input_is_the_same_node_error() -> None:
    _require("VADNode")
    for use_native in (True, False):
        with pytest.raises(NodeError, match=r"node 'VADNode_0' \(VADNode\) failed in process\(\): .*samples as a numpy array") as info:
            _run(Pipeline([VADNode()]), [("abc", 16000)], use_native=use_native)
        assert isinstance(info.value.__cause__, TypeError)


# -- VoiceActivityDetector -------------------------------------------------------


@pytest.mark.parametrize("config", [
    {},
    {"filter_mode": True},
    {"include_metadata": False},
    {"speech_threshold": 0.5, "energy_threshold": 0.01, "frame_duration_ms": 20},
    {"speech_threshold": 0.0, "filter_mode": True},  # even a frameless chunk is "speech"
])
def test_detector_native_equals_python_with_adaptive_threshold(rng, config) -> None:
    _require("VoiceActivityDetector")
    chunks = _chunks(rng, LEVELS, size=1600)
    chunks[12] = (np.zeros(0, np.float32), 16000)  # empty chunk
    chunks[20] = (np.ones(100, np.float32), 16000)  # shorter than a frame
    native, python = _both([VoiceActivityDetector(**config)], chunks, ["native"])
    _assert_same(native, python)
    if not config:
        # The threshold adapts: loud chunks after quiet ones are speech, a
        # quiet one among them is not.
        flags = [o[1]["is_speech"] for o in python]
        assert flags[30:34] == [True, True, False, True]


def test_avg_energy_is_bit_identical_over_many_chunks() -> None:
    """avg_energy (and every frame energy behind it) has the same last bit
    natively and in Python, chunk after chunk: mono f32 (the plugin's f32
    kernel), stereo and integer input (its f64 kernel), frame lengths that
    are and are not multiples of 8, chunks of one frame and of many."""
    _require("VADNode")
    _require("VoiceActivityDetector")
    rng = np.random.default_rng(7)
    chunks = []
    for index in range(80):
        rate = int(rng.choice([8000, 16000, 44100, 48000]))
        frames = int(rng.integers(1, 40)) * int(rate * 0.03) + int(rng.integers(0, 200))
        channels = 1 + index % 2
        samples = rng.normal(0, rng.uniform(0.001, 0.5), (channels, frames))
        dtype = [np.float32, np.float64, np.int16][index % 3]
        if dtype is np.int16:
            samples = np.clip(samples * 32768, -32768, 32767)
        chunks.append((samples.astype(dtype), rate))
    for node, energy_of in ((VADNode, lambda out: out[2]["avg_energy"]),
                            (VoiceActivityDetector, lambda out: out[1]["avg_energy"])):
        native, python = _both([node()], chunks, ["native"])
        assert len(native) == len(python) == len(chunks)
        mismatches = [(i, energy_of(n), energy_of(p)) for i, (n, p) in enumerate(zip(native, python))
                      if energy_of(n) != energy_of(p)]
        assert not mismatches, f"{node.__name__}: {len(mismatches)} chunks differ, first {mismatches[:3]}"


def test_detector_first_chunk_uses_energy_threshold(rng) -> None:
    _require("VoiceActivityDetector")
    chunks = _chunks(rng, [0.1, 0.1, 0.001, 0.1])
    native, python = _both([VoiceActivityDetector()], chunks, ["native"])
    _assert_same(native, python)
    assert python[0][1]["is_speech"] is True  # no history yet: 0.02


def test_detector_each_run_is_one_stream(rng) -> None:
    """The Python node's history starts empty per run, as the native
    instance does: repeated runs give the same results on both sides."""
    _require("VoiceActivityDetector")
    node = VoiceActivityDetector()
    pipeline = Pipeline([node])
    chunks = _chunks(rng, [0.1, 0.1, 0.001])
    first = _run(pipeline, chunks, use_native=False)
    for use_native in (True, False, True):
        _assert_same(_run(pipeline, chunks, use_native=use_native), first)


def test_detector_metadata_and_formats(rng) -> None:
    _require("VoiceActivityDetector")
    stereo = rng.normal(0, 0.05, (2, 4800))
    items = [
        ((stereo * 30000).astype(np.int16), 48000, {"source": "mic"}),
        ((stereo.astype(np.float32), 48000), {"source": "line", "is_speech": "overwritten"}),
        (stereo[0].astype(np.float64) * 4, 48000),
        (np.full((1, 4800), np.nan, np.float32), 48000),   # NaN frames count as energy 0
        (np.full((1, 4800), np.inf, np.float32), 48000),   # infinite energy
    ]
    native, python = _both([VoiceActivityDetector()], items, ["native"])
    _assert_same(native, python)
    assert python[0][1]["source"] == "mic" and python[1][1]["is_speech"] in (True, False)
    assert python[4][1]["avg_energy"] == float("inf")


def test_detector_after_a_native_node(rng) -> None:
    _require("VoiceActivityDetector")
    chunks = _chunks(rng, LEVELS, size=4410, rate=44100)
    native, python = _both([FormatConverterNode("i16"), VoiceActivityDetector()], chunks, ["native", "native"])
    _assert_same(native, python)
    native, python = _both([VoiceActivityDetector(), PassThroughNode()], chunks, ["python", "native"])
    _assert_same(native, python)


# -- SpeechSegmenter -----------------------------------------------------------


def _close_segmenter_outputs(native, python, frame_s):
    """Same structure; decisions >= 99% equal; scores within 2e-4 (the plugin
    writes 4 digits); segments within one frame."""
    assert len(native) == len(python)
    for n, p in zip(native, python):
        assert set(n) == set(p)
        for key in ("first_frame", "frame_s", "final", "total_frames"):
            assert n.get(key) == p.get(key)
        if "frames" in p:
            assert n["frames"].dtype == bool and n["scores"].dtype == np.float32
            assert len(n["frames"]) == len(p["frames"])
    frames_n = np.concatenate([o["frames"] for o in native[:-1]] or [np.zeros(0, bool)])
    frames_p = np.concatenate([o["frames"] for o in python[:-1]] or [np.zeros(0, bool)])
    if len(frames_p):
        assert np.mean(frames_n == frames_p) >= 0.99
        scores_n = np.concatenate([o["scores"] for o in native[:-1]])
        scores_p = np.concatenate([o["scores"] for o in python[:-1]])
        assert np.max(np.abs(scores_n - scores_p)) < 2e-4
    seg_n, seg_p = native[-1]["segments"], python[-1]["segments"]
    assert len(seg_n) == len(seg_p)
    for (a, b), (c, d) in zip(seg_n, seg_p):
        assert abs(a - c) <= frame_s and abs(b - d) <= frame_s
    return seg_n == seg_p and bool(np.all(frames_n == frames_p))


@pytest.mark.parametrize("rate", [16000, 44100])
def test_segmenter_native_equals_python_on_speech_like_input(rng, rate) -> None:
    _require("SpeechSegmenter")
    audio, truth = speech_with_pauses(rate, rng)
    chunks = [(audio[i:i + 5000], rate) for i in range(0, len(audio), 5000)]
    chunks.insert(3, (np.zeros(0, np.float32), rate))  # nothing on either side
    native, python = _both([SpeechSegmenter(emit_audio=True)], chunks, ["native"])
    exact = _close_segmenter_outputs(native, python, frame_s=0.03)
    assert exact  # this signal has no frame near the threshold
    unscored = lambda outputs: [{k: v for k, v in o.items() if k != "scores"} for o in outputs]  # noqa: E731
    _assert_same(unscored(native), unscored(python))  # scores aside, everything identical
    assert len(python[-1]["segments"]) == len(truth)


def test_segmenter_on_random_input_stereo_and_int16(rng) -> None:
    _require("SpeechSegmenter")
    noise = (rng.normal(0, 0.1, (2, 48000)) * np.linspace(0, 1, 48000)).astype(np.float32)
    chunks = [((noise[:, i:i + 7000] * 32767).astype(np.int16), 48000) for i in range(0, 48000, 7000)]
    native, python = _both([SpeechSegmenter(threshold=0.3, min_speech_ms=0)], chunks, ["native"])
    _close_segmenter_outputs(native, python, frame_s=0.03)
    # Empty stream: one final item on both sides.
    native, python = _both([SpeechSegmenter(emit_audio=True)], [(np.zeros(0, np.float32), 16000)], ["native"])
    _assert_same(native, python)
    assert python == {"segments": [], "final": True, "total_frames": 0, "audio": []}


def test_segmenter_not_last_runs_in_python(rng) -> None:
    _require("SpeechSegmenter")

    class CountSegments(Node):
        def process(self, data):
            return len(data["segments"])

    audio, _ = speech_with_pauses(16000, rng)
    chunks = [(audio[i:i + 8000], 16000) for i in range(0, len(audio), 8000)]
    native, python = _both([SpeechSegmenter(), CountSegments()], chunks, ["python", "python"])
    assert native == python
