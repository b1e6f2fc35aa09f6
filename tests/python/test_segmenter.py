"""SpeechSegmenter: segments, per-frame output, streaming, robustness to noise."""

from __future__ import annotations

import numpy as np
import pytest

from remotemedia import ConfigurationError, Pipeline
from remotemedia.nodes.audio import SpeechSegmenter
from speech_signals import speech_with_pauses, voiced

TOLERANCE_S = 0.35  # padding (0.1) + hangover (0.16) + a frame or two


def _close(found, truth) -> bool:
    return len(found) == len(truth) and all(
        abs(a - c) <= TOLERANCE_S and abs(b - d) <= TOLERANCE_S for (a, b), (c, d) in zip(found, truth))


@pytest.mark.parametrize("rate", [8000, 16000, 22050, 44100, 48000])
def test_finds_the_speech_at_any_rate(rate: int, rng) -> None:
    audio, truth = speech_with_pauses(rate, rng)
    result = SpeechSegmenter().process((audio, rate))
    assert _close(result["segments"], truth), result["segments"]
    for start, end in result["segments"]:
        assert isinstance(start, float) and isinstance(end, float) and start < end
    frames = len(result["frame_scores"])
    frame_samples = int(round(rate * result["frame_duration_ms"] / 1000))
    assert frames == len(result["frame_decisions"]) == int(np.ceil(len(audio) / frame_samples))
    assert result["frame_scores"].dtype == np.float32 and result["frame_decisions"].dtype == bool
    assert result["sample_rate"] == rate and result["frame_offset"] == 0


def test_frame_decisions_follow_the_speech(rng) -> None:
    audio, truth = speech_with_pauses(16000, rng)
    result = SpeechSegmenter().process((audio, 16000))
    decisions = result["frame_decisions"]
    frame_s = result["frame_duration_ms"] / 1000
    inside = [int(t / frame_s) for t in (1.3, 1.8, 3.2)]
    outside = [int(t / frame_s) for t in (0.5, 2.7, 4.3)]
    assert decisions[inside].all() and not decisions[outside].any()
    assert result["frame_scores"][inside].min() > 0.5 > result["frame_scores"][outside].max()


def test_noise_bursts_and_steady_noise_are_not_speech(rng) -> None:
    for rate in (8000, 16000, 48000):
        burst = np.concatenate([rng.normal(0, 0.003, rate), rng.normal(0, 0.2, rate), rng.normal(0, 0.003, rate)])
        assert SpeechSegmenter().process((burst.astype(np.float32), rate))["segments"] == []
    loud_noise = rng.normal(0, 0.1, 16000 * 3).astype(np.float32)
    assert SpeechSegmenter().process((loud_noise, 16000))["segments"] == []


def test_speech_in_noise_still_found(rng) -> None:
    audio, truth = speech_with_pauses(16000, rng, noise_level=0.02)  # ~20 dB SNR
    assert _close(SpeechSegmenter().process((audio, 16000))["segments"], truth)


def test_min_speech_and_min_silence(rng) -> None:
    rate = 16000
    gap = np.zeros(int(0.1 * rate))
    blip = voiced(rate, 0.1)
    audio = np.concatenate([np.zeros(rate), voiced(rate, 0.5), gap, voiced(rate, 0.5), np.zeros(rate),
                            blip, np.zeros(rate)])
    audio = audio + rng.normal(0, 0.002, len(audio))
    node = SpeechSegmenter(hangover_ms=0, padding_ms=0, min_speech_ms=200, min_silence_ms=250)
    segments = node.process((audio.astype(np.float32), rate))["segments"]
    assert len(segments) == 1  # the 100 ms pause is bridged, the 100 ms blip dropped
    assert abs(segments[0][0] - 1.0) < 0.06 and abs(segments[0][1] - 2.1) < 0.06
    split = SpeechSegmenter(hangover_ms=0, padding_ms=0, min_silence_ms=60,
                            min_speech_ms=50).process((audio.astype(np.float32), rate))["segments"]
    assert len(split) == 3


def test_speech_audio_is_the_segments_audio(rng) -> None:
    audio, _ = speech_with_pauses(16000, rng)
    stereo = np.stack([audio, 0.5 * audio])
    result = SpeechSegmenter(emit_audio=True).process((stereo, 16000))
    speech, rate = result["speech_audio"]
    expected = np.concatenate([stereo[:, int(round(a * rate)):int(round(b * rate))] for a, b in result["segments"]],
                              axis=1)
    assert rate == 16000 and speech.dtype == np.float32
    np.testing.assert_array_equal(speech, expected)
    silent = SpeechSegmenter(emit_audio=True).process((np.zeros(16000, np.float32), 16000))
    assert silent["segments"] == [] and silent["speech_audio"] is None


@pytest.mark.parametrize("chunk", [160, 1234, 16000])
def test_streaming_equals_one_call(chunk: int, rng) -> None:
    audio, _ = speech_with_pauses(16000, rng)
    whole = SpeechSegmenter(emit_audio=True).process((audio, 16000))
    node = SpeechSegmenter(streaming=True, emit_audio=True)
    outputs = [node.process((audio[i:i + chunk], 16000)) for i in range(0, len(audio), chunk)]
    outputs.append(node.flush())
    segments = [s for out in outputs for s in out["segments"]]
    assert segments == whole["segments"]
    np.testing.assert_array_equal(np.concatenate([o["frame_scores"] for o in outputs]), whole["frame_scores"])
    offsets = [o["frame_offset"] for o in outputs]
    assert offsets == sorted(offsets)
    pieces = [o["speech_audio"][0] for o in outputs if o["speech_audio"] is not None]
    np.testing.assert_array_equal(np.concatenate(pieces, axis=1), whole["speech_audio"][0])


def test_streaming_in_a_pipeline_flushes_the_tail(run, rng) -> None:
    audio, truth = speech_with_pauses(16000, rng)
    chunks = [(audio[i:i + 4000], 16000) for i in range(0, len(audio), 4000)]
    outputs = run(Pipeline([SpeechSegmenter(streaming=True)]).run(chunks))
    assert len(outputs) == len(chunks) + 1  # one per chunk, plus the flush
    assert _close([s for out in outputs for s in out["segments"]], truth)


def test_int16_input_and_bad_parameters(rng) -> None:
    audio, truth = speech_with_pauses(16000, rng)
    ints = (audio * 32767).astype(np.int16)
    assert _close(SpeechSegmenter().process((ints, 16000))["segments"], truth)
    with pytest.raises(ConfigurationError, match="threshold"):
        SpeechSegmenter(threshold=1.5)
    with pytest.raises(ConfigurationError, match="frame_ms"):
        SpeechSegmenter(frame_ms=0)
    node = SpeechSegmenter(streaming=True)
    node.process((audio[:1000], 16000))
    with pytest.raises(ValueError, match="changed"):
        node.process((audio[:1000], 8000))


def test_config_uses_the_native_parameter_names() -> None:
    assert SpeechSegmenter().config == {"frame_ms": 30, "threshold": 0.5, "min_speech_ms": 100,
                                        "min_silence_ms": 300, "padding_ms": 100, "emit_audio": False}
    node = SpeechSegmenter(return_audio=True, streaming=True, hangover_ms=100)
    assert node.emit_audio and node.config["emit_audio"] is True
    assert node.config["streaming"] is True and node.config["hangover_ms"] == 100
