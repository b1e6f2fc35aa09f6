"""Bad input to audio nodes: clear TypeError/ValueError naming the node."""

from __future__ import annotations

import numpy as np
import pytest

from remotemedia import ConfigurationError, NodeError, Pipeline
from remotemedia.nodes.audio import (AudioBuffer, AudioFileSink, AudioResampleNode, AudioTransform,
                                     FormatConverterNode, SpeechSegmenter, VADNode, VoiceActivityDetector)

AUDIO_NODES = [AudioResampleNode, FormatConverterNode, VADNode, VoiceActivityDetector, AudioTransform,
               AudioBuffer, SpeechSegmenter]

GOOD = np.zeros(480, dtype=np.float32)


@pytest.mark.parametrize("node_type", AUDIO_NODES)
@pytest.mark.parametrize("data, error, text", [
    ("not audio", TypeError, "expected a \\(samples, sample_rate\\) tuple"),
    ((GOOD,), TypeError, "expected a \\(samples, sample_rate\\) tuple"),
    (("abc", 16000), TypeError, "samples as a numpy array"),
    ((np.zeros((1, 2, 3), np.float32), 16000), ValueError, "3-D array"),
    ((np.zeros((0, 100), np.float32), 16000), ValueError, "audio has no channels"),
    ((np.zeros(10, np.int8), 16000), TypeError, "unsupported sample dtype int8"),
    ((np.zeros(10, np.complex64), 16000), TypeError, "unsupported sample dtype"),
    ((GOOD, 0), ValueError, "sample rate must be positive"),
    ((GOOD, -8000), ValueError, "sample rate must be positive"),
    ((GOOD, 16000.5), TypeError, "integer sample rate"),
    ((GOOD, "16000"), TypeError, "integer sample rate"),
])
def test_bad_audio_is_rejected_with_the_node_name(node_type, data, error, text) -> None:
    node = node_type(name="mynode")
    with pytest.raises(error, match=text) as info:
        node.process(data)
    assert str(info.value).startswith(f"node 'mynode' ({node_type.__name__}): ")


def test_bad_input_in_a_pipeline_is_a_node_error(run) -> None:
    with pytest.raises(NodeError, match=r"node 'VADNode_0' \(VADNode\) failed in process\(\): .*samples as a numpy array") as info:
        run(Pipeline([VADNode()]).run([("abc", 16000)]))
    assert isinstance(info.value.__cause__, TypeError)


@pytest.mark.parametrize("factory, text", [
    (lambda: AudioResampleNode(target_sample_rate=-1), "target_sample_rate"),
    (lambda: AudioResampleNode(runtime_hint="gpu"), "runtime_hint"),
    (lambda: FormatConverterNode(target_format="u8"), "target_format must be one of f32, f64, i16, i32"),
    (lambda: VADNode(frame_duration_ms=0), "frame_duration_ms"),
    (lambda: VoiceActivityDetector(speech_threshold=2), "speech_threshold"),
    (lambda: AudioTransform(output_channels=0), "output_channels"),
    (lambda: AudioBuffer(buffer_size_samples=0), "buffer_size_samples"),
    (lambda: AudioFileSink("x.wav", subtype="u8"), "subtype"),
    (lambda: AudioFileSink("x.wav", format="aiff"), "format"),
])
def test_bad_parameters_raise_configuration_errors(factory, text) -> None:
    with pytest.raises(ConfigurationError, match=text):
        factory()


def test_frame_too_short_for_the_rate() -> None:
    with pytest.raises(ValueError, match="frame_duration_ms=1 at 500 Hz gives frames of 0 samples"):
        VADNode(frame_duration_ms=1).process((GOOD, 500))


@pytest.mark.parametrize("make", [lambda: AudioResampleNode(target_sample_rate=8000, name="rs"),
                                  lambda: FormatConverterNode(target_format="i16", name="rs"),
                                  lambda: VADNode(name="rs")])
def test_frames_channels_audio_is_the_same_error_on_both_paths(make, run) -> None:
    """Audio shaped (frames, channels): one NodeError, also a ValueError
    (scripts catching ValueError go on working), with one message, whether
    the node runs natively (checked before the run) or in Python."""
    samples = np.zeros((16000, 2), np.float32)
    errors = {}
    for use_native in (True, False):
        try:
            run(Pipeline([make()]).run([(samples, 16000)], use_native=use_native))
        except ValueError as exc:
            errors[use_native] = exc
    assert set(errors) == {True, False}, errors
    assert type(errors[True]) is type(errors[False])
    assert all(isinstance(e, NodeError) and isinstance(e.__cause__, ValueError) for e in errors.values())
    assert str(errors[True]) == str(errors[False])
    assert "samples of shape (16000, 2) are 16000 channels" in str(errors[True])
    assert "pass samples.T" in str(errors[True])
