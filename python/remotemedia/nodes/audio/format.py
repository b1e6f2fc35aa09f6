"""FormatConverterNode: sample-format conversion."""

from __future__ import annotations

from typing import Any, Optional

import numpy as np

from ...core.node import Node
from ...dsp.formats import convert_format
from .._params import check_params
from ._common import cast_like, rewrap
from ...core.audio_input import parse_audio

__all__ = ["FormatConverterNode"]


class FormatConverterNode(Node):
    """Converts audio samples to ``target_format`` (see
    :mod:`remotemedia.dsp.formats` for the exact rules: /32768 and /2**31 to
    float, ×32768 / ×2**31 rounded and **clamped** to integers).

    Returns ``(converted, sample_rate)`` shaped ``(channels, frames)`` (a 1-D
    input comes back as ``(1, N)``); audio already in the target format (and
    channel count) is returned as is (same array); audio with no frames gives
    no output (``None``), as the native plugin emits nothing for it.

    Args:
        target_format: ``"f32"``, ``"f64"``, ``"i16"`` or ``"i32"``.
        channels: output channel count, 0 = keep (as the native plugin's
            ``channels``): N → 1 is the channel mean, 1 → M repeats, N → M < N
            keeps the first M, N → M > N repeats the channels cyclically.
        runtime_hint: ``"auto"``, ``"native"`` or ``"python"``.
        name: the node's name.
    """

    native_twin = "FormatConverterNode"

    def __init__(self, target_format: str = "f32", runtime_hint: str = "auto",
                 name: Optional[str] = None, **params: Any) -> None:
        if isinstance(target_format, str):
            target_format = target_format.lower()
        params = check_params(self, FormatConverterNode, dict(target_format=target_format, **params), name=name)
        super().__init__(name=name, runtime_hint=runtime_hint, **params)
        self.target_format = params["target_format"]
        self.channels = params.get("channels", 0)

    def process(self, data: Any) -> Any:
        """Return ``(converted_samples_2d, sample_rate)``."""
        item = parse_audio(self, data)
        samples = item.samples_2d
        if samples.shape[1] == 0:
            return None
        if self.channels and self.channels != samples.shape[0]:
            samples = _remap_channels(samples, self.channels)
        return rewrap(item, convert_format(samples, self.target_format), item.sample_rate)


def _remap_channels(samples: np.ndarray, channels: int) -> np.ndarray:
    """N -> 1: mean (in float64, back to the dtype); 1 -> M and N -> M > N:
    cyclic repetition; N -> M < N: the first M."""
    have = samples.shape[0]
    if channels == 1:
        return cast_like(samples.astype(np.float64).mean(axis=0, keepdims=True), samples.dtype)
    if channels < have:
        return samples[:channels]
    return samples[np.arange(channels) % have]
