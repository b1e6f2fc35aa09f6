"""The batch benchmarks' input: a 48 kHz stereo int16 WAV of speech-like
bursts over faint noise (tests/python/test_batch.py's speechlike_block)."""

from __future__ import annotations

import subprocess
import sys
import wave
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tests" / "python"))

from test_batch import speechlike_block  # noqa: E402


def write_speechlike_wav(path: Path, seconds: float, seed: int, rate: int = 48000) -> Path:
    with wave.open(str(path), "wb") as w:
        w.setnchannels(2)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(speechlike_block(seconds, gap=0.5, seed=seed).tobytes())
    return path


def write_speechlike_wavs(folder: Path, count: int, seconds: float) -> list:
    """f000.wav, f001.wav, ... in ``folder``, file i with seed i."""
    return [write_speechlike_wav(folder / f"f{i:03d}.wav", seconds, i) for i in range(count)]


def to_flac(wavs: list, folder: Path) -> list:
    """The same audio as FLAC in ``folder`` (sox), in the same order."""
    flacs = []
    for wav in wavs:
        flac = folder / (wav.stem + ".flac")
        subprocess.run(["sox", str(wav), str(flac)], check=True)
        flacs.append(flac)
    return flacs
