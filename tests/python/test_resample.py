"""AudioResampleNode and the numpy resampler: length, quality per level, references."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import signal

from remotemedia import ConfigurationError, Pipeline
from remotemedia.dsp.resample import (FILTER_SPECS, QUALITIES, _kernel, normalize_quality, output_frames,
                                      resample_numpy)
from remotemedia.nodes.audio import AudioResampleNode

EDGE = 2000  # output samples excluded at each end (zero-padding transients)

# Minimum rejection of a 10 kHz tone at 48 -> 16 kHz and minimum SNR of a
# 1 kHz tone, per quality level (numpy backend).
ALIAS_DB = {"low": 60, "medium": 90, "high": 120, "very_high": 150}
SNR_DB = {"low": 70, "medium": 100, "high": 120, "very_high": 150}
STOPBAND_DB = {"low": 60, "medium": 90, "high": 125, "very_high": 160}


def _tone(freq: float, rate: int, seconds: float = 1.0) -> np.ndarray:
    return np.sin(2 * np.pi * freq * np.arange(int(rate * seconds)) / rate)[None, :]


def _rms_db(x: np.ndarray) -> float:
    return 20 * math.log10(math.sqrt(float(np.mean(x * x))) + 1e-300)


@pytest.mark.parametrize("frames, src, dst", [
    (48000, 48000, 16000), (1001, 48000, 16000), (44100, 44100, 16000), (12345, 44100, 48000),
    (7, 8000, 44100), (1, 16000, 48000), (16000, 16000, 22050), (999, 22050, 16001), (0, 48000, 16000),
])
def test_output_length_is_exact(frames: int, src: int, dst: int) -> None:
    node = AudioResampleNode(target_sample_rate=dst, quality="low")
    audio = np.zeros((2, frames), dtype=np.float32)
    if frames == 0:  # no frames, no output: as the native plugin
        assert node.process((audio, src)) is None
        return
    out, rate = node.process((audio, src))
    assert rate == dst
    assert out.shape == (2, math.ceil(frames * dst / src)) == (2, output_frames(frames, src, dst))
    assert out.dtype == np.float32


def test_same_rate_is_returned_unchanged() -> None:
    audio = np.ones((1, 100), dtype=np.float32)
    out, rate = AudioResampleNode(target_sample_rate=16000).process((audio, 16000))
    assert out is audio and rate == 16000
    mono = np.ones(100, dtype=np.float32)  # 1-D: the same samples, shaped (1, N)
    out, rate = AudioResampleNode(target_sample_rate=16000).process((mono, 16000))
    assert out.shape == (1, 100) and np.shares_memory(out, mono) and rate == 16000


def test_mono_1d_comes_back_2d_and_output_is_float_like_native(sine) -> None:
    """The original SDK returned ``(audio_2d, rate)``: a 1-D input comes
    back shaped (1, N), on both paths."""
    out, _ = AudioResampleNode(target_sample_rate=8000).process((sine(440, 16000, 0.1), 16000))
    assert out.shape == (1, 800) and out.dtype == np.float32
    out, _ = AudioResampleNode(target_sample_rate=8000).process((sine(440, 16000, 0.1, dtype=np.float64), 16000))
    assert out.dtype == np.float64
    ints = (sine(440, 16000, 0.1) * 32768).astype(np.int16)  # amplitude 0.5 full scale
    out, _ = AudioResampleNode(target_sample_rate=32000).process((ints, 16000))
    assert out.dtype == np.float32 and out.shape == (1, 3200)
    assert abs(float(out.max()) - 0.5) < 0.01  # scaled to [-1, 1], amplitude kept


@pytest.mark.parametrize("quality", QUALITIES)
def test_aliasing_rejection_per_quality(quality: str) -> None:
    out = resample_numpy(_tone(10000, 48000, 2.0), 48000, 16000, quality)[0, EDGE:-EDGE]
    rejection = -(_rms_db(out) - _rms_db(_tone(10000, 48000)))
    assert rejection >= ALIAS_DB[quality], f"{quality}: {rejection:.1f} dB"


@pytest.mark.parametrize("quality", QUALITIES)
def test_passband_snr_per_quality(quality: str) -> None:
    out = resample_numpy(_tone(1000, 48000, 2.0), 48000, 16000, quality)[0]
    ideal = _tone(1000, 16000, 2.0)[0]
    error = (out - ideal)[EDGE:-EDGE]
    snr = _rms_db(ideal[EDGE:-EDGE]) - _rms_db(error)
    assert snr >= SNR_DB[quality], f"{quality}: {snr:.1f} dB"


@pytest.mark.parametrize("quality", QUALITIES)
def test_worst_case_stopband_per_quality(quality: str) -> None:
    spec = FILTER_SPECS[quality]
    scale = 1 / 3  # 48 kHz -> 16 kHz
    reach = math.ceil(spec.half_width / scale)
    taps = _kernel(np.arange(-reach, reach + 1, dtype=float), spec, scale)
    response = np.abs(np.fft.rfft(taps, 1 << 18))
    freqs = np.fft.rfftfreq(1 << 18, 1 / 48000)
    stopband = -20 * np.log10(response[freqs >= 8000].max() / response[0])
    assert stopband >= STOPBAND_DB[quality]
    assert abs(taps.sum() - 1.0) < 0.025  # unity gain at DC (within the passband ripple)


def test_quality_really_changes_the_filter() -> None:
    tone = _tone(7600, 48000, 1.0)  # between the passband edges of the levels
    levels = [_rms_db(resample_numpy(tone, 48000, 16000, q)[0, EDGE:-EDGE]) for q in QUALITIES]
    assert len(set(round(v, 3) for v in levels)) == len(QUALITIES)
    rejection_10k = [-_rms_db(resample_numpy(_tone(10000, 48000), 48000, 16000, q)[0, EDGE:-EDGE])
                     for q in QUALITIES]
    assert rejection_10k == sorted(rejection_10k)


def test_upsampling_image_rejection_and_snr() -> None:
    out = resample_numpy(_tone(7000, 16000), 16000, 48000, "high")[0]
    spectrum = np.abs(np.fft.rfft(out[3 * EDGE:-3 * EDGE] * np.hanning(len(out) - 6 * EDGE)))
    freqs = np.fft.rfftfreq(len(out) - 6 * EDGE, 1 / 48000)
    images = spectrum[freqs > 8500].max() / spectrum.max()
    assert 20 * np.log10(images) < -110
    ideal = _tone(1000, 48000)[0]
    out1 = resample_numpy(_tone(1000, 16000), 16000, 48000, "high")[0]
    assert _rms_db(ideal[3 * EDGE:-3 * EDGE]) - _rms_db((out1 - ideal)[3 * EDGE:-3 * EDGE]) > 110


def test_matches_scipy_resample_poly_on_band_limited_noise(rng) -> None:
    noise = rng.standard_normal(48000 * 2)
    sos = signal.butter(10, 5000, fs=48000, output="sos")
    band_limited = signal.sosfiltfilt(sos, noise)[None, :]
    ours = resample_numpy(band_limited, 48000, 16000, "very_high")[0]
    # scipy's polyphase resampler with an independently designed long FIR.
    fir = signal.firwin(2001, 7700, window=("kaiser", 16.0), fs=48000)
    reference = signal.resample_poly(band_limited[0], 1, 3, window=fir)
    core = slice(EDGE, -EDGE)
    error_db = _rms_db((ours - reference)[core]) - _rms_db(reference[core])
    assert error_db < -95, f"{error_db:.1f} dB"


def test_rational_ratio_44100_to_48000() -> None:
    out = resample_numpy(_tone(1000, 44100), 44100, 48000, "high")[0]
    ideal = _tone(1000, 48000)[0][: len(out)]
    assert _rms_db(ideal[EDGE:-EDGE]) - _rms_db((out - ideal)[EDGE:-EDGE]) > 110


def test_quality_names_and_errors() -> None:
    assert normalize_quality("HQ") == "high" and normalize_quality("vhq") == "very_high"
    assert AudioResampleNode(quality="LQ").config["quality"] == "low"  # the native plugin's name
    with pytest.raises(ConfigurationError, match="quality must be one of low, medium, high, very_high"):
        AudioResampleNode(quality="ultra")
    with pytest.raises(ConfigurationError, match=r"target_sample_rate must be in \[1, 768000\], got 0"):
        AudioResampleNode(target_sample_rate=0)


def test_in_a_pipeline(run, sine) -> None:
    chunks = [(sine(440, 48000, 0.1), 48000) for _ in range(3)]
    outputs = run(Pipeline([AudioResampleNode(target_sample_rate=16000)]).run(chunks))
    assert len(outputs) == 3 and all(o[1] == 16000 and o[0].shape[0] == 1 for o in outputs)
    assert sum(o[0].shape[1] for o in outputs) == 4800  # per item sizes reflect the filter's delay


def test_backend_choice() -> None:
    """``auto`` uses libsoxr when the optional ``soxr`` package is installed;
    asking for it explicitly without the package is an ImportError."""
    from remotemedia.dsp.resample import resample, soxr_available

    tone = _tone(1000, 48000, 1.0)
    numpy_out = resample(tone, 48000, 16000, "high", backend="numpy")
    np.testing.assert_array_equal(numpy_out, resample_numpy(tone, 48000, 16000, "high"))
    if soxr_available():
        soxr_out = resample(tone, 48000, 16000, "high", backend="soxr")
        assert soxr_out.shape == numpy_out.shape
        ideal = _tone(1000, 16000, 1.0)[0]
        assert _rms_db(ideal[EDGE:-EDGE]) - _rms_db((soxr_out[0] - ideal)[EDGE:-EDGE]) > 110
        np.testing.assert_array_equal(resample(tone, 48000, 16000, "high"), soxr_out)
    else:
        with pytest.raises(ImportError):
            resample(tone, 48000, 16000, "high", backend="soxr")
        np.testing.assert_array_equal(resample(tone, 48000, 16000, "high"), numpy_out)
    with pytest.raises(ValueError, match="backend"):
        resample(tone, 48000, 16000, "high", backend="fast")


def test_streaming_resampler_equals_one_call(rng) -> None:
    from remotemedia.dsp.resample import StreamingResampler

    audio = rng.standard_normal((2, 12345))
    for src, dst in [(48000, 16000), (44100, 48000), (16000, 44100), (22050, 16001)]:
        whole = resample_numpy(audio, src, dst, "medium")
        stream = StreamingResampler(src, dst, 2, "medium", backend="numpy")
        pieces, pushed = [], 0
        for size in (1, 100, 3000, 0, 5000, 4244):
            pieces.append(stream.push(audio[:, pushed:pushed + size]))
            pushed += size
            assert stream.emitted <= output_frames(pushed, src, dst)
        pieces.append(stream.finish())
        np.testing.assert_array_equal(np.concatenate(pieces, axis=1), whole)


def test_pipeline_streams_with_state_one_item_late(run, rng) -> None:
    audio = rng.standard_normal(48000).astype(np.float32) * 0.1
    chunks = [(audio[i:i + 4800], 48000) for i in range(0, 48000, 4800)]
    outputs = run(Pipeline([AudioResampleNode(target_sample_rate=16000)]).run(chunks))
    assert len(outputs) == len(chunks)  # one output per input
    assert all(rate == 16000 and samples.shape[0] == 1 and samples.dtype == np.float32 for samples, rate in outputs)
    joined = np.concatenate([samples for samples, _ in outputs], axis=1)
    whole, _ = AudioResampleNode(target_sample_rate=16000).process((audio, 48000))
    assert joined.shape == (1, 16000)
    np.testing.assert_allclose(joined, whole, atol=1e-6)  # no seams at chunk boundaries
    one = run(Pipeline([AudioResampleNode(target_sample_rate=16000)]).run((audio, 48000)))
    assert one[0].shape == (1, 16000)


def test_pipeline_stream_format_change_and_passthrough(run) -> None:
    chunks = [(np.zeros((2, 4800), np.float32), 48000), (np.zeros((2, 4800), np.float32), 48000),
              (np.ones((2, 100), np.float32), 16000), (np.zeros((1, 441), np.float64), 44100)]
    outputs = run(Pipeline([AudioResampleNode(target_sample_rate=16000)]).run(chunks))
    assert len(outputs) == 4
    first, second, passthrough, last = outputs
    assert first[0].shape[0] == second[0].shape[0] == 2 and first[0].shape[1] + second[0].shape[1] == 3200
    assert first[0].dtype == second[0].dtype == np.float32
    # Already at the target rate: unchanged (the same buffer, not a copy).
    assert np.shares_memory(passthrough[0], chunks[2][0])
    assert last[0].shape == (1, 160) and last[0].dtype == np.float64
