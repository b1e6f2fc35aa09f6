"""The parameters of the built-in nodes: names, types, ranges and choices.

One table, checked at construction by every built-in node (so a misspelt
or out-of-range parameter fails at once, on the pure-Python path as on the
native one), with the native runtime's rules and wording: an unknown name is
a :class:`ConfigurationError` with a did-you-mean and the valid names.

For nodes with a native twin the entries are those the native plugin
declares (``rmrun inspect --json TYPE``); ``tests/python/test_params.py``
checks that they agree whenever the native runtime is installed. Entries
with ``python=False`` exist only in the native plugin: the Python
implementation has no equivalent, so the node refuses them and points to
:class:`~remotemedia.nodes.NativeNode`.

User subclasses of a built-in node may take parameters of their own: an
unknown name is only refused on the built-in class itself (it goes into
``config``, as for any :class:`~remotemedia.core.node.Node`).
"""

from __future__ import annotations

import difflib
import math
import numbers
import os
from dataclasses import dataclass
from typing import Any, Dict, Optional, Tuple

from ..core.exceptions import ConfigurationError
from ..core.node import Node, node_label
from ..dsp.formats import FORMATS
from ..dsp.resample import QUALITIES
from ..io.audio_files import SUBTYPES

__all__ = ["Param", "PARAMS", "NODE_KEYWORDS", "check_params", "ParameterTypeError"]

#: Keyword arguments every node takes that are not params (see Node).
NODE_KEYWORDS = frozenset({"name", "runtime_hint", "retry", "timeout_ms", "breaker", "on_error"})


class ParameterTypeError(ConfigurationError, TypeError):
    """A parameter of the wrong type (a :class:`ConfigurationError`, and a
    ``TypeError`` as the SDK raised for it before)."""


@dataclass(frozen=True)
class Param:
    """One parameter.

    Attributes:
        kind: ``"int"`` (a whole number), ``"float"``, ``"number"`` (int or
            float in Python; the native plugin's ``int``), ``"bool"``,
            ``"enum"``, ``"string"`` or ``"path"`` (str or os.PathLike; the
            native ``string``).
        min, max: inclusive bounds, or ``None``.
        exclusive: the bounds are exclusive.
        values: the choices of an ``enum``.
        required: no default.
        python: the Python implementation supports it (``False``: native only).
    """

    kind: str
    min: Optional[float] = None
    max: Optional[float] = None
    values: Tuple[str, ...] = ()
    exclusive: bool = False
    required: bool = False
    python: bool = True


_FORMATS = tuple(FORMATS)

PARAMS: Dict[str, Dict[str, Param]] = {
    "PassThroughNode": {},
    "MultiplyNode": {"factor": Param("float")},
    "AddNode": {"addend": Param("float")},
    "AudioResampleNode": {
        "target_sample_rate": Param("int", 1, 768000),
        "quality": Param("enum", values=QUALITIES),
        "backend": Param("enum", values=("soxr", "samplerate"), python=False),
        "phase": Param("enum", values=("linear", "intermediate", "minimum"), python=False),
        "emit": Param("enum", values=("per_input", "immediate"), python=False),
    },
    "FormatConverterNode": {
        "target_format": Param("enum", values=_FORMATS),
        "layout": Param("enum", values=("keep", "interleaved", "planar"), python=False),
        "channels": Param("int", 0, 64),
    },
    "VADNode": {
        "frame_duration_ms": Param("number", 1, 10000),
        "energy_threshold": Param("float", 0),
    },
    "VoiceActivityDetector": {
        "frame_duration_ms": Param("number", 1, 10000),
        "energy_threshold": Param("float", 0),
        "speech_threshold": Param("float", 0, 1),
        "filter_mode": Param("bool"),
        "include_metadata": Param("bool"),
    },
    "SpeechSegmenter": {
        "frame_ms": Param("int", 10, 30),
        "threshold": Param("float", 0, 1),
        "min_speech_ms": Param("int", 0, 60000),
        "min_silence_ms": Param("int", 0, 60000),
        "padding_ms": Param("int", 0, 10000),
        "emit_audio": Param("bool"),
        "max_segment_ms": Param("int", 0, 3600000),
    },
    "AudioFileSource": {
        "path": Param("path", required=True),
        "chunk_seconds": Param("float", 0.001, 3600),
        "format": Param("enum", values=_FORMATS),
        "layout": Param("enum", values=("planar", "interleaved"), python=False),
        "decoder": Param("enum", values=("auto", "sndfile", "ffmpeg"), python=False),
    },
    "AudioFileSink": {
        "path": Param("path", required=True),
        "format": Param("enum", values=("auto", "wav", "flac", "ogg", "mp3", "opus")),
        "subtype": Param("enum", values=SUBTYPES),
    },
    # Python-only nodes.
    "AudioTransform": {
        "output_sample_rate": Param("int", 1, 768000),
        "output_channels": Param("int", 1, 64),
    },
    "AudioBuffer": {"buffer_size_samples": Param("int", 1)},
    "MediaReaderNode": {
        "path": Param("path", required=True),
        "chunk_size": Param("int", 1),
        "streams": Param("enum", values=("audio", "video", "all")),
        "realtime": Param("bool"),
    },
    "AudioTrackSource": {},
    "SileroVADNode": {
        "threshold": Param("float", 0, 1, exclusive=True),
        "min_speech_ms": Param("number", 0),
        "min_silence_ms": Param("number", 0),
        "padding_ms": Param("number", 0),
    },
}


def _type_error(where: str, expected: str, value: Any) -> ParameterTypeError:
    return ParameterTypeError(f"{where} must be {expected}, got {value!r} ({type(value).__name__})")


def _checked(where: str, spec: Param, value: Any) -> Any:
    """``value`` validated against ``spec`` (ints as int, paths as str)."""
    if spec.kind == "bool":
        if not isinstance(value, bool) and type(value).__name__ != "bool_":
            raise _type_error(where, "true or false", value)
        return bool(value)
    if spec.kind in ("enum", "string"):
        if not isinstance(value, str):
            raise _type_error(where, "a string", value)
        if spec.kind == "enum" and value not in spec.values:
            close = difflib.get_close_matches(value, spec.values, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise ConfigurationError(f"{where} must be one of {', '.join(spec.values)}; got {value!r}{hint}")
        return value
    if spec.kind == "path":
        if not isinstance(value, (str, os.PathLike)):
            raise _type_error(where, "a path (str or os.PathLike)", value)
        return os.fspath(value)
    # numbers
    integral = spec.kind == "int"
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise _type_error(where, "a whole number" if integral else "a number", value)
    if not math.isfinite(value) or (integral and value != int(value)):
        raise ConfigurationError(f"{where} must be {'a whole number' if integral else 'a finite number'}, "
                                 f"got {value!r}")
    low = spec.min is not None and (value <= spec.min if spec.exclusive else value < spec.min)
    high = spec.max is not None and (value >= spec.max if spec.exclusive else value > spec.max)
    if low or high:
        raise ConfigurationError(f"{where} must be {_range_text(spec)}, got {value!r}")
    return int(value) if integral else value


def _range_text(spec: Param) -> str:
    def num(x: float) -> str:
        return f"{x:g}"

    if spec.min is not None and spec.max is not None:
        brackets = "()" if spec.exclusive else "[]"
        return f"in {brackets[0]}{num(spec.min)}, {num(spec.max)}{brackets[1]}"
    if spec.min is not None:
        return f"{'>' if spec.exclusive else '>='} {num(spec.min)}"
    return f"{'<' if spec.exclusive else '<='} {num(spec.max)}"  # type: ignore[arg-type]


def check_params(node: Node, cls: type, given: Dict[str, Any], name: Optional[str] = None) -> Dict[str, Any]:
    """Validate the keyword arguments of ``node``, an instance of the
    built-in node class ``cls`` (or of a user subclass of it), named
    ``name`` (or ``given["name"]``): messages start ``node 'vad'
    (SpeechSegmenter): `` as the native runtime's do, or with the type
    alone for a node without a name.

    Node keywords (``name``, ``runtime_hint``, ``retry``, ``timeout_ms``,
    ``breaker``) pass through; params are checked against :data:`PARAMS`
    and returned normalised. An unknown name is refused (with a
    did-you-mean) unless ``node`` is a user subclass, whose own params go
    into ``config`` unchecked.

    Raises:
        ConfigurationError: unknown or native-only name, value out of range,
            not one of an enum's values (:class:`ParameterTypeError`, also a
            ``TypeError``, for a value of the wrong type).
    """
    node_type = cls.__name__
    label = node_label(node_type, name if name is not None else given.get("name"))
    specs = PARAMS[node_type]
    strict = type(node) is cls
    checked: Dict[str, Any] = {}
    for key, value in given.items():
        spec = specs.get(key)
        if key in NODE_KEYWORDS:
            checked[key] = value
        elif spec is None:
            if strict:
                raise ConfigurationError(_unknown(label, key, specs))
            checked[key] = value
        elif not spec.python:
            raise ConfigurationError(
                f"{label}: parameter {key!r} exists only in the native plugin (the Python implementation has "
                f"no equivalent); use NativeNode({node_type!r}, {key}=...) from remotemedia.nodes for it"
            )
        else:
            checked[key] = _checked(f"{label}: {key}", spec, value)
    return checked


def _unknown(label: str, key: str, specs: Dict[str, Param]) -> str:
    names = [name for name, spec in specs.items() if spec.python]
    if not names:
        return f"{label}: unknown parameter {key!r}: it takes no parameters"
    close = difflib.get_close_matches(key, names, n=1, cutoff=0.6)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    return f"{label}: unknown parameter {key!r}{hint}; valid parameters: {', '.join(names)}"
