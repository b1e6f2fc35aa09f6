"""Frame energies: the framing rule shared by VADNode and VoiceActivityDetector."""

from __future__ import annotations

import numpy as np

__all__ = ["frame_size", "downmix", "frame_rms"]


def frame_size(sample_rate: int, frame_duration_ms: float) -> int:
    """Samples per frame: ``int(sample_rate * frame_duration_ms / 1000)``."""
    return int(sample_rate * frame_duration_ms / 1000)


def downmix(samples_2d: np.ndarray) -> np.ndarray:
    """The channel mean (float64) of ``(channels, frames)`` audio."""
    if samples_2d.shape[0] == 1:
        return samples_2d[0].astype(np.float64)
    return samples_2d.astype(np.float64).mean(axis=0)


def frame_rms(mono: np.ndarray, frame_samples: int) -> np.ndarray:
    """RMS of each complete frame of ``frame_samples`` samples; the tail
    shorter than a frame is dropped."""
    if frame_samples <= 0:
        return np.zeros(0)
    count = len(mono) // frame_samples
    frames = np.asarray(mono[: count * frame_samples], dtype=np.float64).reshape(count, frame_samples)
    return np.sqrt(np.mean(frames * frames, axis=1))
