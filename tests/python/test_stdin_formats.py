"""AudioFileSource reads standard input (path "-") in every format it
streams, not only WAV (issue 17): FLAC, OGG/Vorbis, Opus and MP3 piped into
`rmrun run`, a streaming WAV header (unknown length) read to its end, a
WAV cut short still an error, FFmpeg on request (decoder "ffmpeg"), and
bytes nobody recognises a clear error."""

from __future__ import annotations

import json
import shutil
import struct
import subprocess
from pathlib import Path

import numpy as np
import pytest

from rmrun_cli import RMRUN, needs_rmrun

pytestmark = needs_rmrun
soundfile = pytest.importorskip("soundfile")

RATE = 16000


def manifest(tmp: Path, **source) -> Path:
    m = {"version": "v1",
         "nodes": [{"id": "read", "node_type": "AudioFileSource", "params": {"path": "-", **source}},
                   {"id": "write", "node_type": "AudioFileSink", "params": {"path": "got.wav"}}],
         "connections": [{"from": "read", "to": "write"}]}
    path = tmp / "m.json"
    path.write_text(json.dumps(m))
    return path


def sine(seconds: float = 1.0) -> np.ndarray:
    t = np.arange(int(RATE * seconds)) / RATE
    return (0.3 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)


def pipe_in(tmp: Path, data: bytes, **source) -> subprocess.CompletedProcess:
    manifest(tmp, **source)
    return subprocess.run([RMRUN, "--no-env-plugins", "m.json"], cwd=tmp, input=data, capture_output=True,
                          timeout=60)


@pytest.mark.parametrize("fmt,subtype", [("WAV", "PCM_16"), ("FLAC", "PCM_16"), ("OGG", "VORBIS"),
                                         ("OGG", "OPUS"), ("MP3", "MPEG_LAYER_III")])
def test_each_format_streams_from_stdin(tmp_path: Path, fmt: str, subtype: str):
    src = tmp_path / "in.bin"
    soundfile.write(str(src), sine(), RATE, format=fmt, subtype=subtype)
    expected, _ = soundfile.read(str(src), dtype="float32")  # what libsndfile decodes from the file
    run = pipe_in(tmp_path, src.read_bytes())
    assert run.returncode == 0, run.stderr.decode()
    got, rate = soundfile.read(str(tmp_path / "got.wav"), dtype="float32")
    assert rate == RATE
    assert len(got) == len(expected), (len(got), len(expected))
    assert np.max(np.abs(got - expected)) < 1e-3  # pcm16 of the same decode


def test_streaming_wav_header_is_read_to_its_end(tmp_path: Path):
    pcm = (sine(0.5) * 32767).astype("<i2").tobytes()
    fmt = struct.pack("<HHIIHH", 1, 1, RATE, RATE * 2, 2, 16)
    header = b"RIFF" + b"\xff" * 4 + b"WAVEfmt " + struct.pack("<I", 16) + fmt + b"data" + b"\xff" * 4
    run = pipe_in(tmp_path, header + pcm)
    assert run.returncode == 0, run.stderr.decode()
    assert json.loads(run.stdout)[0]["frames"] == RATE // 2


def test_wav_cut_short_on_stdin_is_an_error(tmp_path: Path):
    src = tmp_path / "in.wav"
    soundfile.write(str(src), sine(), RATE, subtype="PCM_16")
    run = pipe_in(tmp_path, src.read_bytes()[:20000])
    assert run.returncode != 0
    assert "truncated" in run.stderr.decode()
    assert not (tmp_path / "got.wav").exists()


def test_unknown_bytes_on_stdin_name_the_problem(tmp_path: Path):
    run = pipe_in(tmp_path, b"this is not audio\n" * 10)
    assert run.returncode != 0
    err = run.stderr.decode()
    assert "cannot read standard input" in err and 'decoder "ffmpeg"' in err, err


@pytest.mark.skipif(not shutil.which("ffmpeg"), reason="needs the ffmpeg CLI to make the input")
def test_ffmpeg_decoder_on_stdin(tmp_path: Path):
    src = tmp_path / "in.wav"
    soundfile.write(str(src), sine(), RATE, subtype="PCM_16")
    adts = tmp_path / "in.aac"  # AAC in ADTS: a stream (M4A keeps its index at the end)
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-i", str(src), str(adts)], check=True)
    run = pipe_in(tmp_path, adts.read_bytes(), decoder="ffmpeg")
    if run.returncode != 0 and "not available" in run.stderr.decode():
        pytest.skip("the plugin was built without FFmpeg")
    assert run.returncode == 0, run.stderr.decode()
    frames = json.loads(run.stdout)[0]["frames"]
    assert abs(frames - RATE) < 0.1 * RATE  # AAC adds priming/padding
