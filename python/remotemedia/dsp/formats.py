"""Sample-format conversion between f32, f64, i16 and i32.

Integers map to floats by ``/ 32768`` (i16) and ``/ 2**31`` (i32); floats map
to integers by ``* 32768`` / ``* 2**31``, rounded to nearest (ties to even,
like C's ``lrint``) and **clamped** to the integer range (no wrap-around).
Integer to integer goes through the same scaling: i16 -> i32 multiplies by
65536 exactly; i32 -> i16 divides by 65536 with rounding and clamping.
Float to float is a plain cast (no clamping). NaN becomes 0 in integers.
"""

from __future__ import annotations

from typing import Dict

import numpy as np

__all__ = ["FORMATS", "format_of", "convert_format"]

#: Format name -> numpy dtype.
FORMATS: Dict[str, np.dtype] = {
    "f32": np.dtype(np.float32),
    "f64": np.dtype(np.float64),
    "i16": np.dtype(np.int16),
    "i32": np.dtype(np.int32),
}

_SCALE = {"i16": 32768.0, "i32": 2147483648.0}


def format_of(dtype: np.dtype) -> str:
    """The format name of a numpy dtype.

    Raises:
        TypeError: the dtype is not one of f32, f64, i16, i32.
    """
    for name, candidate in FORMATS.items():
        if np.dtype(dtype) == candidate:
            return name
    raise TypeError(f"unsupported sample dtype {np.dtype(dtype)}; supported: float32, float64, int16, int32")


def convert_format(samples: np.ndarray, target: str) -> np.ndarray:
    """Convert ``samples`` to the ``target`` format (``"f32"``, ``"f64"``,
    ``"i16"``, ``"i32"``). Returns the input object itself when it already
    has that format."""
    if target not in FORMATS:
        raise ValueError(f"unknown sample format {target!r}; valid: {', '.join(FORMATS)}")
    source = format_of(samples.dtype)
    if source == target:
        return samples
    if source.startswith("f") and target.startswith("f"):
        return samples.astype(FORMATS[target])
    if source == "i16" and target == "i32":
        return samples.astype(np.int32) * np.int32(65536)
    # Everything else through float64, which holds every i32 exactly.
    values = samples.astype(np.float64)
    if source in _SCALE:
        values /= _SCALE[source]
    if target.startswith("f"):
        return values.astype(FORMATS[target])
    info = np.iinfo(FORMATS[target])
    values[np.isnan(values)] = 0.0  # NaN has no integer value: silence, as the native plugin does
    scaled = np.rint(values * _SCALE[target])
    np.clip(scaled, info.min, info.max, out=scaled)
    return scaled.astype(FORMATS[target])
