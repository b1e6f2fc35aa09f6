"""AudioFileSource and AudioFileSink: streaming audio file read/write."""

from __future__ import annotations

import os
from typing import Any, AsyncIterator, Dict, Optional, Union

from ...core.node import Node, node_label
from ...dsp.formats import convert_format
from ...io.audio_files import AudioFileWriter, open_reader, open_writer
from .._params import check_params
from ...core.audio_input import parse_audio

__all__ = ["AudioFileSource", "AudioFileSink"]

PathLike = Union[str, "os.PathLike[str]"]


class AudioFileSource(Node):
    """A source node reading an audio file in chunks, as fast as possible.

    Emits ``(float32 (channels, frames), sample_rate)`` items of
    ``chunk_seconds`` each (the last one shorter), so files larger than
    memory stream through the pipeline. WAV, FLAC, OGG and others: natively
    through libsndfile, in Python through ``soundfile`` (an SDK dependency;
    without it only integer PCM WAV).

    Args:
        path: the file to read.
        chunk_seconds: duration of each emitted chunk.
        format: sample format of the items: ``"f32"`` (default), ``"f64"``,
            ``"i16"`` or ``"i32"``.
        runtime_hint: ``"auto"``, ``"native"`` or ``"python"``.
        name: the node's name.
    """

    native_twin = "AudioFileSource"
    input_path_param = "path"

    def __init__(self, path: PathLike, chunk_seconds: float = 1.0, format: str = "f32",  # noqa: A002
                 runtime_hint: str = "auto", name: Optional[str] = None, **params: Any) -> None:
        params = check_params(self, AudioFileSource, dict(path=path, chunk_seconds=chunk_seconds, format=format,
                                                          **params), name=name)
        super().__init__(name=name, runtime_hint=runtime_hint, **params)
        self.path = params["path"]
        self.chunk_seconds = params["chunk_seconds"]
        self.format = params["format"]

    async def process(self, data: Any = None) -> AsyncIterator[Any]:
        """Yield the file's chunks. (An input item, if any, is ignored: the
        node reads its own file.)"""
        with open_reader(self.path, what=node_label(self)) as reader:
            frames = max(1, int(round(self.chunk_seconds * reader.sample_rate)))
            while True:
                chunk = reader.read(frames)
                if chunk.shape[1] == 0:
                    break
                yield (convert_format(chunk, self.format), reader.sample_rate)


class AudioFileSink(Node):
    """Writes the audio items it receives to a file, chunk by chunk.

    The file is created on the first item (its rate and channel count fix the
    file's format; a later item in another format is an error) and finished
    at end of stream, when the node emits one summary dict:
    ``{"path", "frames", "sample_rate", "channels"}`` (with no audio at all:
    no file, and ``frames``, ``sample_rate``, ``channels`` 0).

    Args:
        path: the file to write.
        format: container: ``"auto"`` (from the extension), ``"wav"``,
            ``"flac"``, ``"ogg"`` (Vorbis), ``"opus"`` (Ogg Opus: 48, 24,
            16, 12 or 8 kHz only) or ``"mp3"``.
        subtype: sample encoding: ``"pcm16"`` (default), ``"pcm24"``,
            ``"pcm32"``, ``"float"``, ``"double"`` or ``"vorbis"``. Without
            the native runtime or ``soundfile`` only WAV with pcm16/24/32.
        runtime_hint: ``"auto"``, ``"native"`` or ``"python"``.
        name: the node's name.
    """

    native_twin = "AudioFileSink"
    output_path_param = "path"

    def __init__(self, path: PathLike, format: str = "auto", subtype: str = "pcm16",  # noqa: A002
                 runtime_hint: str = "auto", name: Optional[str] = None, **params: Any) -> None:
        params = check_params(self, AudioFileSink, dict(path=path, format=format, subtype=subtype, **params), name=name)
        super().__init__(name=name, runtime_hint=runtime_hint, **params)
        self.path = params["path"]
        self.format = params["format"]
        self.subtype = params["subtype"]
        self._writer: Optional[AudioFileWriter] = None

    def process(self, data: Any) -> None:
        """Append one ``(samples, rate)`` item to the file; emits nothing."""
        item = parse_audio(self, data)
        if self._writer is None:
            self._writer = open_writer(self.path, item.sample_rate, item.samples_2d.shape[0], self.format,
                                       self.subtype, what=node_label(self))
        elif (item.sample_rate, item.samples_2d.shape[0]) != (self._writer.sample_rate, self._writer.channels):
            raise ValueError(
                f"{node_label(self)}: the stream changed format from {self._writer.sample_rate} Hz, "
                f"{self._writer.channels} channel(s) to {item.sample_rate} Hz, {item.samples_2d.shape[0]}; "
                "a file has one format (resample or convert first)"
            )
        self._writer.write(item.samples_2d)
        return None

    def flush(self) -> Dict[str, Any]:
        """Finish the file and return its summary. With no audio at all no
        file is written and the summary says 0 frames (as the native plugin)."""
        writer, self._writer = self._writer, None
        if writer is None:
            return {"path": self.path, "frames": 0, "sample_rate": 0, "channels": 0}
        writer.close()
        return {
            "path": self.path,
            "frames": writer.frames_written,
            "sample_rate": writer.sample_rate,
            "channels": writer.channels,
        }

    def cleanup(self) -> Any:
        """A run that stopped before the end of its stream leaves no file (an
        older one at the path stays as it was)."""
        if self._writer is not None:
            self._writer.abandon()
            self._writer = None
        return super().cleanup()
