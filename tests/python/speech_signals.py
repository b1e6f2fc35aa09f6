"""Synthetic test signals: a formant-shaped voiced "speech" sound and noise."""

from __future__ import annotations

from typing import List, Tuple

import numpy as np

FORMANTS = [(600.0, 120.0), (1400.0, 160.0), (2600.0, 220.0)]


def voiced(rate: int, seconds: float, f0: float = 140.0, level: float = 0.3) -> np.ndarray:
    """A harmonic source with vibrato, shaped by three formants, with a
    syllable-rate envelope."""
    t = np.arange(int(rate * seconds)) / rate
    phase = 2 * np.pi * np.cumsum(f0 * (1 + 0.05 * np.sin(2 * np.pi * 3 * t))) / rate
    x = np.zeros_like(t)
    for k in range(1, int(0.45 * rate / f0)):
        amplitude = sum(1 / (1 + ((k * f0 - f) / bw) ** 2) for f, bw in FORMANTS) + 0.05 / k
        x += amplitude * np.sin(k * phase)
    envelope = 0.6 + 0.4 * np.abs(np.sin(2 * np.pi * 2 * t))
    return level * x / np.max(np.abs(x)) * envelope


def speech_with_pauses(rate: int, rng: np.random.Generator, noise_level: float = 0.003
                       ) -> Tuple[np.ndarray, List[Tuple[float, float]]]:
    """1 s noise, 1.2 s speech, 0.8 s noise, 0.6 s speech, 1 s noise; returns
    (float32 mono, true speech intervals)."""
    def silence(seconds: float) -> np.ndarray:
        return np.zeros(int(rate * seconds))

    x = np.concatenate([silence(1.0), voiced(rate, 1.2), silence(0.8), voiced(rate, 0.6, f0=200), silence(1.0)])
    x = x + rng.normal(0, noise_level, len(x))
    return x.astype(np.float32), [(1.0, 2.2), (3.0, 3.6)]
