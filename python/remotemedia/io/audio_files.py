"""Streaming audio file I/O without loading whole files.

Backends, in order: the optional ``soundfile`` package (WAV, FLAC, OGG and
more, through libsndfile), else the standard library's ``wave`` module,
which handles integer PCM WAV (8, 16, 24 or 32 bit) only. FLAC and OGG
therefore need the native runtime (its audio-file plugin) or
``pip install soundfile``.
"""

from __future__ import annotations

import os
import re
import shutil
import wave
from pathlib import Path
from typing import Optional, Union

import numpy as np

from ..core.exceptions import ConfigurationError
from ..dsp.formats import convert_format
from .safe_output import final_target, is_special, temp_next_to

__all__ = ["AudioFileReader", "AudioFileWriter", "SUBTYPES", "container_of", "open_reader", "open_writer",
           "soundfile_available"]

PathLike = Union[str, "os.PathLike[str]"]
_WAV_SUFFIXES = {".wav", ".wave"}


def soundfile_available() -> bool:
    """Whether the optional ``soundfile`` package can be imported."""
    try:
        import soundfile  # noqa: F401
    except (ImportError, OSError):
        return False
    return True


def _needs_other_backend(what: str, path: Path) -> ConfigurationError:
    return ConfigurationError(
        f"{what}: cannot handle '{path}' ({path.suffix or 'no extension'}): without the optional "
        "'soundfile' package the pure-Python fallback supports WAV (integer PCM) only; FLAC, OGG and "
        "other formats need the native runtime or `pip install soundfile`"
    )


class AudioFileReader:
    """Reads an audio file chunk by chunk as float32 ``(channels, frames)``.

    Attributes:
        sample_rate, channels, frames: properties of the file.
    """

    def __init__(self, path: PathLike, backend: str, what: str = "AudioFileSource") -> None:
        self.path = Path(path)
        self.backend = backend
        self._what = what
        self._frames_read = 0
        if backend == "soundfile":
            import soundfile

            try:
                self._sf = soundfile.SoundFile(str(self.path), "r")
            except RuntimeError as exc:  # soundfile.LibsndfileError
                raise ConfigurationError(f"{what}: cannot open audio file '{self.path}': "
                                         f"{_libsndfile_reason(exc)}") from None
            self.sample_rate = int(self._sf.samplerate)
            self.channels = int(self._sf.channels)
            self.frames = int(self._sf.frames)
            self._declared_frames = _declared_frames_of_truncated(self._sf.extra_info)
        else:
            try:
                self._wav = wave.open(str(self.path), "rb")
            except wave.Error as exc:
                raise ConfigurationError(
                    f"cannot read '{self.path}' as WAV: {exc} (the pure-Python reader handles integer PCM WAV; "
                    "install 'soundfile' or use the native runtime for other encodings)"
                ) from exc
            self.sample_rate = self._wav.getframerate()
            self.channels = self._wav.getnchannels()
            self.frames = self._wav.getnframes()
            self._width = self._wav.getsampwidth()
            # The header's count; the data may end sooner. A streaming header
            # (arecord: data size 0x7FFFFFFF or 0xFFFFFFFF) promises ~2 GB:
            # read to the end, as the native reader does.
            streaming = self.frames * self._width * max(self.channels, 1) >= 0x7FFF0000
            self._declared_frames = 0 if streaming else self.frames

    def read(self, frames: int) -> np.ndarray:
        """Up to ``frames`` frames as float32 ``(channels, n)`` (n = 0 at the
        end). A file whose data ends before its header says, or that does not
        decode, is a ValueError naming it and the frame (as the native reader)."""
        if self.backend == "soundfile":
            try:
                data = self._sf.read(frames, dtype="float32", always_2d=True)
            except RuntimeError as exc:  # soundfile.LibsndfileError
                raise ValueError(f"{self._what}: audio file '{self.path}' is truncated or corrupt at frame "
                                 f"{self._frames_read} of {self.frames}: {exc}") from exc
            chunk = np.ascontiguousarray(data.T)
        else:
            chunk = _pcm_to_float(self._wav.readframes(frames), self._width, self.channels)
        self._frames_read += chunk.shape[1]
        if chunk.shape[1] == 0 and frames > 0 and self._declared_frames > self._frames_read:
            raise ValueError(f"{self._what}: audio file '{self.path}' is truncated at frame {self._frames_read}: "
                             f"its header declares {self._declared_frames} frames")
        return chunk

    def close(self) -> None:
        """Close the file."""
        if self.backend == "soundfile":
            self._sf.close()
        else:
            self._wav.close()

    def __enter__(self) -> "AudioFileReader":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _libsndfile_reason(exc: BaseException) -> str:
    """libsndfile's reason without soundfile's "Error opening '<path>': "
    (the path may be a temporary; the caller names the real one)."""
    text = str(exc)
    return text.split("': ", 1)[1] if text.startswith("Error opening '") and "': " in text else text


def _declared_frames_of_truncated(log: str) -> int:
    """The frame count a cut WAV's header promised: libsndfile reports only
    the frames present and logs "data : 64888 (should be 19956)" (0 when the
    log says nothing of the kind; the native reader reads the same log)."""
    data = re.search(r"^data : (\d+) \(should be (\d+)\)", log, re.M)
    align = re.search(r"Block Align\s*:\s*(\d+)", log)
    if not data or not align or int(align.group(1)) <= 0 or int(data.group(1)) <= int(data.group(2)):
        return 0
    return int(data.group(1)) // int(align.group(1))


def _pcm_to_float(raw: bytes, width: int, channels: int) -> np.ndarray:
    """Interleaved little-endian PCM bytes to float32 (channels, frames) in [-1, 1]."""
    if width == 1:  # 8-bit WAV is unsigned
        values = (np.frombuffer(raw, dtype=np.uint8).astype(np.float32) - 128.0) / 128.0
    elif width == 2:
        values = np.frombuffer(raw, dtype="<i2").astype(np.float32) / 32768.0
    elif width == 3:
        b = np.frombuffer(raw, dtype=np.uint8).reshape(-1, 3).astype(np.int32)
        ints = (b[:, 0] | (b[:, 1] << 8) | (b[:, 2] << 16))
        ints = np.where(ints >= 1 << 23, ints - (1 << 24), ints)
        values = ints.astype(np.float32) / float(1 << 23)
    elif width == 4:
        values = (np.frombuffer(raw, dtype="<i4").astype(np.float64) / 2147483648.0).astype(np.float32)
    else:
        raise ConfigurationError(f"unsupported WAV sample width: {width} bytes")
    return np.ascontiguousarray(values.reshape(-1, channels).T)


#: Sample encodings (the native AudioFileSink's ``subtype`` names).
SUBTYPES = ("pcm16", "pcm24", "pcm32", "float", "double", "vorbis")
_WAVE_WIDTH = {"pcm16": 2, "pcm24": 3, "pcm32": 4}
_SF_SUBTYPE = {"pcm16": "PCM_16", "pcm24": "PCM_24", "pcm32": "PCM_32", "float": "FLOAT", "double": "DOUBLE",
               "vorbis": "VORBIS"}
_CONTAINERS = {"wav": "WAV", "flac": "FLAC", "ogg": "OGG", "opus": "OGG", "mp3": "MP3"}
#: The lossy containers' only encoding (soundfile's names).
_FIXED_SUBTYPE = {"ogg": "VORBIS", "opus": "OPUS", "mp3": "MPEG_LAYER_III"}


def container_of(path: Path, container: str = "auto") -> str:
    """``wav``, ``flac``, ``ogg``, ``opus`` or ``mp3``: ``container``, or from the extension when ``"auto"``."""
    if container != "auto":
        return container
    suffix = path.suffix.lower().lstrip(".")
    return {"wave": "wav", "oga": "ogg"}.get(suffix, suffix)


def _float_to_pcm24(samples_2d: np.ndarray) -> bytes:
    values = convert_format(samples_2d, "f64")
    ints = np.clip(np.rint(values * float(1 << 23)), -(1 << 23), (1 << 23) - 1).astype("<i4")
    interleaved = np.ascontiguousarray(ints.T).reshape(-1)
    return interleaved.view(np.uint8).reshape(-1, 4)[:, :3].tobytes()


class AudioFileWriter:
    """Writes ``(channels, frames)`` chunks to an audio file.

    Args:
        path: the file to create (overwritten).
        sample_rate, channels: the stream's format.
        container: ``wav``, ``flac``, ``ogg`` (Vorbis), ``opus`` or ``mp3``.
        subtype: one of :data:`SUBTYPES`; the ``wave`` backend supports
            ``pcm16``, ``pcm24`` and ``pcm32`` in WAV.
        backend: ``"soundfile"`` or ``"wave"``.
    """

    def __init__(self, path: PathLike, sample_rate: int, channels: int, container: str, subtype: str,
                 backend: str) -> None:
        self.path = Path(path)
        self.sample_rate = int(sample_rate)
        self.channels = int(channels)
        self.subtype = subtype
        self.backend = backend
        self.frames_written = 0
        # A regular file (or none) is replaced whole at close(); a FIFO or
        # device is written through (safe_output.py).
        self._target: Optional[str] = None
        if not is_special(str(self.path)):
            self._target = final_target(str(self.path))
            path = temp_next_to(self._target)
        try:
            self._open(path, container, subtype)
        except BaseException:
            self._remove_temporary(path)
            raise

    def _open(self, path: PathLike, container: str, subtype: str) -> None:
        backend = self.backend
        self._written_path = str(path)
        if backend == "soundfile":
            import soundfile

            sf_subtype = _FIXED_SUBTYPE.get(container) or _SF_SUBTYPE[subtype]
            try:
                self._sf = soundfile.SoundFile(str(path), "w", samplerate=self.sample_rate,
                                               channels=self.channels, format=_CONTAINERS[container],
                                               subtype=sf_subtype)
            except RuntimeError as exc:  # soundfile.LibsndfileError
                raise OSError(f"cannot write '{self.path}': {_libsndfile_reason(exc)}") from None
        else:
            if container != "wav" or subtype not in _WAVE_WIDTH:
                raise ConfigurationError(
                    f"writing {container.upper()} / {subtype} needs the native runtime or the optional "
                    "'soundfile' package; the pure-Python writer supports WAV with pcm16, pcm24 or pcm32"
                )
            self._wav = wave.open(str(path), "wb")
            self._wav.setnchannels(self.channels)
            self._wav.setsampwidth(_WAVE_WIDTH[subtype])
            self._wav.setframerate(self.sample_rate)

    def write(self, samples_2d: np.ndarray) -> None:
        """Append ``(channels, frames)`` samples (any supported dtype; floats
        in [-1, 1] are scaled, rounded and clamped for PCM)."""
        if samples_2d.shape[0] != self.channels:
            raise ValueError(f"expected {self.channels} channel(s), got {samples_2d.shape[0]}")
        if self.backend == "soundfile":
            data = convert_format(samples_2d, "f64" if self.subtype == "double" else "f32")
            self._sf.write(np.ascontiguousarray(data.T))
        elif self.subtype == "pcm24":
            self._wav.writeframes(_float_to_pcm24(samples_2d))
        else:
            data = convert_format(samples_2d, "i16" if self.subtype == "pcm16" else "i32")
            little = data.astype(data.dtype.newbyteorder("<"), copy=False)
            self._wav.writeframes(np.ascontiguousarray(little.T).tobytes())
        self.frames_written += samples_2d.shape[1]

    def close(self) -> None:
        """Finish the file (writes the header sizes) and put it in place. If
        that fails (disk full, permissions), the temporary goes and the old
        output stays; the error is raised."""
        try:
            self._close_handle()
            if self._target is not None:
                if os.path.exists(self._target):  # a replaced file keeps its permissions
                    shutil.copymode(self._target, self._written_path)
                os.replace(self._written_path, self._target)
                self._target = None
        except BaseException:
            try:
                self.abandon()
            except Exception:  # noqa: BLE001 - the first error is the one to report
                pass
            raise

    def abandon(self) -> None:
        """Stop without a file: a run that failed leaves the old output (if
        any) as it was and no temporary."""
        try:
            self._close_handle()
        finally:
            if self._target is not None:
                self._remove_temporary(self._written_path)
                self._target = None

    def _close_handle(self) -> None:
        if self.backend == "soundfile":
            self._sf.close()
        else:
            self._wav.close()

    def _remove_temporary(self, path: PathLike) -> None:
        if self._target is not None and os.path.exists(path):
            os.unlink(path)


def _choose_backend(what: str, path: Path) -> str:
    if soundfile_available():
        return "soundfile"
    if path.suffix.lower() in _WAV_SUFFIXES:
        return "wave"
    raise _needs_other_backend(what, path)


def open_reader(path: PathLike, what: str = "AudioFileSource") -> AudioFileReader:
    """Open ``path`` for chunked reading with the best available backend."""
    p = Path(path)
    if p.is_dir():
        raise ConfigurationError(f"{what}: cannot open audio file '{p}': it is a directory")
    if not p.exists():
        raise ConfigurationError(f"{what}: no such file: '{p}'")
    if p.is_file() and p.stat().st_size == 0:
        raise ConfigurationError(f"{what}: cannot open audio file '{p}': it is empty (0 bytes)")
    return AudioFileReader(p, _choose_backend(what, p), what)


def open_writer(path: PathLike, sample_rate: int, channels: int, container: str = "auto", subtype: str = "pcm16",
                what: str = "AudioFileSink", backend: Optional[str] = None) -> AudioFileWriter:
    """Create ``path`` for chunked writing with the best available backend."""
    p = Path(path)
    kind = container_of(p, container)
    # What the native sink says too, before libsndfile's "System error".
    if p.is_dir():
        raise OSError(f"{what}: cannot write '{p}': it is a directory (outputs go to regular files, FIFOs or "
                      "character devices; it is left untouched)")
    if kind not in _CONTAINERS:
        raise ConfigurationError(
            f"{what}: cannot tell the container of '{p}'; use format='wav', 'flac', 'ogg', 'opus' or 'mp3'")
    if not p.parent.is_dir():
        raise OSError(f"{what}: cannot write '{p}': No such file or directory (folder '{p.parent}' does not exist)")
    if backend is None:
        backend = "soundfile" if soundfile_available() else "wave"
        if backend == "wave" and kind != "wav":
            raise _needs_other_backend(what, p)
    return AudioFileWriter(p, sample_rate, channels, kind, subtype, backend)
