"""AudioFileSink writes MP3 and Opus (issue 17, "Any input format"): by
extension or the `format` param, decoded back with libsndfile (soundfile)
and FFmpeg's ffprobe; Opus refuses rates it cannot encode, naming the path
and the allowed rates; both stream to stdout."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from remotemedia import NodeError, Pipeline
from remotemedia.nodes.audio import AudioFileSink, AudioFileSource
from rmrun_cli import RMRUN, needs_rmrun

soundfile = pytest.importorskip("soundfile")


def sine_wav(path: Path, rate: int, seconds: float = 1.0) -> int:
    t = np.arange(int(rate * seconds)) / rate
    soundfile.write(str(path), (0.3 * np.sin(2 * np.pi * 440 * t)).astype(np.float32), rate, subtype="PCM_16")
    return len(t)


@pytest.mark.parametrize("name,fmt,codec", [("out.mp3", "auto", "mp3"), ("out.opus", "auto", "opus"),
                                            ("out.bin", "mp3", "mp3"), ("out.ogx", "opus", "opus")])
def test_sink_writes_mp3_and_opus(tmp_path: Path, name: str, fmt: str, codec: str):
    frames = sine_wav(tmp_path / "in.wav", 16000)
    out = tmp_path / name
    p = Pipeline([AudioFileSource(str(tmp_path / "in.wav")), AudioFileSink(str(out), format=fmt)])
    summary = __import__("asyncio").run(p.run(use_native=True))
    assert summary["frames"] == frames and summary["sample_rate"] == 16000
    info = soundfile.info(str(out))
    assert (info.samplerate, info.channels) == (16000, 1)
    # Lossy codecs add encoder delay / padding: the length is close, not exact.
    assert abs(info.frames - frames) < 0.1 * frames, info.frames
    decoded, _ = soundfile.read(str(out), dtype="float32")
    assert 0.1 < float(np.sqrt(np.mean(decoded ** 2))) < 0.4  # the sine came through
    if shutil.which("ffprobe"):
        probe = subprocess.run(["ffprobe", "-v", "error", "-show_entries", "stream=codec_name", "-of",
                                "default=nw=1:nk=1", str(out)], capture_output=True, text=True, check=True)
        assert probe.stdout.strip() == codec


def test_opus_refuses_a_rate_it_cannot_encode(tmp_path: Path):
    sine_wav(tmp_path / "in.wav", 44100, 0.2)
    out = tmp_path / "out.opus"
    p = Pipeline([AudioFileSource(str(tmp_path / "in.wav")), AudioFileSink(str(out))])
    with pytest.raises(NodeError) as info:
        __import__("asyncio").run(p.run(use_native=True))
    message = str(info.value)
    assert "44100 Hz" in message and str(out) in message and "48000, 24000, 16000, 12000 or 8000" in message
    assert not out.exists()


@needs_rmrun
@pytest.mark.parametrize("fmt,codec", [("mp3", "mp3"), ("opus", "opus")])
def test_mp3_and_opus_stream_to_stdout(tmp_path: Path, fmt: str, codec: str):
    sine_wav(tmp_path / "in.wav", 16000)  # (libsndfile decodes 8 kHz MP3 short)
    manifest = {"version": "v1",
                "nodes": [{"id": "read", "node_type": "AudioFileSource", "params": {"path": "in.wav"}},
                          {"id": "write", "node_type": "AudioFileSink", "params": {"path": "-", "format": fmt}}],
                "connections": [{"from": "read", "to": "write"}]}
    (tmp_path / "m.json").write_text(json.dumps(manifest))
    run = subprocess.run([RMRUN, "--no-env-plugins", "m.json", "--output", "/dev/null"], cwd=tmp_path,
                         capture_output=True, timeout=60)
    assert run.returncode == 0, run.stderr
    (tmp_path / f"piped.{fmt}").write_bytes(run.stdout)
    # A stream has no length header (an MP3 without its Xing frame): decode.
    decoded, rate = soundfile.read(str(tmp_path / f"piped.{fmt}"), dtype="float32")
    assert rate == 16000 and abs(len(decoded) - 16000) < 1600, len(decoded)
