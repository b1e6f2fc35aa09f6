"""AudioResampleNode: sample-rate conversion."""

from __future__ import annotations

from typing import Any, Optional

from ...core.node import Node
from ...dsp.resample import normalize_quality
from ._common import resample_like, rewrap
from ._input import check_positive, check_runtime_hint, parse_audio

__all__ = ["AudioResampleNode"]


class AudioResampleNode(Node):
    """Resamples ``(samples, rate)`` audio to ``target_sample_rate``.

    The output has exactly ``ceil(frames * target / rate)`` frames per
    channel, the input's dtype and shape convention (1-D stays 1-D); audio
    already at the target rate is returned unchanged. Each call is
    independent (no state between items).

    Args:
        target_sample_rate: the output rate in Hz.
        quality: ``"quick"``, ``"low"``, ``"medium"``, ``"high"`` or
            ``"very_high"`` (also soxr's ``QQ``/``LQ``/``MQ``/``HQ``/``VHQ``):
            selects the filter; see :mod:`remotemedia.dsp.resample`.
        runtime_hint: ``"auto"``, ``"native"`` or ``"python"``.
        name: the node's name.
    """

    def __init__(self, target_sample_rate: int = 16000, quality: str = "high", runtime_hint: str = "auto",
                 name: Optional[str] = None, **params: Any) -> None:
        check_positive("AudioResampleNode", "target_sample_rate", target_sample_rate, integer=True)
        try:
            self._quality = normalize_quality(quality)
        except ValueError as exc:
            from ...core.exceptions import ConfigurationError
            raise ConfigurationError(f"AudioResampleNode: {exc}") from None
        check_runtime_hint("AudioResampleNode", runtime_hint)
        super().__init__(name=name, target_sample_rate=int(target_sample_rate), quality=quality,
                         runtime_hint=runtime_hint, **params)
        self.target_sample_rate = int(target_sample_rate)
        self.quality = quality

    def process(self, data: Any) -> Any:
        """Return ``(resampled_samples, target_sample_rate)``."""
        item = parse_audio(self, data)
        if item.sample_rate == self.target_sample_rate:
            return data
        out = resample_like(item.samples_2d, item.sample_rate, self.target_sample_rate, self._quality)
        if item.samples.ndim == 1:
            out = out[0]
        return rewrap(item, out, self.target_sample_rate)
