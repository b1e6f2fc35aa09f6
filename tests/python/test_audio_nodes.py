"""FormatConverterNode, VADNode, VoiceActivityDetector, AudioTransform, AudioBuffer."""

from __future__ import annotations

from typing import List

import numpy as np
import pytest
from scipy import signal

from remotemedia import ConfigurationError, Pipeline
from remotemedia.nodes.audio import (AudioBuffer, AudioTransform, FormatConverterNode, VADNode,
                                     VoiceActivityDetector)
from remotemedia.nodes.audio.vad import adaptive_threshold

# -- FormatConverterNode -----------------------------------------------------


def test_int_to_float_scaling() -> None:
    i16 = np.array([[-32768, -16384, 0, 16384, 32767]], dtype=np.int16)
    out, rate = FormatConverterNode("f32").process((i16, 8000))
    assert rate == 8000 and out.dtype == np.float32
    np.testing.assert_array_equal(out, i16.astype(np.float32) / 32768)
    i32 = np.array([[-2 ** 31, 2 ** 30, 2 ** 31 - 1]], dtype=np.int32)
    out, _ = FormatConverterNode("f32").process((i32, 8000))
    np.testing.assert_allclose(out, i32.astype(np.float64) / 2 ** 31, rtol=1e-7)
    out, _ = FormatConverterNode("f64").process((i32, 8000))
    assert out.dtype == np.float64
    np.testing.assert_array_equal(out, i32.astype(np.float64) / 2 ** 31)


def test_float_to_int_rounds_and_clamps() -> None:
    x = np.array([[-2.0, -1.0, -0.5, 0.0, 0.3, 0.999999, 1.0, 1.5, 3.0]], dtype=np.float32)
    out, _ = FormatConverterNode("i16").process((x, 16000))
    expected = np.clip(np.rint(x.astype(np.float64) * 32768), -32768, 32767).astype(np.int16)
    np.testing.assert_array_equal(out, expected)
    assert out[0, -1] == 32767 and out[0, 0] == -32768  # clamped, no wrap-around
    out32, _ = FormatConverterNode("i32").process((x, 16000))
    assert out32.dtype == np.int32
    assert out32[0, -1] == 2 ** 31 - 1 and out32[0, 0] == -2 ** 31 and out32[0, 6] == 2 ** 31 - 1
    assert out32[0, 2] == -2 ** 30


def test_int_to_int() -> None:
    i16 = np.array([[-32768, 1, 32767]], dtype=np.int16)
    out, _ = FormatConverterNode("i32").process((i16, 8000))
    np.testing.assert_array_equal(out, i16.astype(np.int32) * 65536)
    back, _ = FormatConverterNode("i16").process((out, 8000))
    np.testing.assert_array_equal(back, i16)


def test_same_format_is_returned_as_is_and_1d_becomes_2d() -> None:
    x = np.zeros((2, 5), dtype=np.float32)
    out, _ = FormatConverterNode("f32").process((x, 8000))
    assert out is x
    mono = np.zeros(5, dtype=np.int16)
    out, _ = FormatConverterNode("i16").process((mono, 8000))
    assert out.shape == (1, 5) and np.shares_memory(out, mono)
    out, _ = FormatConverterNode("f32").process((mono, 8000))
    assert out.shape == (1, 5)


def test_round_trip_i16_f32_i16_is_exact(rng) -> None:
    ints = rng.integers(-32768, 32768, size=(2, 1000)).astype(np.int16)
    f, _ = FormatConverterNode("f32").process((ints, 8000))
    back, _ = FormatConverterNode("i16").process((f, 8000))
    np.testing.assert_array_equal(back, ints)


# -- VADNode -------------------------------------------------------------------

def _reference_vad(samples_2d: np.ndarray, rate: int, ms: float, threshold: float):
    mono = samples_2d.astype(np.float64).mean(axis=0)
    frame = int(rate * ms / 1000)
    energies = [np.sqrt(np.mean(mono[i * frame:(i + 1) * frame] ** 2)) for i in range(len(mono) // frame)]
    return energies, sum(e > threshold for e in energies)


def test_vadnode_matches_the_formula(rng) -> None:
    rate = 16000
    audio = np.concatenate([rng.normal(0, 0.005, 4000), rng.normal(0, 0.2, 4000), rng.normal(0, 0.005, 1234)])
    stereo = np.stack([audio, audio * 0.5]).astype(np.float32)
    samples, out_rate, info = VADNode(frame_duration_ms=30, energy_threshold=0.02).process((stereo, rate))
    energies, speech = _reference_vad(stereo, rate, 30, 0.02)
    assert samples is stereo and out_rate == rate
    assert info["total_frames"] == len(energies) == len(audio) // 480  # tail dropped
    assert info["speech_frames"] == speech and 7 <= speech <= 9
    assert info["is_speech"] is True
    _, _, quiet = VADNode().process((np.zeros(16000, dtype=np.float32), rate))
    assert quiet["is_speech"] is False and quiet["speech_frames"] == 0 and quiet["total_frames"] == 33


def test_vadnode_1d_and_int_input() -> None:
    ints = (np.ones(480) * 0.5 * 32768).astype(np.int16)
    samples, _, info = VADNode().process((ints, 16000))
    assert samples.shape == (1, 480) and info["speech_frames"] == 1
    assert info["avg_energy"] == pytest.approx(0.5)


# -- VoiceActivityDetector ---------------------------------------------------

def _reference_detector(chunks, ms=30, base=0.02, speech_threshold=0.3):
    history: List[float] = []
    results = []
    for samples, rate in chunks:
        mono = np.atleast_2d(samples).astype(np.float64).mean(axis=0)
        if history:
            e = sorted(history)
            threshold = 0.7 * 2.5 * e[int(0.3 * len(e))] + 0.3 * base
        else:
            threshold = base
        frame = int(rate * ms / 1000)
        n = len(mono) // frame
        energies = [float(np.sqrt(np.mean(mono[i * frame:(i + 1) * frame] ** 2))) for i in range(n)]
        for energy in energies:
            history.append(energy)
            history[:] = history[-100:]
        speech = sum(e > threshold for e in energies)
        ratio = speech / max(n, 1)
        results.append((ratio >= speech_threshold, ratio, sum(energies) / max(n, 1)))
    return results


def _chunks(rng, levels, size=1600, rate=16000):
    return [(rng.normal(0, level, size).astype(np.float32), rate) for level in levels]


def test_detector_matches_the_adaptive_formula(run, rng) -> None:
    levels = [0.001] * 30 + [0.1, 0.1, 0.002, 0.3] + [0.001] * 5 + [0.05]
    chunks = _chunks(rng, levels)
    outputs = run(Pipeline([VoiceActivityDetector()]).run(chunks))
    expected = _reference_detector(chunks)
    assert len(outputs) == len(chunks)
    for (audio, info), (chunk, rate), (is_speech, ratio, avg) in zip(outputs, chunks, expected):
        assert audio[0].shape == (1, 1600) and audio[1] == rate
        assert info["is_speech"] == is_speech
        assert info["speech_ratio"] == pytest.approx(ratio)
        assert info["avg_energy"] == pytest.approx(avg)
        assert info["frame_duration_ms"] == 30
    assert [o[1]["is_speech"] for o in outputs][30:34] == [True, True, False, True]


def test_adaptive_threshold_function() -> None:
    assert adaptive_threshold([], 0.02) == 0.02
    energies = [float(i) for i in range(10)]
    assert adaptive_threshold(energies, 0.02) == pytest.approx(0.7 * 2.5 * 3.0 + 0.3 * 0.02)


def test_detector_filter_mode_and_no_metadata(run, rng) -> None:
    chunks = _chunks(rng, [0.3, 0.0001, 0.0001, 0.0001, 0.5])
    filtered = run(Pipeline([VoiceActivityDetector(filter_mode=True)]).run(chunks))
    assert isinstance(filtered, list) and len(filtered) == 2
    assert all(isinstance(item, tuple) and item[0].shape == (1, 1600) for item in filtered)
    plain = run(Pipeline([VoiceActivityDetector(include_metadata=False)]).run(chunks))
    assert len(plain) == 5 and all(len(item) == 2 and item[1] == 16000 for item in plain)


def test_detector_direct_call_keeps_history(rng) -> None:
    node = VoiceActivityDetector()
    chunks = _chunks(rng, [0.001] * 10 + [0.2])
    results = [node.process(chunk) for chunk in chunks]
    expected = _reference_detector(chunks)
    assert [r[1]["is_speech"] for r in results] == [e[0] for e in expected]


def test_detector_short_chunk() -> None:
    (_, info) = VoiceActivityDetector().process((np.ones(100, dtype=np.float32), 16000))
    assert info["speech_ratio"] == 0.0 and info["is_speech"] is False and info["avg_energy"] == 0.0


# -- AudioTransform ----------------------------------------------------------

def test_transform_to_mono_is_the_channel_mean_1d() -> None:
    stereo = np.array([[0.2, 0.4], [0.0, -0.4]], dtype=np.float32)
    out, rate = AudioTransform(output_sample_rate=16000, output_channels=1).process((stereo, 16000))
    assert rate == 16000 and out.ndim == 1
    np.testing.assert_allclose(out, [0.1, 0.0])


def test_transform_upmix_and_first_channels() -> None:
    mono = np.arange(4, dtype=np.float32)
    out, _ = AudioTransform(output_sample_rate=8000, output_channels=3).process((mono, 8000))
    assert out.shape == (3, 4) and all((row == mono).all() for row in out)
    six = np.arange(24, dtype=np.float32).reshape(6, 4)
    out, _ = AudioTransform(output_sample_rate=8000, output_channels=2).process((six, 8000))
    np.testing.assert_array_equal(out, six[:2])


def test_transform_resamples(sine) -> None:
    out, rate = AudioTransform(output_sample_rate=44100, output_channels=2).process((sine(1000, 16000, 0.5), 16000))
    assert rate == 44100 and out.shape == (2, 22050)
    reference = signal.resample_poly(sine(1000, 16000, 0.5).astype(np.float64), 441, 160)
    np.testing.assert_allclose(out[0, 2000:-2000], reference[2000:-2000], atol=2e-3)


# -- AudioBuffer ---------------------------------------------------------------

def test_buffer_emits_exact_chunks_and_the_remainder(run) -> None:
    chunks = [(np.full((2, n), i, dtype=np.float32), 16000) for i, n in enumerate([300, 500, 250, 100])]
    outputs = run(Pipeline([AudioBuffer(buffer_size_samples=400)]).run(chunks))
    assert [o[0].shape for o in outputs] == [(2, 400), (2, 400), (2, 350)]
    joined = np.concatenate([o[0] for o in outputs], axis=1)
    np.testing.assert_array_equal(joined, np.concatenate([c[0] for c in chunks], axis=1))


def test_buffer_flushes_on_format_change(run) -> None:
    chunks = [(np.zeros(300, np.float32), 16000), (np.zeros(300, np.float32), 8000),
              (np.zeros((2, 500), np.float32), 8000)]
    outputs = run(Pipeline([AudioBuffer(buffer_size_samples=400)]).run(chunks))
    assert [(o[0].shape, o[1]) for o in outputs] == [((1, 300), 16000), ((1, 300), 8000), ((2, 400), 8000),
                                                     ((2, 100), 8000)]


def test_buffer_direct_calls() -> None:
    node = AudioBuffer(buffer_size_samples=4)
    assert node.process((np.arange(3, dtype=np.float32), 8000)) == []
    pieces = node.process((np.arange(6, dtype=np.float32), 8000))
    assert [p[0].tolist() for p in pieces] == [[[0, 1, 2, 0]], [[1, 2, 3, 4]]]
    tail = node.flush()
    assert tail[0].tolist() == [[5]] and node.flush() is None


def test_format_converter_channels_like_the_native_plugin() -> None:
    stereo = np.array([[0.5, -0.5], [0.25, 0.5]], dtype=np.float32)
    mono, _ = FormatConverterNode("f32", channels=1).process((stereo, 8000))
    np.testing.assert_allclose(mono, [[0.375, 0.0]])
    four, _ = FormatConverterNode("i16", channels=4).process((stereo, 8000))
    assert four.shape == (4, 2) and (four[2] == four[0]).all() and (four[3] == four[1]).all()
    first, _ = FormatConverterNode("f32", channels=1).process((np.ones((1, 3), np.float32), 8000))
    assert first.shape == (1, 3)
    assert FormatConverterNode("f32", channels=2).config == {"target_format": "f32", "channels": 2}
    with pytest.raises(ConfigurationError, match=r"channels must be in \[0, 64\], got -1"):
        FormatConverterNode("f32", channels=-1)
