"""What the rmrun command-line tests share: the built rmrun
($RM_BUILD_DIR/bin/rmrun; the tests skip without it), a copy manifest
(AudioFileSource -> AudioFileSink) and a tiny WAV writer."""

from __future__ import annotations

import os
import wave
from pathlib import Path

import pytest

BUILD = os.environ.get("RM_BUILD_DIR")
RMRUN = os.path.join(BUILD, "bin", "rmrun") if BUILD else None
needs_rmrun = pytest.mark.skipif(not RMRUN or not os.path.exists(RMRUN), reason="needs RM_BUILD_DIR with bin/rmrun")

COPY = {"version": "v1",
        "nodes": [{"id": "read", "node_type": "AudioFileSource", "params": {"path": "x.wav"}},
                  {"id": "write", "node_type": "AudioFileSink", "params": {"path": "x.wav"}}],
        "connections": [{"from": "read", "to": "write"}]}


def tiny_wav(path: Path, frames: int = 100, value: int = 1, rate: int = 8000) -> None:
    """A mono 16-bit WAV of `frames` frames, every sample `value` (low byte)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(bytes([value % 256, 0]) * frames)
