"""SpeechSegmenter: segments, per-frame output, streaming, the native output shape."""

from __future__ import annotations

import numpy as np
import pytest

from remotemedia import ConfigurationError, NodeError, Pipeline
from remotemedia.dsp.speech import SpeechSegmenterState, nice_fft_length
from remotemedia.nodes.audio import SpeechSegmenter
from speech_signals import speech_with_pauses, voiced

TOLERANCE_S = 0.4  # padding (0.1) + hysteresis and frame granularity


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
    frame_length = rate * 30 // 1000
    assert result["frame_s"] == frame_length / rate
    assert len(result["scores"]) == len(result["frames"]) == result["total_frames"] == len(audio) // frame_length
    assert result["scores"].dtype == np.float32 and result["frames"].dtype == bool
    assert result["first_frame"] == 0 and result["final"] is True


@pytest.mark.parametrize("frame_ms", [10, 20, 30])
def test_frame_decisions_follow_the_speech(frame_ms: int, rng) -> None:
    audio, _ = speech_with_pauses(16000, rng)
    result = SpeechSegmenter(frame_ms=frame_ms).process((audio, 16000))
    frame_s = result["frame_s"]
    inside = [int(t / frame_s) for t in (1.3, 1.8, 3.2)]
    outside = [int(t / frame_s) for t in (0.5, 2.7, 4.3)]
    assert result["frames"][inside].all() and not result["frames"][outside].any()
    assert result["scores"][inside].min() > 0.5 > result["scores"][outside].max()


def test_steady_noise_is_not_speech_and_speech_in_noise_is(rng) -> None:
    loud_noise = rng.normal(0, 0.1, 16000 * 3).astype(np.float32)
    assert SpeechSegmenter().process((loud_noise, 16000))["segments"] == []
    assert SpeechSegmenter().process((np.zeros(16000, np.float32), 16000))["segments"] == []
    audio, truth = speech_with_pauses(16000, rng, noise_level=0.02)  # ~20 dB SNR
    assert _close(SpeechSegmenter().process((audio, 16000))["segments"], truth)


def test_min_speech_min_silence_and_padding(rng) -> None:
    rate = 16000
    audio = np.concatenate([np.zeros(rate), voiced(rate, 0.5), np.zeros(int(0.1 * rate)), voiced(rate, 0.5),
                            np.zeros(rate), voiced(rate, 0.06), np.zeros(rate)])
    audio = (audio + rng.normal(0, 0.002, len(audio))).astype(np.float32)
    merged = SpeechSegmenter(padding_ms=0, min_speech_ms=200).process((audio, rate))["segments"]
    assert len(merged) == 1  # the 100 ms pause is bridged, the 60 ms blip dropped
    assert abs(merged[0][0] - 1.0) < 0.07 and abs(merged[0][1] - 2.1) < 0.1
    split = SpeechSegmenter(padding_ms=0, min_silence_ms=60, min_speech_ms=30).process((audio, rate))["segments"]
    assert len(split) == 3
    padded = SpeechSegmenter(padding_ms=100, min_speech_ms=200).process((audio, rate))["segments"]
    assert padded[0][0] == pytest.approx(merged[0][0] - 0.1) and padded[0][1] == pytest.approx(merged[0][1] + 0.1)


def test_emit_audio_returns_each_segments_mono_audio(rng) -> None:
    audio, _ = speech_with_pauses(16000, rng)
    stereo = np.stack([audio, 0.5 * audio])
    result = SpeechSegmenter(emit_audio=True).process((stereo, 16000))
    mono = stereo.astype(np.float64).mean(axis=0).astype(np.float32)
    assert len(result["audio"]) == len(result["segments"]) == 2
    for (samples, rate), (start, end) in zip(result["audio"], result["segments"]):
        assert rate == 16000 and samples.dtype == np.float32
        np.testing.assert_array_equal(samples, mono[int(round(start * rate)):int(round(end * rate))])
    assert "audio" not in SpeechSegmenter().process((stereo, 16000))
    assert SpeechSegmenter(return_audio=True).emit_audio is True


@pytest.mark.parametrize("chunk", [37, 333, 4000, 16000])
def test_streaming_state_equals_one_call(chunk: int, rng) -> None:
    audio, _ = speech_with_pauses(16000, rng)
    whole = SpeechSegmenter(emit_audio=True).process((audio, 16000))
    state = SpeechSegmenterState(16000, keep_audio=True)
    scores, segments, pieces = [], [], []
    for i in range(0, len(audio), chunk):
        _, chunk_scores, first, closed = state.push(audio[i:i + chunk])
        assert first == sum(len(s) for s in scores)
        scores.append(chunk_scores)
        segments += closed
        pieces += state.closed_audio
    segments += state.finish()
    pieces += state.closed_audio
    np.testing.assert_array_equal(np.concatenate(scores), whole["scores"])
    assert [(s.start_s, s.end_s) for s in segments] == whole["segments"]
    for piece, (expected, _) in zip(pieces, whole["audio"]):
        np.testing.assert_array_equal(piece, expected)


def test_pipeline_output_has_the_native_shape(run, rng) -> None:
    audio, truth = speech_with_pauses(16000, rng)
    chunks = [(audio[i:i + 8000], 16000) for i in range(0, len(audio), 8000)]
    outputs = run(Pipeline([SpeechSegmenter()]).run(chunks))
    assert len(outputs) == len(chunks) + 1  # one per chunk, plus the final one
    for index, output in enumerate(outputs[:-1]):
        assert set(output) == {"segments", "frames", "scores", "first_frame", "frame_s"}
        assert output["first_frame"] == sum(len(o["frames"]) for o in outputs[:index])
    final = outputs[-1]
    assert set(final) == {"segments", "final", "total_frames"} and final["final"] is True
    assert final["segments"] == [s for o in outputs[:-1] for s in o["segments"]]
    assert _close(final["segments"], truth)
    assert final["total_frames"] == len(audio) // 480


def test_int16_input_and_bad_parameters(run, rng) -> None:
    audio, truth = speech_with_pauses(16000, rng)
    ints = np.clip(np.rint(audio * 32768), -32768, 32767).astype(np.int16)
    assert _close(SpeechSegmenter().process((ints, 16000))["segments"], truth)
    with pytest.raises(ConfigurationError, match="threshold"):
        SpeechSegmenter(threshold=1.5)
    with pytest.raises(ConfigurationError, match="frame_ms must be 10, 20 or 30"):
        SpeechSegmenter(frame_ms=25)
    with pytest.raises(ValueError, match="outside 1000..768000"):
        SpeechSegmenter().process((audio[:100], 800))
    with pytest.raises(NodeError, match="changed"):
        run(Pipeline([SpeechSegmenter()]).run([(audio[:1000], 16000), (audio[:1000], 8000)]))


def test_fft_length_and_config() -> None:
    assert [nice_fft_length(n) for n in (480, 160, 441, 1323)] == [480, 160, 450, 1350]
    assert SpeechSegmenter().config == {"frame_ms": 30, "threshold": 0.5, "min_speech_ms": 100,
                                        "min_silence_ms": 300, "padding_ms": 30, "emit_audio": False,
                                        "max_segment_ms": 30000}


@pytest.mark.parametrize("rate", [16000, 48000])
@pytest.mark.parametrize("frame_ms", [10, 30])
def test_tones_beeps_dtmf_and_noise_bursts_are_not_speech(rate: int, frame_ms: int, rng) -> None:
    """After 1 s of near-silence: a steady tone, beeps, DTMF or a noise burst
    gives no segment (the detector before the tone veto called them all
    speech)."""
    t = np.arange(2 * rate) / rate
    sounds = {
        "440 Hz": 0.3 * np.sin(2 * np.pi * 440 * t),
        "3 kHz": 0.3 * np.sin(2 * np.pi * 3000 * t),
        "beeps": 0.3 * np.sin(2 * np.pi * 1000 * t) * ((t // 0.15) % 2 == 0),
        "DTMF": 0.15 * (np.sin(2 * np.pi * 852 * t) + np.sin(2 * np.pi * 1477 * t)) * ((t % 0.2) < 0.1),
        "white burst": rng.normal(0, 0.2, len(t)) * (t < 0.5),
    }
    for name, sound in sounds.items():
        x = np.concatenate([np.zeros(rate), sound, np.zeros(rate)]) + rng.normal(0, 1e-4, 4 * rate)
        segments = SpeechSegmenter(frame_ms=frame_ms, runtime_hint="python").process((x.astype(np.float32), rate))
        assert segments["segments"] == [], name
