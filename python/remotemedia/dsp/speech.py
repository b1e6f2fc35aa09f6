"""Spectral voice activity detection and speech segmentation (streaming).

Per frame (``frame_ms`` long, no overlap) of the channel mean:

* ``level_db``  — frame RMS in dBFS;
* ``band_ratio`` — share of the frame's power in the speech band
  (300–3400 Hz, limited by the Nyquist frequency), Hann window, rfft;
* ``flatness`` — spectral flatness (geometric / arithmetic mean of the power)
  inside that band: ~0.56 for white noise, low for voiced speech;
* ``band_db = level_db + 10·log10(band_ratio)`` and an adaptive noise floor
  of it: it falls fast (towards quieter frames) and rises slowly, more slowly
  while the previous frame looked like speech; ``snr_db = band_db - noise``.

``score = snr_term · (0.3 · ratio_term + 0.7 · tonal_term)`` in [0, 1], with
``snr_term = clip((snr_db - 6) / 12)``, ``ratio_term = clip((band_ratio - 0.2) / 0.4)``,
``tonal_term = clip((0.55 - flatness) / 0.35)``. Flatness carries most of the
weight because it separates voiced speech from noise at every sample rate,
while the band ratio of white noise itself grows as the rate falls (the band
covers most of the spectrum at 8 kHz). Frames quieter than
``min_level_db`` score 0. A frame is speech when ``score > threshold``, and
stays speech for ``hangover_ms`` after the score drops.

:class:`SegmentTracker` turns frame decisions into segments: gaps shorter than
``min_silence_ms`` are bridged, segments shorter than ``min_speech_ms`` are
dropped, and each segment is widened by ``padding_ms`` on both sides
(``padding_ms`` is capped at ``min_silence_ms / 2`` so padded segments never
overlap). Both classes keep their state between calls, so audio can be fed in
chunks of any size and the results equal those of one call on the whole.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import List, Optional, Tuple

import numpy as np

__all__ = ["SegmenterParams", "SpectralVAD", "SegmentTracker"]

_EPS = 1e-12


def _clip01(values: np.ndarray) -> np.ndarray:
    return np.clip(values, 0.0, 1.0)


@dataclass(frozen=True)
class SegmenterParams:
    """Parameters of the spectral VAD and the segmenter (see module doc)."""

    frame_ms: float = 30.0
    threshold: float = 0.5
    band_low_hz: float = 300.0
    band_high_hz: float = 3400.0
    min_level_db: float = -55.0
    initial_noise_db: float = -60.0
    noise_rise_s: float = 2.0
    noise_rise_speech_s: float = 30.0
    hangover_ms: float = 160.0
    min_speech_ms: float = 100.0
    min_silence_ms: float = 300.0
    padding_ms: float = 100.0

    def validate(self) -> None:
        """Raise ``ValueError`` naming the first invalid parameter."""
        positive = ("frame_ms", "band_high_hz", "noise_rise_s", "noise_rise_speech_s")
        for name in positive:
            if not getattr(self, name) > 0:
                raise ValueError(f"{name} must be > 0, got {getattr(self, name)!r}")
        for name in ("hangover_ms", "min_speech_ms", "min_silence_ms", "padding_ms", "band_low_hz"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must be >= 0, got {getattr(self, name)!r}")
        if not 0.0 <= self.threshold < 1.0:
            raise ValueError(f"threshold must be in [0, 1), got {self.threshold!r}")
        if self.band_low_hz >= self.band_high_hz:
            raise ValueError("band_low_hz must be below band_high_hz")


class SpectralVAD:
    """Frame-by-frame speech scores for one stream at one sample rate."""

    def __init__(self, sample_rate: int, params: SegmenterParams) -> None:
        self.sample_rate = int(sample_rate)
        self.params = params
        self.frame_samples = max(1, int(round(sample_rate * params.frame_ms / 1000.0)))
        self.nfft = 1 << max(1, (self.frame_samples - 1).bit_length())
        freqs = np.fft.rfftfreq(self.nfft, 1.0 / sample_rate)
        high = min(params.band_high_hz, sample_rate / 2.0)
        self._band = (freqs >= params.band_low_hz) & (freqs <= high)
        if not self._band.any():
            raise ValueError(
                f"sample rate {sample_rate} Hz leaves no frequencies in the speech band "
                f"{params.band_low_hz:g}-{params.band_high_hz:g} Hz"
            )
        self._nonzero = freqs > 0
        self._window = np.hanning(self.frame_samples + 2)[1:-1]
        hop_s = self.frame_samples / sample_rate
        self._rise = 1.0 - math.exp(-hop_s / params.noise_rise_s)
        self._rise_speech = 1.0 - math.exp(-hop_s / params.noise_rise_speech_s)
        self._fall = 0.3
        self._hangover_frames = int(round(params.hangover_ms / 1000.0 / hop_s))
        self.noise_db = params.initial_noise_db
        self._last_score = 0.0
        self._hang = 0
        self._pending = np.zeros(0)

    @property
    def frame_seconds(self) -> float:
        """Duration of one frame (the hop) in seconds."""
        return self.frame_samples / self.sample_rate

    def features(self, frames: np.ndarray) -> Tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``(level_db, band_ratio, flatness)`` of each row of ``frames``."""
        rms = np.sqrt(np.mean(frames * frames, axis=1))
        level_db = 20.0 * np.log10(rms + 1e-10)
        spectrum = np.fft.rfft(frames * self._window, n=self.nfft, axis=1)
        power = spectrum.real ** 2 + spectrum.imag ** 2
        band = power[:, self._band]
        band_power = band.sum(axis=1)
        total_power = power[:, self._nonzero].sum(axis=1)
        band_ratio = band_power / (total_power + _EPS)
        flatness = np.exp(np.mean(np.log(band + _EPS), axis=1)) / (np.mean(band, axis=1) + _EPS)
        return level_db, band_ratio, flatness

    def feed(self, mono: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
        """Score the complete frames now available (samples left over wait for
        the next call). Returns ``(scores, decisions)`` for those frames."""
        data = np.concatenate([self._pending, np.asarray(mono, dtype=np.float64)])
        count = len(data) // self.frame_samples
        self._pending = data[count * self.frame_samples:]
        if count == 0:
            return np.zeros(0, dtype=np.float32), np.zeros(0, dtype=bool)
        frames = data[: count * self.frame_samples].reshape(count, self.frame_samples)
        return self._score(frames)

    def finish(self) -> Tuple[np.ndarray, np.ndarray]:
        """Score the last, incomplete frame (zero-padded) if there is one."""
        if len(self._pending) == 0:
            return np.zeros(0, dtype=np.float32), np.zeros(0, dtype=bool)
        frame = np.zeros((1, self.frame_samples))
        frame[0, : len(self._pending)] = self._pending
        self._pending = np.zeros(0)
        return self._score(frame)

    def _score(self, frames: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
        p = self.params
        level_db, band_ratio, flatness = self.features(frames)
        band_db = level_db + 10.0 * np.log10(band_ratio + _EPS)
        spectral = 0.3 * _clip01((band_ratio - 0.2) / 0.4) + 0.7 * _clip01((0.55 - flatness) / 0.35)
        scores = np.empty(len(frames))
        decisions = np.empty(len(frames), dtype=bool)
        # The noise floor depends on the previous frame's score: sequential.
        for i in range(len(frames)):
            snr_term = min(1.0, max(0.0, (band_db[i] - self.noise_db - 6.0) / 12.0))
            score = snr_term * spectral[i] if level_db[i] > p.min_level_db else 0.0
            if band_db[i] < self.noise_db:
                self.noise_db += (band_db[i] - self.noise_db) * self._fall
            else:
                rise = self._rise_speech if max(score, self._last_score) > 0.3 else self._rise
                self.noise_db += (band_db[i] - self.noise_db) * rise
            self._last_score = score
            if score > p.threshold:
                self._hang = self._hangover_frames + 1
            decisions[i] = self._hang > 0
            self._hang = max(0, self._hang - 1)
            scores[i] = score
        return scores.astype(np.float32), decisions


class SegmentTracker:
    """Turns a stream of frame decisions into ``(start_s, end_s)`` segments."""

    def __init__(self, frame_seconds: float, params: SegmenterParams) -> None:
        self.frame_seconds = frame_seconds
        self.min_speech_frames = int(math.ceil(params.min_speech_ms / 1000.0 / frame_seconds - 1e-9))
        self.min_silence_frames = max(1, int(math.ceil(params.min_silence_ms / 1000.0 / frame_seconds - 1e-9)))
        self.padding_s = min(params.padding_ms, params.min_silence_ms / 2.0) / 1000.0
        self.frames_seen = 0
        self._start: Optional[int] = None
        self._last_speech = -1

    def feed(self, decisions: np.ndarray) -> List[Tuple[int, int]]:
        """Consume decisions; return the segments (in frames, end exclusive)
        that are now closed."""
        closed: List[Tuple[int, int]] = []
        for decision in decisions:
            k = self.frames_seen
            self.frames_seen += 1
            if decision:
                if self._start is None:
                    self._start = k
                self._last_speech = k
            elif self._start is not None and k - self._last_speech >= self.min_silence_frames:
                self._close(closed)
        return closed

    def finish(self) -> List[Tuple[int, int]]:
        """Close the open segment at end of stream."""
        closed: List[Tuple[int, int]] = []
        if self._start is not None:
            self._close(closed)
        return closed

    def _close(self, closed: List[Tuple[int, int]]) -> None:
        start, end = self._start, self._last_speech + 1
        self._start = None
        if start is not None and end - start >= self.min_speech_frames:
            closed.append((start, end))

    def to_seconds(self, segment: Tuple[int, int], limit_s: float) -> Tuple[float, float]:
        """A frame segment as padded ``(start_s, end_s)``, clipped to [0, limit_s]."""
        start = max(0.0, segment[0] * self.frame_seconds - self.padding_s)
        end = min(limit_s, segment[1] * self.frame_seconds + self.padding_s)
        return (round(start, 6), round(end, 6))
