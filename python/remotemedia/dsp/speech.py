"""Spectral speech detection and segmentation — the numpy twin of the
native SpeechSegmenter (plugins/vad/segmenter.c), same model and constants.

Per frame (``frame_ms`` of mono audio, no overlap): at rates of 32 kHz and
up the frame is first decimated by ``d = rate // 16000`` (means of ``d``
consecutive samples, summed in float32 in order), so the analysis runs at
16–32 kHz whatever the input rate; then a periodic Hann window and an FFT
of the smallest even 2·3·5-smooth length >= the analysed frame.

* ``band`` — power in 300–3400 Hz (bins rounded, limited to Nyquist);
  ``band_db`` its level in dB re full scale (mean square, Parseval-scaled);
* ``floor_db`` — the noise floor: the minimum, over the last ~3 s (12 blocks
  of 0.25 s, minimum statistics), of the band power smoothed over ~80 ms;
  the minimum of the smoother's first ~80 ms (its warm-up) is forgotten at
  the first settled frame unless it lies more than 6 dB below it (a quiet
  start, a speech onset): a single low frame of steady noise must not hold
  the floor down for 3 s;
* ``flatness`` — spectral flatness (geometric / arithmetic mean) in the band,
  at most 1: ~0.56 for white noise, ~0.1 for voiced speech;
* ``ratio`` — band power / power in 80 Hz..min(8 kHz, Nyquist);
* ``tonal`` — at most 2 spectral peaks (local maxima within 30 dB of the
  band's largest bin) holding >= 60 % of the band power within ±2 bins:
  a tone, a chord, DTMF;
* the background — ``noise_db``, ``background_flatness`` and
  ``background_ratio``: averages (time constant 0.5 s) of ``band_db``,
  ``flatness`` and ``ratio`` over the frames less than 6 dB above the floor
  (stationary noise, and babble, which never leaves the floor for long);
  started from the first frame; ``noise_db >= floor_db``;
* ``floor_snr = clip(band_db - floor_db, -5, 30)``; ``snr =
  clip(band_db - noise_db, -5, 30)`` and its averages over ~50 ms
  (``snr_average``) and ~300 ms (``snr_long``); ``ratio_excess`` — the
  average over ~50 ms of ``ratio - background_ratio``; the flatness averaged
  over ~100 ms; ``delta = clip(band_db - previous band_db, -20, 20)`` and
  ``flux``, the ~200 ms average of ``|delta|`` (syllabic modulation);
  ``clip(noise_db - floor_db, 0, 20)`` (babble sits above the minimum);
* ``z`` — a small MLP (16 inputs, 32 tanh units, weights in
  :mod:`remotemedia.dsp.speech_model`, fitted on generated speech by
  ``bench/vad/train_vad.py``, numpy only) of those, in the order of
  :meth:`SpeechSegmenterState._score`'s ``inputs``; then hand rules:
  minus ``3 (flatness - 0.25) · 100 · (floor_snr - 10) / 20`` for a flat,
  low-``ratio`` frame (``flatness > 0.25``, ``ratio < 0.7``) more than 10 dB
  over the floor (a noise burst); minus ``3 (2 - floor_snr)`` below 2 dB
  over the floor (nothing in the foreground, whatever the averages say);
  minus 40 for a tonal frame; minus ``0.5 (-65 - band_db)`` below -65 dB
  (quiet-signal gate); ``score = 1 / (1 + exp(-z))``.

A frame turns speech at ``score >= threshold`` (default 0.5) and stays
speech until ``score < threshold - 0.1`` (hysteresis). Segments: runs of
speech frames, bridging silences shorter than ``min_silence_ms``; closed
after ``min_silence_ms`` of silence (or at finish, or when the segment
reaches ``max_segment_ms``); dropped when they hold fewer than
``min_speech_ms`` of speech *frames* (not the span: two isolated false
frames a few frames apart do not make a segment); widened by
``padding_ms`` on each side, clamped to [end of the previous segment, audio
processed so far]. The last partial frame is not analysed. NaN/Inf samples
count as 0 in the analysis (the kept audio keeps them, as the plugin does).
State carries across :meth:`SpeechSegmenterState.push` calls, so chunked
input gives the same result as one call.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import List, Tuple

import numpy as np

from remotemedia.dsp import speech_model as _model

__all__ = ["FRAME_MS_CHOICES", "Segment", "SpeechSegmenterState", "nice_fft_length"]

#: Frame lengths the detector supports (those of the native plugin).
FRAME_MS_CHOICES = (10, 20, 30)

_FLOOR_BLOCKS = 12
_FLOOR_BLOCK_SECONDS = 0.25
_HYSTERESIS = 0.1
_SPEECH_LOW_HZ, _SPEECH_HIGH_HZ = 300.0, 3400.0
_TOTAL_LOW_HZ, _TOTAL_HIGH_HZ = 80.0, 8000.0
_QUIET_GATE_DB = -65.0
_FLOOR_SMOOTHING_SECONDS = 0.08
_ANALYSIS_RATE = 16000
_NEAR_FLOOR_DB = 6.0
_BACKGROUND_SECONDS = 0.5
_SNR_AVERAGE_SECONDS = 0.05
_SNR_MIN_DB, _SNR_MAX_DB = -5.0, 30.0
_PEAK_RANGE_DB = 30.0
_TONAL_PEAKS = 2
_TONAL_PENALTY = 40.0
_TONAL_CONCENTRATION = 0.6
_AT_FLOOR_DB, _AT_FLOOR_WEIGHT = 2.0, 3.0
_NOISY_FLATNESS, _NOISY_RATIO, _NOISY_SNR_DB, _NOISY_WEIGHT = 0.25, 0.7, 10.0, 3.0
# Context averages of the model's inputs (time constants in seconds) and the
# clip of the frame-to-frame level change (the plugin's *_SECONDS, DELTA_MAX_DB).
_SNR_LONG_SECONDS = 0.3
_FLATNESS_AVERAGE_SECONDS = 0.1
_FLUX_SECONDS = 0.2
_DELTA_MAX_DB = 20.0
_BACKGROUND_EXCESS_MAX_DB = 20.0
_MODEL_FRAME_SECONDS = 0.03  # the frame-length input: 1 at 30 ms


def nice_fft_length(want: int) -> int:
    """Smallest even ``n >= want`` whose only prime factors are 2, 3 and 5."""
    n = want + (want & 1)
    while True:
        m = n
        for p in (2, 3, 5):
            while m % p == 0:
                m //= p
        if m == 1:
            return n
        n += 2


def _hz_to_bin(hz: float, bin_hz: float, max_bin: int) -> int:
    return int(min(max(math.floor(hz / bin_hz + 0.5), 1), max_bin))


def _logistic(z: float) -> float:
    """``1 / (1 + e^-z)`` as the plugin's C computes it: where ``e^-z``
    exceeds the double range (e.g. near-silent frames, whose flatness is
    huge) C's ``exp`` gives infinity and the score 0; ``math.exp`` raises."""
    try:
        return 1.0 / (1.0 + math.exp(-z))
    except OverflowError:
        return 0.0


@dataclass(frozen=True)
class Segment:
    """A speech segment: seconds and ``[start, end)`` samples at the input rate."""

    start_s: float
    end_s: float
    start_sample: int
    end_sample: int


class SpeechSegmenterState:
    """The streaming detector for one mono stream at one sample rate.

    Args:
        sample_rate: Hz, 1000..768000.
        frame_ms: 10, 20 or 30.
        threshold: score threshold in [0, 1].
        min_speech_ms: segments with fewer speech frames than this are dropped.
        min_silence_ms, padding_ms: segment rules (>= 0).
        keep_audio: keep the samples needed to return each segment's audio.
        max_segment_ms: a segment this long is closed even in speech (the
            next starts where it ends, contiguous); 0 = no limit. Bounds
            the audio kept with ``keep_audio``.
    """

    def __init__(self, sample_rate: int, frame_ms: int = 30, threshold: float = 0.5, min_speech_ms: int = 100,
                 min_silence_ms: int = 300, padding_ms: int = 30, keep_audio: bool = False,
                 max_segment_ms: int = 30000) -> None:
        if frame_ms not in FRAME_MS_CHOICES:
            raise ValueError(f"frame_ms {frame_ms} is not 10, 20 or 30")
        if not 1000 <= sample_rate <= 768000:
            raise ValueError(f"sample_rate {sample_rate} Hz is outside 1000..768000")
        if not 0.0 <= threshold <= 1.0:
            raise ValueError(f"threshold {threshold} is outside 0..1")
        for name, value in (("min_speech_ms", min_speech_ms), ("min_silence_ms", min_silence_ms),
                            ("padding_ms", padding_ms), ("max_segment_ms", max_segment_ms)):
            if value < 0:
                raise ValueError(f"{name} must be >= 0, got {value}")
        self.sample_rate = int(sample_rate)
        self.threshold = float(threshold)
        self.padding_ms = int(padding_ms)
        self.keep_audio = keep_audio
        self.frame_length = self.sample_rate * int(frame_ms) // 1000
        self.frame_seconds = self.frame_length / self.sample_rate
        self.decimation = max(1, self.sample_rate // _ANALYSIS_RATE)
        self.analysis_length = self.frame_length // self.decimation
        self.fft_length = nice_fft_length(self.analysis_length)
        bin_hz = self.sample_rate / self.decimation / self.fft_length
        nyquist_bin = self.fft_length // 2
        self._speech = (_hz_to_bin(_SPEECH_LOW_HZ, bin_hz, nyquist_bin), _hz_to_bin(_SPEECH_HIGH_HZ, bin_hz, nyquist_bin))
        self._total = (_hz_to_bin(_TOTAL_LOW_HZ, bin_hz, nyquist_bin), _hz_to_bin(_TOTAL_HIGH_HZ, bin_hz, nyquist_bin))
        i = np.arange(self.analysis_length, dtype=np.float64)
        window = 0.5 - 0.5 * np.cos(2.0 * np.pi * i / self.analysis_length)
        self._window = window.astype(np.float32)
        self._power_to_ms = 2.0 / (self.fft_length * float(np.sum(window * window)))
        self._frames_per_block = int(math.ceil(_FLOOR_BLOCK_SECONDS / self.frame_seconds))
        self._smoothing = math.exp(-self.frame_seconds / _FLOOR_SMOOTHING_SECONDS)
        self.min_speech_frames = int(math.ceil(min_speech_ms / 1000.0 / self.frame_seconds))
        self.min_silence_frames = max(1, int(math.ceil(min_silence_ms / 1000.0 / self.frame_seconds)))
        self.max_segment_frames = int(math.ceil(max_segment_ms / 1000.0 / self.frame_seconds)) if max_segment_ms else 0
        # noise floor
        self._block_min: List[float] = []
        self._current_block_min = math.inf
        self._frames_in_block = 0
        self._smoothed_power = -1.0
        self._floor_frames = 0
        self._floor_warmup = int(math.ceil(_FLOOR_SMOOTHING_SECONDS / self.frame_seconds))
        # background level and shape (frames near the floor)
        self._background_started = False
        self._noise_db = self._background_flatness = self._background_ratio = 0.0
        rate = lambda seconds: 1.0 - math.exp(-self.frame_seconds / seconds)  # noqa: E731
        self._background_rate = rate(_BACKGROUND_SECONDS)
        self._snr_rate = rate(_SNR_AVERAGE_SECONDS)
        self._snr_average = 0.0
        self._ratio_excess = 0.0
        # context of the model's inputs (averages defined in seconds, so any frame_ms)
        self._frame_input = self.frame_seconds / _MODEL_FRAME_SECONDS
        self._snr_long_rate = rate(_SNR_LONG_SECONDS)
        self._flatness_rate = rate(_FLATNESS_AVERAGE_SECONDS)
        self._flux_rate = rate(_FLUX_SECONDS)
        self._snr_long = self._flatness_average = self._flux = 0.0
        self._previous_band_db = 0.0
        # decisions -> segments
        self._speaking = False
        self._in_segment = False
        self._segment_start = 0
        self._segment_speech_frames = 0  # speech frames inside the open segment
        self._last_speech = 0
        self._silence_run = 0
        self.frames_total = 0
        self.samples_total = 0
        self.segments: List[Segment] = []
        self._pending = np.zeros(0, dtype=np.float32)
        # kept audio: mono samples from absolute index _history_origin on
        self._history = np.zeros(0, dtype=np.float32)
        self._history_origin = 0
        #: With ``keep_audio``: mono audio of the segments closed by the last
        #: push()/finish(), in order.
        self.closed_audio: List[np.ndarray] = []

    # -- features -----------------------------------------------------------

    def _features(self, frames: np.ndarray) -> Tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """``(band_power, flatness, ratio, tonal)`` of each row of ``frames``
        (decimated by ``decimation``: means of consecutive samples, summed
        in float32 in order as the plugin does)."""
        d, n = self.decimation, self.analysis_length
        if d > 1:
            groups = frames[:, : n * d].reshape(len(frames), n, d)
            mean = groups[:, :, 0].copy()
            for j in range(1, d):
                mean += groups[:, :, j]
            frames = mean / np.float32(d)
        spectrum = np.fft.rfft(frames * self._window, n=self.fft_length, axis=1)
        power = spectrum.real.astype(np.float64) ** 2 + spectrum.imag.astype(np.float64) ** 2
        lo, hi = self._speech
        tlo, thi = self._total
        band_bins = power[:, lo:hi + 1]
        band = band_bins.sum(axis=1)
        total = power[:, tlo:thi + 1].sum(axis=1)
        band_mean = band / (hi - lo + 1)
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            flatness = np.where(band_mean > 0, np.exp(np.log(band_bins + 1e-20).mean(axis=1)) / band_mean, 1.0)
            flatness = np.where(flatness <= 1.0, flatness, 1.0)
            ratio = np.where(total > 0, band / total, 0.0)
        # spectral peaks within _PEAK_RANGE_DB of the band's largest bin
        least = band_bins.max(axis=1, keepdims=True) * 10.0 ** (-_PEAK_RANGE_DB / 10.0)
        mid = band_bins[:, 1:-1]
        is_peak = (mid > band_bins[:, :-2]) & (mid >= band_bins[:, 2:]) & (mid > least)
        peaks = is_peak.sum(axis=1)
        # a tone's energy sits within +-2 bins of its peak(s); a formant
        # (10 ms frames do not resolve harmonics) spreads wider
        tonal = peaks <= _TONAL_PEAKS
        for row in np.nonzero(tonal)[0]:
            near = np.zeros(hi - lo + 1, dtype=bool)
            for k in np.nonzero(is_peak[row])[0] + 1:
                near[max(k - 2, 0):k + 3] = True
            tonal[row] = band_bins[row][near].sum() >= _TONAL_CONCENTRATION * band[row]
        return band, flatness, ratio, tonal

    def _floor_update(self, band_power: float) -> float:
        """The noise floor (the plugin's noise_floor_update())."""
        if self._smoothed_power < 0:
            self._smoothed_power = band_power
        else:
            self._smoothed_power = self._smoothing * self._smoothed_power + (1.0 - self._smoothing) * band_power
        band_db = 10.0 * math.log10(self._smoothed_power + 1e-12)
        self._floor_frames += 1
        if self._floor_frames == self._floor_warmup + 1 and self._current_block_min >= band_db - _NEAR_FLOOR_DB:
            # The smoother's warm-up frames (all in the first block) gave a
            # minimum within _NEAR_FLOOR_DB of the first settled level: the
            # background's own wobble, not a quieter start: forget it.
            self._current_block_min = math.inf
        if band_db < self._current_block_min:
            self._current_block_min = band_db
        floor_db = min([self._current_block_min] + self._block_min)
        self._frames_in_block += 1
        if self._frames_in_block >= self._frames_per_block:
            self._block_min.append(self._current_block_min)
            if len(self._block_min) > _FLOOR_BLOCKS:
                self._block_min.pop(0)
            self._current_block_min = math.inf
            self._frames_in_block = 0
        return floor_db

    def _score(self, band_db: float, floor_db: float, flatness: float, ratio: float, tonal: bool) -> float:
        """The logit ``z`` of one frame (the plugin's frame_score())."""
        if not self._background_started:
            self._background_started = True
            self._noise_db, self._background_flatness, self._background_ratio = band_db, flatness, ratio
            self._previous_band_db = band_db
        elif band_db < floor_db + _NEAR_FLOOR_DB:
            a = self._background_rate
            self._noise_db += a * (band_db - self._noise_db)
            self._background_flatness += a * (flatness - self._background_flatness)
            self._background_ratio += a * (ratio - self._background_ratio)
        if self._noise_db < floor_db:
            self._noise_db = floor_db
        snr = min(max(band_db - self._noise_db, _SNR_MIN_DB), _SNR_MAX_DB)
        self._snr_average += self._snr_rate * (snr - self._snr_average)
        self._ratio_excess += self._snr_rate * (ratio - self._background_ratio - self._ratio_excess)
        floor_snr = min(max(band_db - floor_db, _SNR_MIN_DB), _SNR_MAX_DB)
        self._snr_long += self._snr_long_rate * (snr - self._snr_long)
        self._flatness_average += self._flatness_rate * (flatness - self._flatness_average)
        delta = min(max(band_db - self._previous_band_db, -_DELTA_MAX_DB), _DELTA_MAX_DB)
        self._previous_band_db = band_db
        self._flux += self._flux_rate * (abs(delta) - self._flux)
        background = self._background_flatness
        inputs = np.array((
            floor_snr / 10.0, snr / 10.0, self._snr_average / 10.0, self._snr_long / 10.0,
            flatness, self._flatness_average, background,
            ratio - self._background_ratio, self._ratio_excess, self._background_ratio,
            delta / 10.0, self._flux / 10.0,
            min(max(self._noise_db - floor_db, 0.0), _BACKGROUND_EXCESS_MAX_DB) / 10.0,
            (background - flatness) * background, floor_snr * background / 10.0,
            self._frame_input))
        z = self._model_score(inputs)
        if flatness > _NOISY_FLATNESS and ratio < _NOISY_RATIO and floor_snr > _NOISY_SNR_DB:
            z -= (_NOISY_WEIGHT * (flatness - _NOISY_FLATNESS) * 100.0 * (floor_snr - _NOISY_SNR_DB)
                  / (_SNR_MAX_DB - _NOISY_SNR_DB))
        if floor_snr < _AT_FLOOR_DB:  # at the floor now: no foreground, whatever the average says
            z -= _AT_FLOOR_WEIGHT * (_AT_FLOOR_DB - floor_snr)
        if tonal:
            z -= _TONAL_PENALTY
        if band_db < _QUIET_GATE_DB:
            z -= 0.5 * (_QUIET_GATE_DB - band_db)
        return z

    @staticmethod
    def _model_score(inputs: np.ndarray) -> float:
        """The learnt logit: one tanh hidden layer (the plugin's model_score();
        weights in :mod:`remotemedia.dsp.speech_model`)."""
        hidden = np.tanh(inputs @ _model.W1 + _model.B1)
        return float(hidden @ _model.W2) + _model.B2

    # -- segments -----------------------------------------------------------

    def _close_segment(self, closed: List[Segment]) -> None:
        self._in_segment = False
        # Speech frames, not the span (as the plugin's close_segment()).
        if self._segment_speech_frames < self.min_speech_frames:
            return
        pad = self.padding_ms * self.sample_rate // 1000
        start = max(0, self._segment_start * self.frame_length - pad)
        end = min((self._last_speech + 1) * self.frame_length + pad, self.samples_total)
        if self.segments:
            start = max(start, self.segments[-1].end_sample)
        segment = Segment(start / self.sample_rate, end / self.sample_rate, start, end)
        self.segments.append(segment)
        closed.append(segment)
        if self.keep_audio:
            self.closed_audio.append(self._audio_of(segment))

    def _track(self, frame: int, speech: bool, closed: List[Segment]) -> None:
        if speech:
            if not self._in_segment:
                self._in_segment = True
                self._segment_start = frame
                self._segment_speech_frames = 0
            self._segment_speech_frames += 1
            self._last_speech = frame
            self._silence_run = 0
            if self.max_segment_frames and frame + 1 - self._segment_start >= self.max_segment_frames:
                self._close_segment(closed)
        elif self._in_segment:
            self._silence_run += 1
            if self._silence_run >= self.min_silence_frames:
                self._close_segment(closed)

    # -- streaming API ------------------------------------------------------

    def push(self, mono: np.ndarray) -> Tuple[np.ndarray, np.ndarray, int, List[Segment]]:
        """Feed mono samples. Returns ``(decisions, scores, first_frame,
        closed_segments)`` for the frames completed by this call (with
        ``keep_audio``, :attr:`closed_audio` holds those segments' audio)."""
        raw = np.asarray(mono, dtype=np.float32)
        samples = np.nan_to_num(raw, nan=0.0, posinf=0.0, neginf=0.0)
        first_frame = self.frames_total
        self.closed_audio = []
        if self.keep_audio:  # the samples as given, like the plugin's history
            self._history = np.concatenate([self._history, raw])
        data = np.concatenate([self._pending, samples])
        count = len(data) // self.frame_length
        self._pending = data[count * self.frame_length:]
        decisions = np.zeros(count, dtype=bool)
        scores = np.zeros(count, dtype=np.float32)
        closed: List[Segment] = []
        if count:
            frames = data[: count * self.frame_length].reshape(count, self.frame_length)
            band, flatness, ratio, tonal = self._features(frames)
            band_power = band * self._power_to_ms
            band_db = 10.0 * np.log10(band_power + 1e-12)
            consumed_before = self.samples_total
            carried = len(data) - len(samples)  # samples pending from the previous call
            for i in range(count):
                # Samples consumed so far, frame by frame (segment ends clamp to it).
                self.samples_total = consumed_before + (i + 1) * self.frame_length - carried
                floor_db = self._floor_update(float(band_power[i]))
                z = self._score(float(band_db[i]), floor_db, float(flatness[i]), float(ratio[i]), bool(tonal[i]))
                score = _logistic(z)
                self._speaking = score >= (self.threshold - _HYSTERESIS if self._speaking else self.threshold)
                decisions[i] = self._speaking
                scores[i] = score
                self._track(self.frames_total, self._speaking, closed)
                self.frames_total += 1
            self.samples_total = consumed_before
        self.samples_total += len(samples)
        if self.keep_audio:
            self._trim_history()
        return decisions, scores, first_frame, closed

    def finish(self) -> List[Segment]:
        """End of stream: close the open segment (the partial last frame is
        not analysed). Returns the segments closed now."""
        closed: List[Segment] = []
        self.closed_audio = []
        if self._in_segment:
            self._close_segment(closed)
        return closed

    def _audio_of(self, segment: Segment) -> np.ndarray:
        start = max(segment.start_sample, self._history_origin) - self._history_origin
        end = min(segment.end_sample, self._history_origin + len(self._history)) - self._history_origin
        return self._history[start:max(start, end)].copy()

    def _trim_history(self) -> None:
        pad = self.padding_ms * self.sample_rate // 1000
        if self._in_segment:
            keep_from = max(0, self._segment_start * self.frame_length - pad)
        else:
            recent = pad + 2 * self.frame_length + self.min_silence_frames * self.frame_length
            keep_from = max(0, self.samples_total - recent)
        drop = min(keep_from - self._history_origin, len(self._history))
        if drop > 0:
            self._history = self._history[drop:]
            self._history_origin += drop
