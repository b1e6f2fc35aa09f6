"""Native twins whose plugin splits the Python result over two output ports.

The native VAD nodes (docs/audio-nodes.md) emit per input item:

* ``VADNode``: the audio item on port 0, then a JSON info item on port 1;
* ``VoiceActivityDetector``: the same (audio, then the metadata JSON);
* ``SpeechSegmenter``: a JSON item on port 0 (per chunk, and a final one at
  flush), then, with ``emit_audio``, one mono audio item per segment closed
  by it on port 1.

Their Python implementations return one value per input instead
(``(samples_2d, rate, info)``, ``((samples_2d, rate), metadata)``, a dict).
When such a node is the pipeline's last node, its items reach the sink,
which collects both ports' items **in emission order**; :class:`SplitTwin`
rebuilds the Python values from that sequence. Anywhere else the next node
expects the Python value, so the node runs in Python (see
``native_exec.native_types_for``).

Each twin also says which native params express the node's config (``None``:
not expressible, e.g. a fractional frame length the plugin's int param
cannot take: run in Python), and how to check that the installed plugin has
the semantics the SDK relies on (an older plugin build runs in Python).
"""

from __future__ import annotations

import math
import numbers
from typing import Any, Callable, Dict, Iterator, List, Optional, Tuple

import numpy as np

from .audio_input import parse_audio
from .direct_call import python_method
from .node import Node

__all__ = ["SplitTwin", "SPLIT_TWINS"]


def _integral(value: Any, low: float, high: float) -> Optional[int]:
    """``int(value)`` when ``value`` is a real number in [low, high] (the
    Python nodes truncate with ``int()`` too), else ``None``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value):
        return None
    return int(value) if low <= value <= high else None


def _finite(value: Any) -> Optional[float]:
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value):
        return None
    return float(value)


def _float_or_inf(value: Any) -> float:
    """The plugin writes non-finite numbers as JSON null; an average frame
    energy is >= 0, so null means +Inf."""
    return math.inf if value is None else float(value)


def _audio_then_json(values: List[Any]) -> Iterator[Tuple[Tuple[np.ndarray, int], Dict[str, Any]]]:
    """(audio, info) pairs from ``[audio, json, audio, json, ...]``; stops at
    an incomplete pair (the partial results of a failed run)."""
    it = iter(values)
    for audio in it:
        info = next(it, None)
        if not (isinstance(audio, tuple) and isinstance(info, dict)):
            return
        yield audio, info


class SplitTwin:
    """How one split-output node type runs natively as the last node.

    Args:
        params: node -> the native params, or ``None`` when the plugin cannot
            express the node's config.
        rebuild: ``(node, audio, info, metadata)`` -> the Python output for
            one input (``None``: nothing, e.g. a chunk filtered out). Energy
            VADs only; the segmenter uses ``reassemble`` directly.
        probe: ``(params, inputs, check)``: a tiny run of the installed plugin
            and a check of its raw outputs that only a plugin with the SDK's
            semantics passes.
    """

    def __init__(self, params: Callable[[Node], Optional[Dict[str, Any]]],
                 probe: Tuple[Dict[str, Any], List[Any], Callable[[List[Any]], bool]],
                 rebuild: Optional[Callable[..., Any]] = None,
                 reassemble: Optional[Callable[[Node, List[Any], Optional[List[Any]]], List[Any]]] = None) -> None:
        self.params = params
        self.probe = probe
        self._rebuild = rebuild
        self._reassemble = reassemble

    def reassemble(self, node: Node, values: List[Any], inputs: Optional[List[Any]]) -> List[Any]:
        """The Python outputs from the sink's items (``values``, converted
        from native, in emission order). ``inputs``: the pipeline's inputs
        when the node received them directly (it is also the first node),
        else ``None``."""
        if self._reassemble is not None:
            return self._reassemble(node, values, inputs)
        return self._reassemble_energy(node, values, inputs)

    def _reassemble_energy(self, node: Node, values: List[Any], inputs: Optional[List[Any]]) -> List[Any]:
        assert self._rebuild is not None
        pairs = _audio_then_json(values)
        outputs: List[Any] = []
        if inputs is None:
            for audio, info in pairs:
                result = self._rebuild(node, audio, info, None)
                if result is not None:
                    outputs.append(result)
            return outputs

        for data in inputs:
            item = parse_audio(node, data)
            if item.samples_2d.shape[1] == 0:
                # The plugin emits nothing for an empty item; the Python node
                # answers it (no frames: the history is not touched).
                result = python_method(node, "process")(data) if not getattr(node, "is_streaming", False) else node._chunk(data)
            else:
                pair = next(pairs, None)
                if pair is None:
                    break
                result = self._rebuild(node, pair[0], pair[1], item.metadata)
            if result is not None:
                outputs.append(result)
        return outputs


# -- VADNode --------------------------------------------------------------


def _vad_params(node: Node) -> Optional[Dict[str, Any]]:
    ms = getattr(node, "frame_duration_ms", None)
    threshold = _finite(getattr(node, "energy_threshold", None))
    if ms != _integral(ms, 1, 10000) or threshold is None or threshold < 0:
        return None  # a fractional frame length: the plugin's param is an int
    return {"frame_duration_ms": int(ms), "energy_threshold": threshold}


def _vad_rebuild(node: Node, audio: Tuple[np.ndarray, int], info: Dict[str, Any], metadata: Any) -> Any:
    samples, rate = audio
    return (samples, rate, {
        "is_speech": bool(info["is_speech"]),
        "speech_frames": int(info["speech_frames"]),
        "total_frames": int(info["total_frames"]),
        "speech_ratio": float(info["speech_ratio"]),
        "avg_energy": _float_or_inf(info["avg_energy"]),
        "frame_duration_ms": node.frame_duration_ms,  # type: ignore[attr-defined]
    })


# -- VoiceActivityDetector -------------------------------------------------


def _detector_params(node: Node) -> Optional[Dict[str, Any]]:
    params = _vad_params(node)
    speech_threshold = _finite(getattr(node, "speech_threshold", None))
    if params is None or speech_threshold is None or not 0 <= speech_threshold <= 1:
        return None
    # Always the full output (audio + metadata per chunk): filter_mode and
    # include_metadata are applied when rebuilding, where is_speech is known.
    params.update(speech_threshold=speech_threshold, filter_mode=False, include_metadata=True)
    return params


def _detector_rebuild(node: Node, audio: Tuple[np.ndarray, int], info: Dict[str, Any], metadata: Any) -> Any:
    is_speech = bool(info["is_speech"])
    if node.filter_mode:  # type: ignore[attr-defined]
        return audio if is_speech else None
    if not node.include_metadata:  # type: ignore[attr-defined]
        return audio
    result = dict(metadata or {})
    result.update({
        "is_speech": is_speech,
        "speech_ratio": float(info["speech_ratio"]),
        "avg_energy": _float_or_inf(info["avg_energy"]),
        "frame_duration_ms": node.frame_duration_ms,  # type: ignore[attr-defined]
    })
    return (audio, result)


# -- SpeechSegmenter ---------------------------------------------------------


def _segmenter_params(node: Node) -> Optional[Dict[str, Any]]:
    get = lambda name: getattr(node, name, None)  # noqa: E731
    values = {
        "frame_ms": _integral(get("frame_ms"), 10, 30),
        "min_speech_ms": _integral(get("min_speech_ms"), 0, 60000),
        "min_silence_ms": _integral(get("min_silence_ms"), 0, 60000),
        "padding_ms": _integral(get("padding_ms"), 0, 10000),
        "max_segment_ms": _integral(get("max_segment_ms"), 0, 3600000),
    }
    threshold = _finite(get("threshold"))
    if any(v is None for v in values.values()) or threshold is None:
        return None
    params: Dict[str, Any] = dict(values)
    params.update(threshold=threshold, emit_audio=bool(get("emit_audio")))
    return params


def _segmenter_dict(node: Node, value: Dict[str, Any]) -> Dict[str, Any]:
    segments = [(float(start), float(end)) for start, end in value["segments"]]
    result: Dict[str, Any]
    if value.get("final"):
        result = {"segments": segments, "final": True, "total_frames": int(value["total_frames"])}
    else:
        result = {
            "segments": segments,
            "frames": np.asarray(value["frames"], dtype=bool),
            "scores": np.asarray(value["scores"], dtype=np.float32),
            "first_frame": int(value["first_frame"]),
            "frame_s": float(value["frame_s"]),
        }
    if node.emit_audio:  # type: ignore[attr-defined]
        result["audio"] = []
    return result


def _segmenter_reassemble(node: Node, values: List[Any], inputs: Optional[List[Any]]) -> List[Any]:
    # Empty chunks give nothing on either side, so the inputs are not needed.
    outputs: List[Dict[str, Any]] = []
    for value in values:
        if isinstance(value, dict):
            outputs.append(_segmenter_dict(node, value))
        elif outputs and "audio" in outputs[-1] and isinstance(value, tuple):
            samples, rate = value  # mono (1, n): the Python node gives 1-D
            outputs[-1]["audio"].append((samples[0], rate))
    return outputs


# -- probes: does the installed plugin have the semantics relied on? ----------

_TONE = (np.full(480, 0.1, dtype=np.float32), 16000)  # one 30 ms frame, RMS 0.1

SPLIT_TWINS: Dict[str, SplitTwin] = {
    # VADNode's info JSON must carry the SDK's avg_energy (added 2026-11).
    "VADNode": SplitTwin(
        _vad_params, ({}, [_TONE], lambda out: len(out) == 2 and "avg_energy" in out[1]), rebuild=_vad_rebuild),
    # The first chunk is judged by energy_threshold (the history before it):
    # an older build judged it by its own energies (not speech here).
    "VoiceActivityDetector": SplitTwin(
        _detector_params, ({}, [_TONE], lambda out: len(out) == 2 and out[1].get("is_speech") is True),
        rebuild=_detector_rebuild),
    # max_segment_ms and exact frame_s (330 / 11025 s needs 17 digits).
    "SpeechSegmenter": SplitTwin(
        _segmenter_params,
        ({"max_segment_ms": 30000}, [(np.zeros(700, dtype=np.float32), 11025)],
         lambda out: len(out) == 2 and out[0].get("frame_s") == 330 / 11025),
        reassemble=_segmenter_reassemble),
}
