"""The batch benchmarks' input: a 48 kHz stereo int16 WAV of speech-like
bursts over faint noise (tests/python/test_batch.py's speechlike_block)."""

from __future__ import annotations

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
