"""SpeechSegmenter: spectral VAD that outputs speech segments."""

from __future__ import annotations

from dataclasses import fields
from typing import Any, Dict, List, Optional, Tuple

import numpy as np

from ...core.exceptions import ConfigurationError
from ...core.node import Node
from ...dsp.energy import downmix
from ...dsp.speech import SegmentTracker, SegmenterParams, SpectralVAD
from ._input import parse_audio, to_float

__all__ = ["SpeechSegmenter"]


class SpeechSegmenter(Node):
    """Finds speech in audio: segments ``[(start_s, end_s), ...]`` plus
    per-frame scores and decisions, optionally the speech-only audio.

    The detector (see :mod:`remotemedia.dsp.speech`) scores each frame from
    its speech-band energy ratio (300–3400 Hz), spectral flatness and level
    above an adaptive noise floor, so it ignores steady noise and broadband
    bursts that fool energy thresholds; it works at any sample rate.

    Output per item, a dict:

    * ``segments`` — list of ``(start_s, end_s)`` tuples, seconds;
    * ``frame_scores`` (float32) and ``frame_decisions`` (bool) — one per
      frame of ``frame_ms``; decisions include the hangover but not the
      min-duration rules and padding that shape ``segments``;
    * ``frame_offset`` — index of the first of these frames in the stream;
    * ``frame_duration_ms``, ``sample_rate``;
    * ``speech_audio`` — when ``emit_audio``: ``(samples, rate)``, the
      segments' audio (all channels, input dtype) concatenated, or ``None``
      when there is none.

    With ``streaming=False`` (default) each item is a separate clip. With
    ``streaming=True`` the node keeps its state between items: an item's
    output holds the segments that *closed* during it and the frames it
    completed (times count from the start of the stream); ``flush()`` (run at
    end of stream) returns the rest.

    Args (names and defaults shared with the native plugin):
        frame_ms: analysis frame (and hop) in milliseconds (the native
            plugin takes 10, 20 or 30).
        threshold: score above which a frame is speech, in [0, 1).
        min_speech_ms: shorter segments are dropped.
        min_silence_ms: shorter pauses do not split a segment.
        padding_ms: added before and after each segment (at most
            ``min_silence_ms / 2``).
        emit_audio: include ``speech_audio`` (``return_audio`` is accepted
            as another name).
        streaming: keep state across items (see above).
        runtime_hint: ``"auto"``, ``"native"`` or ``"python"``.
        name: the node's name.
        **params: Python-only tuning of :class:`~remotemedia.dsp.speech.SegmenterParams`
            (``hangover_ms``, ``min_level_db``, ``band_low_hz``, ...).
    """

    def __init__(self, frame_ms: float = 30, threshold: float = 0.5, min_speech_ms: float = 100,
                 min_silence_ms: float = 300, padding_ms: float = 100, emit_audio: bool = False,
                 streaming: bool = False, runtime_hint: str = "auto", name: Optional[str] = None,
                 **params: Any) -> None:
        emit_audio = bool(params.pop("return_audio", emit_audio))
        tuning_names = {f.name for f in fields(SegmenterParams)}
        tuning = {k: params.pop(k) for k in list(params) if k in tuning_names}
        try:
            self._params = SegmenterParams(frame_ms=frame_ms, threshold=threshold, min_speech_ms=min_speech_ms,
                                           min_silence_ms=min_silence_ms, padding_ms=padding_ms, **tuning)
            self._params.validate()
        except (TypeError, ValueError) as exc:
            raise ConfigurationError(f"SpeechSegmenter: {exc}") from None
        # The params shared with the native plugin always go into the config;
        # Python-only ones only when they are set, so a default node's
        # manifest validates against the native plugin's parameter list.
        config: Dict[str, Any] = {"frame_ms": frame_ms, "threshold": threshold, "min_speech_ms": min_speech_ms,
                                  "min_silence_ms": min_silence_ms, "padding_ms": padding_ms,
                                  "emit_audio": emit_audio}
        config.update(tuning)
        if streaming:
            config["streaming"] = True
        super().__init__(name=name, runtime_hint=runtime_hint, **config, **params)
        self.emit_audio = emit_audio
        self.streaming = bool(streaming)
        self._reset()

    def _reset(self) -> None:
        self._vad: Optional[SpectralVAD] = None
        self._tracker: Optional[SegmentTracker] = None
        self._channels: Optional[int] = None
        self._dtype: Optional[np.dtype] = None
        self._samples_seen = 0
        self._audio: List[np.ndarray] = []  # kept only when return_audio
        self._audio_start = 0  # absolute frame (sample) index of self._audio's start

    def reset(self) -> None:
        """Forget the stream state (streaming mode)."""
        self._reset()

    def process(self, data: Any) -> Dict[str, Any]:
        """Segment one clip (or the next chunk of the stream); see the class doc."""
        item = parse_audio(self, data)
        if not self.streaming:
            self._reset()
        if self._vad is None:
            self._vad = SpectralVAD(item.sample_rate, self._params)
            self._tracker = SegmentTracker(self._vad.frame_seconds, self._params)
            self._channels, self._dtype = item.samples_2d.shape[0], item.samples_2d.dtype
        elif item.sample_rate != self._vad.sample_rate or item.samples_2d.shape[0] != self._channels:
            raise ValueError(
                f"SpeechSegmenter '{self.name}': the stream changed from {self._vad.sample_rate} Hz, "
                f"{self._channels} channel(s) to {item.sample_rate} Hz, {item.samples_2d.shape[0]} channel(s); "
                "call reset() (or use a new node) for a new stream"
            )
        offset = self._tracker.frames_seen
        if self.emit_audio:
            self._audio.append(item.samples_2d)
        self._samples_seen += item.samples_2d.shape[1]
        scores, decisions = self._vad.feed(downmix(to_float(item.samples_2d)))
        closed = self._tracker.feed(decisions)
        if not self.streaming:
            tail_scores, tail_decisions = self._vad.finish()
            scores = np.concatenate([scores, tail_scores])
            decisions = np.concatenate([decisions, tail_decisions])
            closed += self._tracker.feed(tail_decisions) + self._tracker.finish()
        return self._result(closed, scores, decisions, offset)

    def flush(self) -> Optional[Dict[str, Any]]:
        """End of stream (streaming mode): the remaining frames and segments."""
        if not self.streaming or self._vad is None:
            return None
        offset = self._tracker.frames_seen
        scores, decisions = self._vad.finish()
        closed = self._tracker.feed(decisions) + self._tracker.finish()
        result = self._result(closed, scores, decisions, offset)
        self._reset()
        return result

    def _result(self, closed: List[Tuple[int, int]], scores: np.ndarray, decisions: np.ndarray,
                offset: int) -> Dict[str, Any]:
        rate = self._vad.sample_rate
        limit = self._samples_seen / rate
        segments = [self._tracker.to_seconds(seg, limit) for seg in closed]
        result: Dict[str, Any] = {
            "segments": segments,
            "frame_scores": scores,
            "frame_decisions": decisions,
            "frame_offset": offset,
            "frame_duration_ms": self._vad.frame_seconds * 1000.0,
            "sample_rate": rate,
        }
        if self.emit_audio:
            result["speech_audio"] = self._take_audio(segments, rate)
        return result

    def _take_audio(self, segments: List[Tuple[float, float]], rate: int) -> Optional[Tuple[np.ndarray, int]]:
        """Cut the segments out of the kept audio and drop what is no longer needed."""
        kept = np.concatenate(self._audio, axis=1) if self._audio else np.zeros((self._channels, 0), self._dtype)
        pieces = []
        for start_s, end_s in segments:
            a = max(0, int(round(start_s * rate)) - self._audio_start)
            b = max(a, int(round(end_s * rate)) - self._audio_start)
            pieces.append(kept[:, a:b])
        # Keep what an open or future segment (with its padding) may still need.
        open_start = self._tracker._start
        if open_start is not None:
            keep_from = int(open_start * self._vad.frame_samples - self._tracker.padding_s * rate)
        else:
            keep_from = self._samples_seen - int(self._tracker.padding_s * rate) - self._vad.frame_samples * 2
        if segments:
            keep_from = max(keep_from, int(round(segments[-1][1] * rate)))
        keep_from = min(max(keep_from, self._audio_start), self._samples_seen)
        drop = keep_from - self._audio_start
        self._audio = [kept[:, drop:]] if kept.shape[1] - drop > 0 else []
        self._audio_start = keep_from
        if not pieces:
            return None
        return (np.concatenate(pieces, axis=1), rate)
