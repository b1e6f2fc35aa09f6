"""Energy-based voice activity detection: VADNode and VoiceActivityDetector.

Both frame the channel mean in frames of ``int(rate * frame_duration_ms /
1000)`` samples, drop the tail shorter than a frame, and compare each
frame's RMS with a threshold. Integer samples are first scaled to [-1, 1]
(i16 / 32768, i32 / 2**31) so the threshold means the same for every format.
For a better detector see :class:`~remotemedia.nodes.audio.SpeechSegmenter`.
"""

from __future__ import annotations

from collections import deque
from typing import Any, AsyncIterator, Deque, Dict, List, Optional, Tuple

import numpy as np

from ...core.node import Node, node_label
from ...dsp.energy import downmix, frame_rms, frame_size, mean_energy
from .._params import check_params
from ...core.audio_input import parse_audio, to_float

__all__ = ["VADNode", "VoiceActivityDetector", "adaptive_threshold"]

#: How many recent frame energies the adaptive threshold looks at.
ENERGY_HISTORY = 100


def adaptive_threshold(history: List[float], energy_threshold: float) -> float:
    """``energy_threshold`` with no history; else
    ``0.7 * 2.5 * e[int(0.3 * n)] + 0.3 * energy_threshold`` over the sorted
    energies ``e`` (``n`` of them)."""
    if not history:
        return float(energy_threshold)
    ordered = sorted(history)
    noise_floor = ordered[int(0.3 * len(ordered))]
    return 0.7 * (2.5 * noise_floor) + 0.3 * float(energy_threshold)


def _frame_energies(node: Node, samples_2d: np.ndarray, sample_rate: int, frame_duration_ms: float) -> np.ndarray:
    frame_samples = frame_size(sample_rate, frame_duration_ms)
    if frame_samples <= 0:
        raise ValueError(
            f"{node_label(node)}: frame_duration_ms={frame_duration_ms} at "
            f"{sample_rate} Hz gives frames of {frame_samples} samples; use a longer frame"
        )
    energies = frame_rms(downmix(to_float(samples_2d)), frame_samples)
    # A NaN frame (NaN samples) counts as energy 0, as in the native plugin;
    # +Inf stays (speech).
    return np.where(np.isnan(energies), 0.0, energies)


class VADNode(Node):
    """Marks whether a chunk of audio contains speech (energy threshold).

    Returns ``(samples_2d, sample_rate, info)`` with ``info`` =
    ``{"is_speech", "speech_frames", "total_frames", "speech_ratio",
    "avg_energy", "frame_duration_ms"}``; a frame is speech iff its RMS >
    ``energy_threshold``; ``is_speech`` iff at least one frame is.

    Args:
        frame_duration_ms: frame length in milliseconds.
        energy_threshold: RMS threshold (samples in [-1, 1]).
        runtime_hint: ``"auto"``, ``"native"`` or ``"python"``.
        name: the node's name.
    """

    native_twin = "VADNode"

    def __init__(self, frame_duration_ms: float = 30, energy_threshold: float = 0.02, runtime_hint: str = "auto",
                 name: Optional[str] = None, **params: Any) -> None:
        super().__init__(name=name, runtime_hint=runtime_hint, **check_params(self, VADNode, dict(
            frame_duration_ms=frame_duration_ms, energy_threshold=energy_threshold, **params), name=name))
        self.frame_duration_ms = frame_duration_ms
        self.energy_threshold = energy_threshold

    def process(self, data: Any) -> Tuple[np.ndarray, int, Dict[str, Any]]:
        """Return ``(samples_2d, sample_rate, info)``."""
        item = parse_audio(self, data)
        energies = _frame_energies(self, item.samples_2d, item.sample_rate, self.frame_duration_ms)
        speech_frames = int(np.count_nonzero(energies > self.energy_threshold))
        total = int(len(energies))
        info = {
            "is_speech": speech_frames > 0,
            "speech_frames": speech_frames,
            "total_frames": total,
            "speech_ratio": speech_frames / total if total else 0.0,
            "avg_energy": mean_energy(energies),
            "frame_duration_ms": self.frame_duration_ms,
        }
        return (item.samples_2d, item.sample_rate, info)


class VoiceActivityDetector(Node):
    """Streaming VAD with a threshold that adapts to the background level.

    For every chunk: the threshold is fixed at the chunk's start from the last
    100 frame energies (see :func:`adaptive_threshold`); each frame's RMS is
    then compared with it and added to the history. ``speech_ratio`` =
    speech frames / frames (0 for a chunk shorter than a frame);
    ``is_speech`` iff ``speech_ratio >= speech_threshold``.

    Output per chunk: ``((samples_2d, rate), {"is_speech", "speech_ratio",
    "avg_energy", "frame_duration_ms"})``; ``(samples_2d, rate)`` alone when
    ``include_metadata`` is false; with ``filter_mode=True`` only speech
    chunks are emitted, as ``(samples_2d, rate)``.

    In a pipeline the node receives the whole stream (``is_streaming``);
    each run is one stream and starts with an empty history (as the native
    plugin, whose instance lives for one run). Called directly,
    ``process((samples, rate))`` handles one chunk and returns its output
    (``None`` for a chunk filtered out); the history carries over between
    calls.

    Args:
        frame_duration_ms: frame length in milliseconds.
        energy_threshold: base RMS threshold (samples in [-1, 1]).
        speech_threshold: minimum share of speech frames for a speech chunk.
        filter_mode: emit only speech chunks.
        include_metadata: attach the VAD info to each chunk.
        name: the node's name.
    """

    native_twin = "VoiceActivityDetector"

    is_streaming = True

    def __init__(self, frame_duration_ms: float = 30, energy_threshold: float = 0.02, speech_threshold: float = 0.3,
                 filter_mode: bool = False, include_metadata: bool = True, name: Optional[str] = None,
                 **params: Any) -> None:
        super().__init__(name=name, **check_params(self, VoiceActivityDetector, dict(
            frame_duration_ms=frame_duration_ms, energy_threshold=energy_threshold,
            speech_threshold=speech_threshold, filter_mode=filter_mode, include_metadata=include_metadata,
            **params), name=name))
        self.frame_duration_ms = frame_duration_ms
        self.energy_threshold = energy_threshold
        self.speech_threshold = speech_threshold
        self.filter_mode = filter_mode
        self.include_metadata = include_metadata
        self._history: Deque[float] = deque(maxlen=ENERGY_HISTORY)

    def reset(self) -> None:
        """Forget the energy history."""
        self._history.clear()

    def process(self, data: Any) -> Any:
        """An async iterator of chunks → async generator of outputs; one
        chunk → its output (see the class doc)."""
        if hasattr(data, "__aiter__"):
            return self._stream(data)
        return self._chunk(data)

    async def _stream(self, chunks: AsyncIterator[Any]) -> AsyncIterator[Any]:
        self.reset()  # one stream per run
        async for chunk in chunks:
            output = self._chunk(chunk)
            if output is not None:
                yield output

    def _chunk(self, data: Any) -> Any:
        item = parse_audio(self, data)
        threshold = adaptive_threshold(list(self._history), self.energy_threshold)
        energies = _frame_energies(self, item.samples_2d, item.sample_rate, self.frame_duration_ms)
        self._history.extend(float(e) for e in energies)
        frames = len(energies)
        speech_frames = int(np.count_nonzero(energies > threshold))
        speech_ratio = speech_frames / max(frames, 1)
        is_speech = speech_ratio >= self.speech_threshold
        audio = (item.samples_2d, item.sample_rate)
        if self.filter_mode:
            return audio if is_speech else None
        if not self.include_metadata:
            return audio
        info = dict(item.metadata or {})
        info.update({
            "is_speech": bool(is_speech),
            "speech_ratio": speech_ratio,
            "avg_energy": mean_energy(energies),
            "frame_duration_ms": self.frame_duration_ms,
        })
        return (audio, info)
