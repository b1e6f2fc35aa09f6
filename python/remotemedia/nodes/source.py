"""Source nodes reading media files.

:class:`MediaReaderNode` and :class:`AudioTrackSource` use PyAV (the optional
``av`` package, ``pip install remotemedia[av]``), imported only when a file
is actually read. For audio files, :class:`AudioFileSource` needs no extra
package for WAV.
"""

from __future__ import annotations

import asyncio
import os
import time
from typing import Any, AsyncIterator, Optional, Tuple, Union

import numpy as np

from ..core.exceptions import ConfigurationError
from ..core.node import Node, node_label
from ._params import check_params
from .audio.files import AudioFileSource

__all__ = ["MediaReaderNode", "AudioTrackSource", "AudioFileSource", "audio_frame_to_array"]

PathLike = Union[str, "os.PathLike[str]"]


def _import_av() -> Any:
    try:
        import av
    except ImportError as exc:
        raise ConfigurationError(
            "reading media files with MediaReaderNode needs PyAV: `pip install av` "
            "(or `pip install remotemedia[av]`); for WAV/FLAC/OGG audio, AudioFileSource "
            "works without it"
        ) from exc
    return av


_INT_SCALE = {np.dtype(np.int16): 32768.0, np.dtype(np.int32): 2147483648.0}


def audio_frame_to_array(frame: Any) -> Tuple[np.ndarray, int]:
    """A decoded PyAV audio frame as ``(float32 (channels, frames), rate)``."""
    array = frame.to_ndarray()
    channels = len(frame.layout.channels)
    if not frame.format.is_planar:  # packed: one row of interleaved samples
        array = array.reshape(-1, channels).T
    if array.dtype == np.uint8:
        samples = (array.astype(np.float32) - 128.0) / 128.0
    elif array.dtype in _INT_SCALE:
        samples = (array.astype(np.float64) / _INT_SCALE[array.dtype]).astype(np.float32)
    else:
        samples = array.astype(np.float32, copy=False)
    return np.ascontiguousarray(samples), int(frame.sample_rate)


class MediaReaderNode(Node):
    """A source node decoding a media file with PyAV.

    Yields ``{"audio": frame}`` / ``{"video": frame}`` dicts of decoded
    PyAV frames (as the old SDK did), as fast as they decode. Follow it with
    :class:`AudioTrackSource` to get audio arrays.

    Args:
        path: the file (or URL PyAV understands).
        chunk_size: I/O buffer size in bytes handed to PyAV.
        streams: ``"all"`` (default, like the old SDK), ``"audio"`` (skips
            decoding video: faster for audio pipelines) or ``"video"``.
        realtime: pace the output at the media's own speed (the old SDK's
            behaviour); default ``False``: as fast as possible.
        name: the node's name.
    """

    def __init__(self, path: PathLike, chunk_size: int = 4096, streams: str = "all", realtime: bool = False,
                 name: Optional[str] = None, **params: Any) -> None:
        params = check_params(self, MediaReaderNode, dict(path=path, chunk_size=chunk_size, streams=streams,
                                                          realtime=realtime, **params), name=name)
        super().__init__(name=name, **params)
        self.path = params["path"]
        self.chunk_size = chunk_size
        self.streams = streams
        self.realtime = realtime

    async def process(self, data: Any = None) -> AsyncIterator[Any]:
        """Yield ``{"audio" | "video": frame}`` for each decoded frame (an
        input item, if any, is ignored)."""
        av = _import_av()
        container = av.open(self.path, buffer_size=self.chunk_size)
        try:
            if self.streams == "audio":
                selected = container.streams.audio
            elif self.streams == "video":
                selected = container.streams.video
            else:
                selected = list(container.streams)
            if not selected:
                raise ConfigurationError(f"{node_label(self)}: '{self.path}' has no {self.streams} stream")
            started = time.monotonic()
            for frame in container.decode(*selected):
                if self.realtime and frame.time is not None:
                    delay = frame.time - (time.monotonic() - started)
                    if delay > 0:
                        await asyncio.sleep(delay)
                yield {"audio" if isinstance(frame, av.AudioFrame) else "video": frame}
                await asyncio.sleep(0)  # let other tasks run between frames
        finally:
            container.close()


class AudioTrackSource(Node):
    """Turns decoded audio frames into ``(float32 (channels, frames), rate)``.

    Accepts ``{"audio": frame}`` dicts (what :class:`MediaReaderNode`
    yields) or bare PyAV audio frames; anything else (video) emits nothing.

    Args:
        name: the node's name.
    """

    def __init__(self, name: Optional[str] = None, **params: Any) -> None:
        super().__init__(name=name, **check_params(self, AudioTrackSource, params, name=name))

    def process(self, data: Any) -> Optional[Tuple[np.ndarray, int]]:
        """Convert one audio frame; ``None`` for anything that is not audio."""
        if isinstance(data, dict):
            data = data.get("audio")
        if data is None or not hasattr(data, "to_ndarray") or not hasattr(data, "sample_rate"):
            return None
        return audio_frame_to_array(data)
