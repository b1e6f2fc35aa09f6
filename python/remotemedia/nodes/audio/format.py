"""FormatConverterNode: sample-format conversion."""

from __future__ import annotations

from typing import Any, Optional

from ...core.exceptions import ConfigurationError
from ...core.node import Node
from ...dsp.formats import FORMATS, convert_format
from ._common import rewrap
from ._input import parse_audio

__all__ = ["FormatConverterNode"]


class FormatConverterNode(Node):
    """Converts audio samples to ``target_format`` (see
    :mod:`remotemedia.dsp.formats` for the exact rules: /32768 and /2**31 to
    float, ×32768 / ×2**31 rounded and **clamped** to integers).

    Returns ``(converted, sample_rate)`` shaped ``(channels, frames)`` (a 1-D
    input comes back as ``(1, N)``); audio already in the target format is
    returned as is (same array).

    Args:
        target_format: ``"f32"``, ``"f64"``, ``"i16"`` or ``"i32"``.
        runtime_hint: ``"auto"``, ``"native"`` or ``"python"``.
        name: the node's name.
    """

    def __init__(self, target_format: str = "f32", runtime_hint: str = "auto",
                 name: Optional[str] = None, **params: Any) -> None:
        fmt = str(target_format).lower()
        if fmt not in FORMATS:
            raise ConfigurationError(
                f"FormatConverterNode: target_format must be one of {', '.join(FORMATS)}; got {target_format!r}"
            )
        super().__init__(name=name, target_format=fmt, runtime_hint=runtime_hint, **params)
        self.target_format = fmt

    def process(self, data: Any) -> Any:
        """Return ``(converted_samples_2d, sample_rate)``."""
        item = parse_audio(self, data)
        return rewrap(item, convert_format(item.samples_2d, self.target_format), item.sample_rate)
