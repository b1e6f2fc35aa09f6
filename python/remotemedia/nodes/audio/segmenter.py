"""SpeechSegmenter: spectral speech detection with segments."""

from __future__ import annotations

from typing import Any, AsyncIterator, Dict, Optional

import numpy as np

from ...core.exceptions import ConfigurationError
from ...core.node import Node, node_label
from ...dsp.energy import downmix
from ...dsp.speech import FRAME_MS_CHOICES, SpeechSegmenterState
from .._params import check_params
from ...core.audio_input import parse_audio, to_float

__all__ = ["SpeechSegmenter"]


class SpeechSegmenter(Node):
    """Finds speech: segments ``[(start_s, end_s), ...]``, per-frame
    decisions and scores, optionally each segment's audio.

    The model (see :mod:`remotemedia.dsp.speech`) is the native plugin's:
    speech-band level over an adaptive noise floor and over a learnt
    background (level, flatness and band ratio of the frames near the floor,
    so stationary noise and babble become background), combined into a
    score with hysteresis; steady tones, beeps, DTMF and broadband noise
    bursts are vetoed; any sample rate from 1 kHz.

    **Called directly**, ``process((samples, rate))`` analyses one clip and
    returns ``{"segments", "frames", "scores", "first_frame": 0, "frame_s",
    "final": True, "total_frames"}`` (+ ``"audio"`` with ``emit_audio``).

    **In a pipeline** the node receives the stream (``is_streaming``) and
    emits, like the native plugin, one dict per input chunk::

        {"segments": [(start_s, end_s), ...],  # segments closed by this chunk
         "frames": bool array, "scores": float32 array,  # its complete frames
         "first_frame": n, "frame_s": seconds per frame}

    and one at end of stream: ``{"segments": [...all segments...], "final":
    True, "total_frames": n}`` (also for an empty stream). A chunk with no
    frames gives no output and changes nothing; the channel count may change
    (the mean is analysed), the sample rate may not. With ``emit_audio`` each dict also has
    ``"audio"``: a list of ``(mono float32 samples, rate)``, one per segment
    closed in it. Times count from the start of the stream.

    Args:
        frame_ms: analysis frame: 10, 20 or 30 ms.
        threshold: score threshold in [0, 1] (hysteresis 0.1 below it).
        min_speech_ms: segments with less speech (frames above threshold)
            than this are dropped.
        min_silence_ms: silence that closes a segment (shorter pauses are bridged).
        padding_ms: widen each segment by this on both sides.
        emit_audio: include each segment's mono audio (``return_audio`` is
            accepted as another name).
        max_segment_ms: split segments longer than this into contiguous
            pieces (bounds the memory ``emit_audio`` needs); 0 = no limit.
        runtime_hint: ``"auto"``, ``"native"`` or ``"python"``.
        name: the node's name.
    """

    native_twin = "SpeechSegmenter"

    is_streaming = True

    def __init__(self, frame_ms: int = 30, threshold: float = 0.5, min_speech_ms: int = 100,
                 min_silence_ms: int = 300, padding_ms: int = 30, emit_audio: bool = False,
                 runtime_hint: str = "auto", name: Optional[str] = None, max_segment_ms: int = 30000,
                 **params: Any) -> None:
        emit_audio = params.pop("return_audio", emit_audio)
        params = check_params(self, SpeechSegmenter, dict(
            frame_ms=frame_ms, threshold=threshold, min_speech_ms=min_speech_ms, min_silence_ms=min_silence_ms,
            padding_ms=padding_ms, emit_audio=emit_audio, max_segment_ms=max_segment_ms, **params), name=name)
        if params["frame_ms"] not in FRAME_MS_CHOICES:
            raise ConfigurationError(f"{node_label('SpeechSegmenter', name)}: frame_ms must be 10, 20 or 30; "
                                     f"got {frame_ms!r}")
        super().__init__(name=name, runtime_hint=runtime_hint, **params)
        self.frame_ms = frame_ms
        self.threshold = threshold
        self.min_speech_ms = min_speech_ms
        self.min_silence_ms = min_silence_ms
        self.padding_ms = padding_ms
        self.emit_audio = emit_audio
        self.max_segment_ms = max_segment_ms

    def _new_state(self, sample_rate: int) -> SpeechSegmenterState:
        try:
            return SpeechSegmenterState(sample_rate, self.frame_ms, self.threshold, int(self.min_speech_ms),
                                        int(self.min_silence_ms), int(self.padding_ms), keep_audio=self.emit_audio,
                                        max_segment_ms=int(self.max_segment_ms))
        except ValueError as exc:
            raise ValueError(f"{node_label(self)}: {exc}") from None

    def process(self, data: Any) -> Any:
        """One clip → its result dict; an async iterator of chunks → an async
        generator of per-chunk dicts and the final one (see the class doc)."""
        if hasattr(data, "__aiter__"):
            return self._stream(data)
        item = parse_audio(self, data)
        state = self._new_state(item.sample_rate)
        decisions, scores, _, _ = state.push(self._mono(item.samples_2d))
        audio = list(state.closed_audio)
        state.finish()
        audio += state.closed_audio
        result: Dict[str, Any] = {
            "segments": [(s.start_s, s.end_s) for s in state.segments],
            "frames": decisions,
            "scores": scores,
            "first_frame": 0,
            "frame_s": state.frame_seconds,
            "final": True,
            "total_frames": state.frames_total,
        }
        if self.emit_audio:
            result["audio"] = [(samples, item.sample_rate) for samples in audio]
        return result

    @staticmethod
    def _mono(samples_2d: np.ndarray) -> np.ndarray:
        return downmix(to_float(samples_2d)).astype(np.float32)

    async def _stream(self, chunks: AsyncIterator[Any]) -> AsyncIterator[Dict[str, Any]]:
        state: Optional[SpeechSegmenterState] = None
        async for data in chunks:
            item = parse_audio(self, data)
            if item.samples_2d.shape[1] == 0:
                continue  # no frames: no output, no state change (as the plugin)
            if state is None:
                state = self._new_state(item.sample_rate)
            elif item.sample_rate != state.sample_rate:
                raise ValueError(
                    f"{node_label(self)}: sample_rate changed from {state.sample_rate} to "
                    f"{item.sample_rate} Hz within a stream"
                )
            decisions, scores, first_frame, closed = state.push(self._mono(item.samples_2d))
            output: Dict[str, Any] = {
                "segments": [(s.start_s, s.end_s) for s in closed],
                "frames": decisions,
                "scores": scores,
                "first_frame": first_frame,
                "frame_s": state.frame_seconds,
            }
            self._attach_audio(output, state)
            yield output
        if state is None:  # no audio at all: the plugin's flush says so too
            final: Dict[str, Any] = {"segments": [], "final": True, "total_frames": 0}
            if self.emit_audio:
                final["audio"] = []
            yield final
            return
        state.finish()
        final = {
            "segments": [(s.start_s, s.end_s) for s in state.segments],
            "final": True,
            "total_frames": state.frames_total,
        }
        self._attach_audio(final, state)
        yield final

    def _attach_audio(self, output: Dict[str, Any], state: SpeechSegmenterState) -> None:
        if self.emit_audio:
            output["audio"] = [(samples, state.sample_rate) for samples in state.closed_audio]


