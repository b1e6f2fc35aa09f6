"""AudioResampleNode: sample-rate conversion."""

from __future__ import annotations

from typing import Any, Optional

import numpy as np

from ...core.exceptions import ConfigurationError
from ...core.node import Node
from ...dsp.resample import normalize_quality, resample
from ._common import rewrap
from ._input import check_positive, parse_audio, to_float

__all__ = ["AudioResampleNode"]


class AudioResampleNode(Node):
    """Resamples ``(samples, rate)`` audio to ``target_sample_rate``.

    The output has exactly ``ceil(frames * target / rate)`` frames per
    channel and keeps the 1-D/2-D shape; its dtype is float64 for float64
    input, else float32 (integer input is scaled to [-1, 1] first), as with
    the native plugin. Audio already at the target rate is returned
    unchanged. Each call is independent (no state between items).

    Args:
        target_sample_rate: the output rate in Hz.
        quality: ``"low"``, ``"medium"``, ``"high"`` or ``"very_high"``
            (also soxr's ``LQ``/``MQ``/``HQ``/``VHQ``): selects the filter;
            see :mod:`remotemedia.dsp.resample` for the measured quality.
        runtime_hint: ``"auto"``, ``"native"`` or ``"python"``.
        name: the node's name.
    """

    def __init__(self, target_sample_rate: int = 16000, quality: str = "high", runtime_hint: str = "auto",
                 name: Optional[str] = None, **params: Any) -> None:
        check_positive("AudioResampleNode", "target_sample_rate", target_sample_rate, integer=True)
        try:
            canonical = normalize_quality(quality)
        except ValueError as exc:
            raise ConfigurationError(f"AudioResampleNode: {exc}") from None
        super().__init__(name=name, runtime_hint=runtime_hint, target_sample_rate=int(target_sample_rate),
                         quality=canonical, **params)
        self.target_sample_rate = int(target_sample_rate)
        self.quality = canonical

    def process(self, data: Any) -> Any:
        """Return ``(resampled_samples, target_sample_rate)``."""
        item = parse_audio(self, data)
        if item.sample_rate == self.target_sample_rate:
            return data
        out_dtype = np.float64 if item.samples.dtype == np.float64 else np.float32
        out = resample(to_float(item.samples_2d), item.sample_rate, self.target_sample_rate, self.quality)
        out = out.astype(out_dtype, copy=False)
        if item.samples.ndim == 1:
            out = out[0]
        return rewrap(item, out, self.target_sample_rate)
