"""Checking and unpacking audio items: ``(samples, sample_rate)``."""

from __future__ import annotations

import numbers
from typing import Any, Dict, NamedTuple, Optional

import numpy as np

from .node import Node, node_label
from ..dsp.formats import FORMATS

#: The most channels an audio item has (RM_MAX_CHANNELS, plugin.h).
MAX_CHANNELS = 64

__all__ = ["AudioItem", "parse_audio", "checked_samples", "to_float"]

_EXPECTED = (
    "a (samples, sample_rate) tuple, samples a numpy array shaped (channels, frames) "
    "or (frames,) of float32/float64/int16/int32, sample_rate a positive int"
)


class AudioItem(NamedTuple):
    """An unpacked audio item."""

    samples: np.ndarray  #: as given (1-D or 2-D)
    samples_2d: np.ndarray  #: shaped (channels, frames); a view when possible
    sample_rate: int
    metadata: Optional[Dict[str, Any]]  #: a metadata dict that came along, if any


def parse_audio(node: Node, data: Any) -> AudioItem:
    """Unpack and validate an audio item for ``node``.

    Accepts ``(samples, rate)``, ``(samples, rate, metadata_dict)`` and
    ``((samples, rate), metadata_dict)`` (tuples or lists).

    Raises:
        TypeError: not an audio item, samples not an array, unsupported dtype.
        ValueError: an array that is not 1-D/2-D, a non-positive rate.
    """
    metadata: Optional[Dict[str, Any]] = None
    if (isinstance(data, (tuple, list)) and len(data) == 2 and isinstance(data[0], (tuple, list))
            and isinstance(data[1], dict)):
        data, metadata = data[0], data[1]
    if not isinstance(data, (tuple, list)) or len(data) not in (2, 3):
        raise TypeError(f"{node_label(node)}: expected {_EXPECTED}; got {type(data).__name__}")
    if len(data) == 3:
        if not isinstance(data[2], dict):
            raise TypeError(f"{node_label(node)}: expected {_EXPECTED} (optionally a metadata dict third); "
                            f"got a third element of type {type(data[2]).__name__}")
        metadata = data[2]
    samples, rate = data[0], data[1]
    try:
        samples_2d = checked_samples(samples)
        if isinstance(rate, bool) or not isinstance(rate, numbers.Real) or rate != int(rate):
            raise TypeError(f"expected an integer sample rate, got {rate!r}")
        if rate <= 0:
            raise ValueError(f"sample rate must be positive, got {rate}")
    except (TypeError, ValueError) as exc:
        raise type(exc)(f"{node_label(node)}: {exc}") from None
    return AudioItem(samples, samples_2d, int(rate), metadata)


def checked_samples(samples: Any) -> np.ndarray:
    """``samples`` of an audio item shaped ``(channels, frames)`` (a view),
    or the TypeError / ValueError saying what is wrong with them (without a
    node's name: :func:`parse_audio` and ``NativeStage`` put theirs first).
    """
    if not isinstance(samples, np.ndarray):
        raise TypeError(f"expected samples as a numpy array, got {type(samples).__name__}")
    if samples.ndim not in (1, 2):
        raise ValueError("expected samples shaped (channels, frames) or (frames,), "
                         f"got a {samples.ndim}-D array of shape {samples.shape}")
    if samples.dtype not in FORMATS.values():
        raise TypeError(f"unsupported sample dtype {samples.dtype}; expected float32, float64, int16 or int32")
    samples_2d = samples.reshape(1, -1) if samples.ndim == 1 else samples
    if samples_2d.shape[0] == 0:
        raise ValueError(f"audio has no channels (shape {samples.shape})")
    if samples_2d.shape[0] > MAX_CHANNELS:
        raise ValueError(f"samples of shape {samples.shape} are {samples.shape[0]} channels, and "
                         f"audio has at most {MAX_CHANNELS}; samples go (channels, frames): for a "
                         "(frames, channels) array pass samples.T")
    return samples_2d


def to_float(samples: np.ndarray) -> np.ndarray:
    """Samples as floats in [-1, 1]: floats as they are, i16 / 32768, i32 / 2**31."""
    if samples.dtype == np.int16:
        return samples.astype(np.float64) / 32768.0
    if samples.dtype == np.int32:
        return samples.astype(np.float64) / 2147483648.0
    return samples
