"""AudioFileSource's FFmpeg decoder: what libsndfile cannot read (M4A/AAC,
the audio track of a video file), bit-exact against FFmpeg's own decode,
truncated and corrupt input named precisely, and `rmrun --batch` on a
folder of M4A files. Fixtures are made by the ffmpeg CLI at test time."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from test_batch import RMRUN, read_wav_float

pytestmark = [
    pytest.mark.skipif(RMRUN is None, reason="no rmrun (build it; set RM_BUILD_DIR)"),
    pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="the ffmpeg CLI makes the fixtures (scripts/apt-packages.txt)"),
]


def ffmpeg(*args: str) -> bytes:
    return subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-y", *args], check=True,
                          capture_output=True).stdout


def reference_f32(path: Path, channels: int) -> np.ndarray:
    """FFmpeg's own decode, float32, as (channels, frames)."""
    raw = np.frombuffer(ffmpeg("-i", str(path), "-map", "0:a:0", "-f", "f32le", "-"), dtype="<f4")
    return raw.reshape(-1, channels).T


def decode(tmp: Path, path: Path, decoder: str = "auto", chunk: float = 0.25) -> subprocess.CompletedProcess:
    """AudioFileSource -> AudioFileSink (float WAV) through rmrun."""
    manifest = {
        "version": "v1",
        "nodes": [
            {"id": "read", "node_type": "AudioFileSource",
             "params": {"path": str(path), "chunk_seconds": chunk, "decoder": decoder}},
            {"id": "write", "node_type": "AudioFileSink",
             "params": {"path": str(tmp / "out.wav"), "subtype": "float"}},
        ],
        "connections": [{"from": "read", "to": "write"}],
    }
    mpath = tmp / "decode.json"
    mpath.write_text(json.dumps(manifest))
    return subprocess.run([RMRUN, str(mpath)], capture_output=True, text=True, timeout=120)


def interleaved_to_planar(samples: np.ndarray, channels: int) -> np.ndarray:
    return samples.reshape(-1, channels).T


@pytest.fixture
def m4a(tmp_path: Path) -> Path:
    path = tmp_path / "tone.m4a"
    ffmpeg("-f", "lavfi", "-i", "sine=frequency=440:duration=2.3:sample_rate=44100", "-ac", "2",
           "-c:a", "aac", "-b:a", "96k", str(path))
    return path


def test_m4a_decodes_bit_exact_against_ffmpeg(tmp_path: Path, m4a: Path) -> None:
    proc = decode(tmp_path, m4a)
    assert proc.returncode == 0, proc.stderr
    ours = interleaved_to_planar(read_wav_float(tmp_path / "out.wav"), 2)
    ref = reference_f32(m4a, 2)
    assert ours.shape == ref.shape
    assert ours.shape[1] > 44100 * 2
    np.testing.assert_array_equal(ours, ref)


def test_video_files_audio_track_decodes_bit_exact(tmp_path: Path) -> None:
    video = tmp_path / "clip.mp4"
    ffmpeg("-f", "lavfi", "-i", "testsrc=duration=1.5:size=64x48:rate=10", "-f", "lavfi", "-i",
           "sine=frequency=300:duration=1.5:sample_rate=48000", "-c:v", "mpeg4", "-c:a", "aac",
           "-shortest", str(video))
    proc = decode(tmp_path, video)
    assert proc.returncode == 0, proc.stderr
    ours = read_wav_float(tmp_path / "out.wav")
    ref = reference_f32(video, 1)[0]
    np.testing.assert_array_equal(ours, ref)


def test_forced_ffmpeg_on_wav_equals_libsndfile(tmp_path: Path) -> None:
    wav = tmp_path / "in.wav"
    ffmpeg("-f", "lavfi", "-i", "sine=frequency=1000:duration=1:sample_rate=16000", "-c:a", "pcm_s16le", str(wav))
    results = {}
    for decoder in ("sndfile", "ffmpeg"):
        proc = decode(tmp_path, wav, decoder)
        assert proc.returncode == 0, proc.stderr
        results[decoder] = read_wav_float(tmp_path / "out.wav")
    np.testing.assert_array_equal(results["sndfile"], results["ffmpeg"])
    assert len(results["sndfile"]) == 16000


def test_sndfile_only_names_why_it_cannot_read_m4a(tmp_path: Path, m4a: Path) -> None:
    proc = decode(tmp_path, m4a, "sndfile")
    assert proc.returncode != 0
    assert f"cannot open audio file '{m4a}'" in proc.stderr
    assert not (tmp_path / "out.wav").exists()


def test_truncated_m4a_is_an_error_naming_the_file(tmp_path: Path) -> None:
    # moov first (faststart), so the cut removes audio data, not the index.
    whole = tmp_path / "whole.m4a"
    ffmpeg("-f", "lavfi", "-i", "sine=frequency=440:duration=4:sample_rate=44100", "-c:a", "aac",
           "-movflags", "+faststart", str(whole))
    cut = tmp_path / "cut.m4a"
    cut.write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])
    proc = decode(tmp_path, cut)
    assert proc.returncode != 0, "a half file passed as whole"
    assert str(cut) in proc.stderr
    assert "truncated" in proc.stderr or "frame" in proc.stderr, proc.stderr


def mp3(tmp: Path, name: str, *extra: str) -> Path:
    """5 s of stereo 48 kHz CBR MP3 (LAME through ffmpeg; `extra`: its options)."""
    path = tmp / name
    ffmpeg("-f", "lavfi", "-i", "sine=frequency=440:duration=5:sample_rate=48000", "-ac", "2",
           "-c:a", "libmp3lame", "-b:a", "128k", *extra, str(path))
    return path


@pytest.mark.parametrize("decoder", ["auto", "sndfile", "ffmpeg"])
@pytest.mark.parametrize("keep", [0.5, 0.85])
def test_truncated_mp3_is_an_error_naming_the_file(tmp_path: Path, decoder: str, keep: float) -> None:
    """An MP3 cut short (its Xing/Info header counts the frames): FFmpeg's
    reader checked the length only on a read that got nothing, and the
    source never makes one after a short last chunk: it finished ok."""
    whole = mp3(tmp_path, "whole.mp3")
    cut = tmp_path / "cut.mp3"
    cut.write_bytes(whole.read_bytes()[: int(whole.stat().st_size * keep)])
    proc = decode(tmp_path, cut, decoder=decoder)
    assert proc.returncode != 0, f"a cut MP3 passed as whole ({decoder})"
    assert f"audio file '{cut}' is truncated" in proc.stderr, proc.stderr
    assert not (tmp_path / "out.wav").exists()
    if decoder == "ffmpeg":  # FFmpeg's own warnings ("[mp3 @ 0x...] ...") are not printed
        assert "[mp3" not in proc.stderr, proc.stderr


def test_ffmpeg_warnings_only_when_asked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """FFmpeg prints its decoders' warnings on stderr at its default level,
    between rmrun's lines; REMOTEMEDIA_LOG_LEVEL=info (or debug) keeps them."""
    whole = mp3(tmp_path, "whole.mp3")
    cut = tmp_path / "cut.mp3"
    cut.write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])
    assert "[mp3" not in decode(tmp_path, cut, decoder="ffmpeg").stderr
    monkeypatch.setenv("REMOTEMEDIA_LOG_LEVEL", "info")
    assert "[mp3" in decode(tmp_path, cut, decoder="ffmpeg").stderr


@pytest.mark.parametrize("decoder", ["auto", "ffmpeg"])
@pytest.mark.parametrize("vbr", [False, True])
def test_whole_mp3_without_a_xing_header_is_read_to_its_end(tmp_path: Path, decoder: str, vbr: bool) -> None:
    """Without a Xing/Info header libsndfile and FFmpeg estimate the length
    from the file size and the first frame's bitrate: a little over the
    frames there are (CBR), or far over (VBR starting quiet): not a cut."""
    if vbr:
        whole = tmp_path / "vbr.mp3"
        ffmpeg("-f", "lavfi", "-i", "aevalsrc='if(lt(t,2),0,random(0)-0.5)':s=48000:d=5", "-ac", "2",
               "-c:a", "libmp3lame", "-q:a", "0", "-write_xing", "0", str(whole))
    else:
        whole = mp3(tmp_path, "plain.mp3", "-write_xing", "0")
    proc = decode(tmp_path, whole, decoder=decoder)
    assert proc.returncode == 0, proc.stderr
    frames = len(read_wav_float(tmp_path / "out.wav")) // 2
    assert abs(frames - 5 * 48000) < 4 * 1152, frames


def test_garbage_named_m4a_is_refused_by_both_decoders(tmp_path: Path) -> None:
    bad = tmp_path / "noise.m4a"
    bad.write_bytes(np.random.default_rng(1).integers(0, 256, 50000, dtype=np.uint8).tobytes())
    proc = decode(tmp_path, bad)
    assert proc.returncode != 0
    assert "libsndfile:" in proc.stderr and "FFmpeg:" in proc.stderr, proc.stderr


def test_batch_reads_a_folder_of_m4a(tmp_path: Path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    for i, freq in enumerate((300, 500, 700)):
        ffmpeg("-f", "lavfi", "-i", f"sine=frequency={freq}:duration=1:sample_rate=48000", "-c:a", "aac",
               str(src / f"a{i}.m4a"))
    manifest = {
        "version": "v1",
        "nodes": [
            {"id": "read", "node_type": "AudioFileSource", "params": {"path": "x.m4a"}},
            {"id": "resample", "node_type": "AudioResampleNode", "params": {"target_sample_rate": 16000}},
            {"id": "write", "node_type": "AudioFileSink", "params": {"path": "y.wav"}},
        ],
        "connections": [{"from": "read", "to": "resample"}, {"from": "resample", "to": "write"}],
    }
    mpath = tmp_path / "m.json"
    mpath.write_text(json.dumps(manifest))
    out = tmp_path / "out"
    proc = subprocess.run([RMRUN, str(mpath), "--batch", str(src), "--out", str(out), "--no-progress"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    report = json.loads((out / "batch-report.json").read_text())
    assert report["total"] == 3
    assert all(f["status"] == "ok" for f in report["files"]), report
    for i in range(3):
        assert (out / f"a{i}.wav").stat().st_size > 16000
