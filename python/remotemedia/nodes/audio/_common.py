"""Small helpers shared by the audio nodes."""

from __future__ import annotations

from typing import Any, Optional

import numpy as np

from ...dsp.resample import resample
from ...core.audio_input import AudioItem

__all__ = ["cast_like", "resample_like", "rewrap"]


def cast_like(values: np.ndarray, dtype: np.dtype) -> np.ndarray:
    """Float results back to ``dtype``: floats cast, integers rounded to
    nearest and clamped."""
    dtype = np.dtype(dtype)
    if dtype.kind == "f":
        return values.astype(dtype, copy=False)
    info = np.iinfo(dtype)
    return np.clip(np.rint(values), info.min, info.max).astype(dtype)


def resample_like(samples_2d: np.ndarray, from_rate: int, to_rate: int, quality: str) -> np.ndarray:
    """Resample ``(channels, frames)`` audio keeping its dtype."""
    return cast_like(resample(samples_2d, from_rate, to_rate, quality), samples_2d.dtype)


def rewrap(item: AudioItem, samples: np.ndarray, sample_rate: int) -> Any:
    """``(samples, rate)``, keeping a metadata dict that came with the input
    in the same place it came."""
    metadata: Optional[dict] = item.metadata
    if metadata is None:
        return (samples, sample_rate)
    return ((samples, sample_rate), metadata)
