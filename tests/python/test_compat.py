"""Compatibility with the original SDK's scripts, on both paths.

Every check here runs the same pipeline natively (where the node has a
native twin) and in pure Python (``use_native=False``), and where it makes
sense calls the node directly too: the results must agree with each other
and with the original SDK's contract (/work/shared/API_CONTRACT.md).
"""

from __future__ import annotations

import asyncio
import os
import warnings

import numpy as np
import pytest

import remotemedia
from remotemedia import Node, Pipeline
from remotemedia.nodes.audio import (AudioBuffer, AudioResampleNode, AudioTransform, FormatConverterNode,
                                     SpeechSegmenter, VADNode, VoiceActivityDetector)
from remotemedia.nodes.base import PassThroughNode
from remotemedia.nodes.simple_math import MultiplyNode

from parity import assert_same as _assert_same

PATHS = ["native", "python"]


def run_on(path: str, nodes, data, metrics: bool = False):
    """``Pipeline(nodes).run(data)`` natively or in pure Python. The native
    path needs the runtime (a failure, not a skip, under
    REMOTEMEDIA_REQUIRE_NATIVE=1)."""
    if path == "native" and not remotemedia.is_native_runtime_available():
        if os.environ.get("REMOTEMEDIA_REQUIRE_NATIVE") == "1":
            raise RuntimeError("REMOTEMEDIA_REQUIRE_NATIVE=1 but the native runtime does not load")
        pytest.skip("native runtime not installed")
    pipeline = Pipeline(nodes, enable_metrics=metrics)
    result = asyncio.run(pipeline.run(data, use_native=path == "native"))
    return (result, pipeline) if metrics else result


def implementations(pipeline: Pipeline):
    return [node["implementation"] for node in pipeline.get_metrics()["node_metrics"]]


# -- None items ----------------------------------------------------------------


@pytest.mark.parametrize("path", PATHS)
def test_none_input_items_are_dropped_on_both_paths(path) -> None:
    """A None item is no item (the original dropped None outputs): not
    passed through by a native pass-through, not fed to a native node."""
    result, pipeline = run_on(path, [PassThroughNode()], [1, None, 2], metrics=True)
    assert result == [1, 2]
    assert implementations(pipeline) == [path]
    assert run_on(path, [MultiplyNode(factor=2)], [1, None, 2]) == [2, 4]
    assert run_on(path, [PassThroughNode(), MultiplyNode(factor=2)], [None, 3, None]) == 6
    assert run_on(path, [MultiplyNode(factor=2)], [None]) is None


@pytest.mark.parametrize("path", PATHS)
def test_none_items_of_an_async_input_and_of_python_nodes_are_dropped(path) -> None:
    class YieldsNone(Node):
        def process(self, data):
            yield None
            yield data

    async def items():
        for item in (None, 1, None, 2):
            yield item

    assert run_on(path, [MultiplyNode(factor=3), YieldsNone()], items()) == [3, 6]
    assert run_on(path, [YieldsNone(), MultiplyNode(factor=3)], [1, None, 2]) == [3, 6]


def test_process_drops_none_items() -> None:
    pipeline = Pipeline([MultiplyNode(factor=2)])

    async def collect():
        return [out async for out in pipeline.process([None, 1, None, 2])]

    assert asyncio.run(collect()) == [2, 4]


# -- output shapes (API_CONTRACT.md) ---------------------------------------------

MONO = np.linspace(-0.5, 0.5, 4800, dtype=np.float32)  # 1-D = mono
STEREO = np.stack([MONO, -MONO])


def _samples_of(node_type: str, output):
    """The output's samples array, per the contract's output shape."""
    if node_type in ("AudioResampleNode", "FormatConverterNode", "AudioTransform", "AudioBuffer"):
        samples, rate = output
    elif node_type == "VADNode":
        samples, rate, info = output
        assert {"is_speech", "speech_frames", "total_frames"} <= set(info)
    else:  # VoiceActivityDetector
        (samples, rate), info = output
        assert {"is_speech", "speech_ratio", "avg_energy", "frame_duration_ms"} <= set(info)
    assert isinstance(rate, int)
    return samples


# node, input, expected output sample shape: the contract's "(channels,
# frames)" everywhere, except AudioTransform to one channel (1-D).
SHAPES = [
    (lambda: AudioResampleNode(target_sample_rate=16000), MONO, (1, 1600)),
    (lambda: AudioResampleNode(target_sample_rate=16000), STEREO, (2, 1600)),
    (lambda: AudioResampleNode(target_sample_rate=48000), MONO, (1, 4800)),  # same rate
    (lambda: FormatConverterNode(target_format="i16"), MONO, (1, 4800)),
    (lambda: FormatConverterNode(target_format="f32"), MONO, (1, 4800)),  # same format
    (lambda: VADNode(), MONO, (1, 4800)),
    (lambda: VoiceActivityDetector(), MONO, (1, 4800)),
    (lambda: VoiceActivityDetector(), STEREO, (2, 4800)),
    (lambda: AudioTransform(output_sample_rate=16000, output_channels=1), STEREO, (1600,)),
    (lambda: AudioTransform(output_sample_rate=16000, output_channels=2), MONO, (2, 1600)),
    (lambda: AudioBuffer(buffer_size_samples=4800), MONO, (1, 4800)),
]


@pytest.mark.parametrize("path", PATHS + ["direct"])
@pytest.mark.parametrize("make, samples, shape", SHAPES,
                         ids=[f"{type(m()).__name__}-{s.ndim}d-{'x'.join(map(str, e))}" for m, s, e in SHAPES])
def test_audio_output_shapes_follow_the_contract(path, make, samples, shape) -> None:
    node = make()
    node_type = type(node).__name__
    if path == "direct":
        output = node.process((samples, 48000))
        if node_type == "AudioBuffer":
            (output,) = output  # the pieces the chunk completed
    else:
        output = run_on(path, [node], (samples, 48000))
    assert _samples_of(node_type, output).shape == shape


@pytest.mark.parametrize("path", PATHS)
def test_resampled_mono_is_2d_after_other_nodes_too(path) -> None:
    """A 1-D input through a native chain still comes back (1, N)."""
    out, rate = run_on(path, [PassThroughNode(), AudioResampleNode(target_sample_rate=16000)], (MONO, 48000))
    assert out.shape == (1, 1600) and rate == 16000


# -- edge inputs: the same result, or the same clear error, on both paths ---------

EDGE_INPUTS = {
    "digital silence": np.zeros((2, 4800), np.float32),
    "near silence": np.full(4800, 1e-30, np.float32),  # the Python segmenter overflowed here
    "single sample": np.array([0.5], np.float32),
    "NaN": np.full(4800, np.nan, np.float32),
    "empty": np.zeros(0, np.float32),
    "very short": np.full(7, 0.1, np.float32),
    "int16 silence": np.zeros(4800, np.int16),
}

EDGE_NODES = {
    "AudioResampleNode": lambda: AudioResampleNode(target_sample_rate=16000),
    "FormatConverterNode": lambda: FormatConverterNode(target_format="i16"),
    "VADNode": lambda: VADNode(),
    "VoiceActivityDetector": lambda: VoiceActivityDetector(),
    "SpeechSegmenter": lambda: SpeechSegmenter(),
    "AudioTransform": lambda: AudioTransform(output_sample_rate=16000, output_channels=1),
    "AudioBuffer": lambda: AudioBuffer(buffer_size_samples=1000),
}


def _outcome(path, make, item):
    """The result (or the error's type), with numpy warnings as errors: a
    path may not only warn where the other is silent."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        try:
            return run_on(path, [make()], item)
        except remotemedia.NodeError as exc:
            return type(exc.__cause__ or exc)
        except (TypeError, ValueError) as exc:
            return type(exc)


@pytest.mark.parametrize("input_name", list(EDGE_INPUTS))
@pytest.mark.parametrize("node_name", list(EDGE_NODES))
def test_edge_inputs_give_the_same_outcome_on_both_paths(node_name, input_name) -> None:
    item = (EDGE_INPUTS[input_name], 48000)
    make = EDGE_NODES[node_name]
    native = _outcome("native", make, item)
    python = _outcome("python", make, item)
    where = f"{node_name} on {input_name}"
    if node_name == "SpeechSegmenter":  # scores: the plugin writes 4 digits
        for outputs in (native, python):
            for output in outputs if isinstance(outputs, list) else [outputs]:
                if isinstance(output, dict) and "scores" in output:
                    output["scores"] = np.round(output["scores"], 4)
    _assert_same(native, python, where)
    assert not (isinstance(python, type) and issubclass(python, (OverflowError, FloatingPointError,
                                                                 ZeroDivisionError, RuntimeWarning))), where
    # A direct call behaves as the Python pipeline: no crash, no numpy warning.
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        make().process(item)


# -- runtime_hint is settable ----------------------------------------------------


class OriginalStyleNode(Node):
    """Written like the original SDK's own audio nodes: the hint is set in
    ``__init__`` after ``super().__init__(**kwargs)``."""

    def __init__(self, gain: float = 2.0, runtime_hint: str = "auto", **kwargs) -> None:
        super().__init__(**kwargs)
        self.gain = gain
        self.runtime_hint = runtime_hint

    def process(self, data):
        return data * self.gain


def test_runtime_hint_can_be_set_in_init_like_the_original_nodes() -> None:
    assert OriginalStyleNode(runtime_hint="rust").runtime_hint == "native"  # the old word for it
    node = OriginalStyleNode(gain=3.0, runtime_hint="python", name="g")
    assert node.runtime_hint == "python" and node.name == "g"
    assert asyncio.run(Pipeline([node]).run([1, 2])) == [3.0, 6.0]
    assert Pipeline([node]).to_manifest()["nodes"][0]["runtime_hint"] == "python"
    with pytest.raises(remotemedia.ConfigurationError, match=r"node 'g' \(OriginalStyleNode\): runtime_hint must be one of"):
        node.runtime_hint = "gpu"
    assert node.runtime_hint == "python"  # unchanged by the refused value


@pytest.mark.parametrize("path", PATHS)
def test_setting_runtime_hint_on_a_built_in_node_chooses_its_path(path) -> None:
    node = MultiplyNode(factor=2)
    node.runtime_hint = "python" if path == "python" else "auto"
    result, pipeline = run_on("native", [node], [1, 2], metrics=True)
    assert result == [2, 4]
    assert implementations(pipeline) == [path]


# -- MediaReaderNode with PyAV, in a native run ------------------------------------


def test_media_reader_pipeline_runs_natively_with_the_python_results(tmp_path) -> None:
    """The original examples' MediaReaderNode -> AudioTrackSource chain
    (Python, PyAV) feeding native nodes gives the pure-Python results."""
    pytest.importorskip("av")
    pytest.importorskip("soxr")  # the Python resampler then uses libsoxr, as the plugin: identical samples
    import wave

    from remotemedia.nodes.source import AudioTrackSource, MediaReaderNode

    rng = np.random.default_rng(5)
    ints = (rng.normal(0, 0.1, (2, 24000)) * 32768).astype(np.int16)
    path = tmp_path / "media.wav"
    with wave.open(str(path), "wb") as handle:
        handle.setnchannels(2)
        handle.setsampwidth(2)
        handle.setframerate(48000)
        handle.writeframes(ints.T.tobytes())

    def nodes():
        return [MediaReaderNode(path, streams="audio"), AudioTrackSource(),
                AudioResampleNode(target_sample_rate=16000), VADNode()]

    native, pipeline = run_on("native", nodes(), None, metrics=True)
    assert implementations(pipeline) == ["python", "python", "native", "native"]
    python = run_on("python", nodes(), None)
    native = native if isinstance(native, list) else [native]
    python = python if isinstance(python, list) else [python]
    _assert_same(native, python, "MediaReaderNode pipeline")
    total = sum(info["total_frames"] for _, _, info in python)
    assert total >= 16  # 0.5 s of 30 ms frames, per decoded chunk


@pytest.mark.parametrize("frames", [0, 1, 4800], ids=["empty", "one-sample", "silence"])
@pytest.mark.parametrize("path", PATHS)
def test_file_source_and_sink_on_edge_files(tmp_path, path, frames) -> None:
    """Empty, one-sample and silent files: the same items and summary on
    both paths (an empty input writes no file and reports 0 frames)."""
    import wave

    from remotemedia.nodes import AudioFileSink, AudioFileSource

    source = tmp_path / "in.wav"
    with wave.open(str(source), "wb") as handle:
        handle.setnchannels(1)
        handle.setsampwidth(2)
        handle.setframerate(48000)
        handle.writeframes(np.zeros(frames, np.int16).tobytes())
    target = tmp_path / "out.wav"
    summary = run_on(path, [AudioFileSource(source), AudioFileSink(target)], None)
    assert summary == {"path": str(target), "frames": frames, "sample_rate": 48000 if frames else 0,
                       "channels": 1 if frames else 0}
    assert target.exists() == bool(frames)
    items = run_on(path, [AudioFileSource(source)], None)
    if frames == 0:
        assert items is None
    else:
        samples, rate = items
        assert samples.shape == (1, frames) and samples.dtype == np.float32 and rate == 48000
