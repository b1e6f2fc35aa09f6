"""Audio file reading and writing for the pure-Python file nodes."""

from .audio_files import AudioFileReader, AudioFileWriter, open_reader, open_writer

__all__ = ["AudioFileReader", "AudioFileWriter", "open_reader", "open_writer"]
