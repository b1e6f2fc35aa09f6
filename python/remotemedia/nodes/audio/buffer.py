"""AudioBuffer: re-chunks a stream of audio into fixed-size pieces."""

from __future__ import annotations

from typing import Any, AsyncIterator, List, Optional, Tuple

import numpy as np

from ...core.node import Node
from .._params import check_params
from ...core.audio_input import parse_audio

__all__ = ["AudioBuffer"]


class AudioBuffer(Node):
    """Concatenates incoming audio and emits ``(chunk, rate)`` pieces of
    exactly ``buffer_size_samples`` frames (shaped ``(channels, frames)``);
    the remainder comes out at end of stream. A change of sample rate, channel
    count or dtype first emits what is buffered.

    In a pipeline the node receives the whole stream (``is_streaming``).
    Called directly, ``process((samples, rate))`` returns the list of pieces
    completed by that chunk, and :meth:`flush` returns the remainder.

    Args:
        buffer_size_samples: frames per emitted piece.
        name: the node's name.
    """

    is_streaming = True

    def __init__(self, buffer_size_samples: int = 16000, name: Optional[str] = None, **params: Any) -> None:
        params = check_params(self, AudioBuffer, dict(buffer_size_samples=buffer_size_samples, **params), name=name)
        super().__init__(name=name, **params)
        self.buffer_size_samples = params["buffer_size_samples"]
        self._pieces: List[np.ndarray] = []
        self._buffered = 0
        self._format: Optional[Tuple[int, int, np.dtype]] = None

    def process(self, data: Any) -> Any:
        """An async iterator of chunks → async generator of pieces; one chunk
        → the list of pieces it completed."""
        if hasattr(data, "__aiter__"):
            return self._stream(data)
        return self._push(data)

    def flush(self) -> Optional[Tuple[np.ndarray, int]]:
        """The buffered remainder as ``(chunk, rate)``, or ``None`` if empty."""
        if not self._buffered or self._format is None:
            return None
        rate = self._format[0]
        chunk = np.concatenate(self._pieces, axis=1)
        self._pieces, self._buffered = [], 0
        return (chunk, rate)

    async def _stream(self, chunks: AsyncIterator[Any]) -> AsyncIterator[Any]:
        self._pieces, self._buffered, self._format = [], 0, None
        async for chunk in chunks:
            for piece in self._push(chunk):
                yield piece
        tail = self.flush()
        if tail is not None:
            yield tail

    def _push(self, data: Any) -> List[Tuple[np.ndarray, int]]:
        item = parse_audio(self, data)
        audio = item.samples_2d
        out: List[Tuple[np.ndarray, int]] = []
        fmt = (item.sample_rate, audio.shape[0], audio.dtype)
        if self._format is not None and fmt != self._format:
            tail = self.flush()
            if tail is not None:
                out.append(tail)
        self._format = fmt
        if audio.shape[1]:
            self._pieces.append(audio)
            self._buffered += audio.shape[1]
        size = self.buffer_size_samples
        if self._buffered >= size:
            joined = np.concatenate(self._pieces, axis=1)
            complete = (joined.shape[1] // size) * size
            for start in range(0, complete, size):
                out.append((joined[:, start:start + size], item.sample_rate))
            rest = joined[:, complete:]
            self._pieces = [rest] if rest.shape[1] else []
            self._buffered = rest.shape[1]
        return out
