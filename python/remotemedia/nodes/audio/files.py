"""AudioFileSource and AudioFileSink: streaming audio file read/write."""

from __future__ import annotations

import os
from typing import Any, AsyncIterator, Dict, Optional, Union

from ...core.exceptions import ConfigurationError
from ...core.node import Node
from ...io.audio_files import AudioFileWriter, open_reader, open_writer
from ._input import check_positive, check_runtime_hint, parse_audio

__all__ = ["AudioFileSource", "AudioFileSink"]

PathLike = Union[str, "os.PathLike[str]"]


class AudioFileSource(Node):
    """A source node reading an audio file in chunks, as fast as possible.

    Emits ``(float32 (channels, frames), sample_rate)`` items of
    ``chunk_seconds`` each (the last one shorter), so files larger than
    memory stream through the pipeline. WAV works everywhere; FLAC, OGG and
    others need the native runtime or the optional ``soundfile`` package.

    Args:
        path: the file to read.
        chunk_seconds: duration of each emitted chunk.
        runtime_hint: ``"auto"``, ``"native"`` or ``"python"``.
        name: the node's name.
    """

    def __init__(self, path: PathLike, chunk_seconds: float = 1.0, runtime_hint: str = "auto",
                 name: Optional[str] = None, **params: Any) -> None:
        check_positive("AudioFileSource", "chunk_seconds", chunk_seconds)
        check_runtime_hint("AudioFileSource", runtime_hint)
        super().__init__(name=name, path=os.fspath(path), chunk_seconds=chunk_seconds,
                         runtime_hint=runtime_hint, **params)
        self.path = os.fspath(path)
        self.chunk_seconds = chunk_seconds

    async def process(self, data: Any = None) -> AsyncIterator[Any]:
        """Yield the file's chunks. (An input item, if any, is ignored: the
        node reads its own file.)"""
        with open_reader(self.path, what=f"AudioFileSource '{self.name}'") as reader:
            frames = max(1, int(round(self.chunk_seconds * reader.sample_rate)))
            while True:
                chunk = reader.read(frames)
                if chunk.shape[1] == 0:
                    break
                yield (chunk, reader.sample_rate)


class AudioFileSink(Node):
    """Writes the audio items it receives to a file, chunk by chunk.

    The file is created on the first item (its rate and channel count fix the
    file's format; a later item in another format is an error) and finished
    at end of stream, when the node emits one summary dict:
    ``{"path", "frames", "sample_rate", "channels", "duration_s"}``.

    Args:
        path: the file to write (its extension picks the container).
        sample_format: ``"i16"`` (default), ``"i32"`` or ``"f32"`` (f32 needs
            ``soundfile``).
        runtime_hint: ``"auto"``, ``"native"`` or ``"python"``.
        name: the node's name.
    """

    def __init__(self, path: PathLike, sample_format: str = "i16", runtime_hint: str = "auto",
                 name: Optional[str] = None, **params: Any) -> None:
        if sample_format not in ("i16", "i32", "f32"):
            raise ConfigurationError(f"AudioFileSink: sample_format must be i16, i32 or f32; got {sample_format!r}")
        check_runtime_hint("AudioFileSink", runtime_hint)
        super().__init__(name=name, path=os.fspath(path), sample_format=sample_format,
                         runtime_hint=runtime_hint, **params)
        self.path = os.fspath(path)
        self.sample_format = sample_format
        self._writer: Optional[AudioFileWriter] = None

    def process(self, data: Any) -> None:
        """Append one ``(samples, rate)`` item to the file; emits nothing."""
        item = parse_audio(self, data)
        if self._writer is None:
            self._writer = open_writer(self.path, item.sample_rate, item.samples_2d.shape[0],
                                       self.sample_format, what=f"AudioFileSink '{self.name}'")
        elif (item.sample_rate, item.samples_2d.shape[0]) != (self._writer.sample_rate, self._writer.channels):
            raise ValueError(
                f"AudioFileSink '{self.name}': the stream changed format from {self._writer.sample_rate} Hz, "
                f"{self._writer.channels} channel(s) to {item.sample_rate} Hz, {item.samples_2d.shape[0]}; "
                "a file has one format (resample or convert first)"
            )
        self._writer.write(item.samples_2d)
        return None

    def flush(self) -> Optional[Dict[str, Any]]:
        """Finish the file and return its summary (``None`` if nothing was written)."""
        writer, self._writer = self._writer, None
        if writer is None:
            return None
        writer.close()
        return {
            "path": self.path,
            "frames": writer.frames_written,
            "sample_rate": writer.sample_rate,
            "channels": writer.channels,
            "duration_s": writer.frames_written / writer.sample_rate,
        }

    def cleanup(self) -> Any:
        """Close the file if a run stopped before the end of its stream."""
        if self._writer is not None:
            self._writer.close()
            self._writer = None
        return super().cleanup()
