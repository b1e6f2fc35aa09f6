"""Frame energies: the framing rule shared by VADNode and VoiceActivityDetector."""

from __future__ import annotations

import numpy as np

__all__ = ["frame_size", "downmix", "frame_rms", "mean_energy"]


def frame_size(sample_rate: int, frame_duration_ms: float) -> int:
    """Samples per frame: ``int(sample_rate * frame_duration_ms / 1000)``."""
    return int(sample_rate * frame_duration_ms / 1000)


def downmix(samples_2d: np.ndarray) -> np.ndarray:
    """The channel mean (float64) of ``(channels, frames)`` audio."""
    if samples_2d.shape[0] == 1:
        return samples_2d[0].astype(np.float64)
    return samples_2d.astype(np.float64).mean(axis=0)


#: Interleaved partial sums of the RMS (the native plugin's order).
_LANES = 8


def frame_rms(mono: np.ndarray, frame_samples: int) -> np.ndarray:
    """RMS of each complete frame of ``frame_samples`` samples; the tail
    shorter than a frame is dropped.

    The squares are summed in the native plugin's order
    (plugins/vad/energy_vad.c), so both give bit-identical energies: sample
    ``i`` of a frame goes into partial sum ``i % 8``, each partial sum in
    sample order, and the eight are combined pairwise.
    """
    if frame_samples <= 0:
        return np.zeros(0)
    count = len(mono) // frame_samples
    frames = np.asarray(mono[: count * frame_samples], dtype=np.float64).reshape(count, frame_samples)
    squares = frames * frames
    pad = -frame_samples % _LANES
    if pad:  # + 0.0 leaves a partial sum unchanged
        squares = np.concatenate([squares, np.zeros((count, pad))], axis=1)
    # Reducing the middle axis adds the rows one after another (numpy sums
    # pairwise only along the contiguous axis): lane l in sample order.
    lanes = squares.reshape(count, squares.shape[1] // _LANES, _LANES).sum(axis=1)
    total = ((lanes[:, 0] + lanes[:, 1]) + (lanes[:, 2] + lanes[:, 3])) + \
            ((lanes[:, 4] + lanes[:, 5]) + (lanes[:, 6] + lanes[:, 7]))
    return np.sqrt(total / frame_samples)


def mean_energy(energies: np.ndarray) -> float:
    """The mean of frame energies, summed in order as the native plugin
    does (``np.mean`` sums pairwise: a different last bit); 0 for none."""
    if len(energies) == 0:
        return 0.0
    return float(np.cumsum(energies)[-1] / len(energies))
