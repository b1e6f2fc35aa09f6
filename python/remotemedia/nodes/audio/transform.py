"""AudioTransform: resampling plus channel conversion."""

from __future__ import annotations

from typing import Any, Optional

import numpy as np

from ...core.node import Node
from .._params import check_params
from ._common import cast_like, resample_like, rewrap
from ...core.audio_input import parse_audio

__all__ = ["AudioTransform"]


class AudioTransform(Node):
    """Brings audio to ``output_sample_rate`` and ``output_channels``.

    Resamples (quality ``"high"``) when the rates differ; then, to 1 channel:
    the channel mean, returned **1-D**; from mono to N channels: the channel
    repeated; from more channels to fewer (not 1): the first N channels.
    The dtype is kept (integer results rounded and clamped).

    Args:
        output_sample_rate: the output rate in Hz.
        output_channels: the output channel count.
        name: the node's name.
    """

    def __init__(self, output_sample_rate: int = 44100, output_channels: int = 2, name: Optional[str] = None,
                 **params: Any) -> None:
        params = check_params(self, AudioTransform, dict(output_sample_rate=output_sample_rate,
                                                         output_channels=output_channels, **params), name=name)
        super().__init__(name=name, **params)
        self.output_sample_rate = params["output_sample_rate"]
        self.output_channels = params["output_channels"]

    def process(self, data: Any) -> Any:
        """Return ``(samples, output_sample_rate)``."""
        item = parse_audio(self, data)
        audio = item.samples_2d
        if item.sample_rate != self.output_sample_rate:
            audio = resample_like(audio, item.sample_rate, self.output_sample_rate, "high")
        channels = audio.shape[0]
        if self.output_channels == 1:
            out = audio[0] if channels == 1 else cast_like(audio.astype(np.float64).mean(axis=0), audio.dtype)
        elif channels == self.output_channels:
            out = audio
        elif channels == 1:
            out = np.repeat(audio, self.output_channels, axis=0)
        else:
            out = audio[: self.output_channels]
        return rewrap(item, out, self.output_sample_rate)
