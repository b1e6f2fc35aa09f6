"""Batch processing: streaming in bounded memory, chunked == whole-file,
rmrun --batch through the SDK (a bad file fails alone, resume), and the
pure-Python path. The native tests need an rmrun with --batch:
$REMOTEMEDIA_RMRUN, $RM_BUILD_DIR/bin/rmrun, or the installed one."""

from __future__ import annotations

import json
import os
import subprocess
import wave
from pathlib import Path

import numpy as np
import pytest

from remotemedia import ConfigurationError, Pipeline, PipelineError
from remotemedia import batch
from remotemedia.batch import FileResult, process_files
from remotemedia.nodes import AudioFileSink, AudioFileSource, AudioResampleNode, FormatConverterNode


def _rmrun() -> str | None:
    build = os.environ.get("RM_BUILD_DIR")
    if build and not os.environ.get("REMOTEMEDIA_RMRUN"):
        candidate = os.path.join(build, "bin", "rmrun")
        if os.path.exists(candidate):
            os.environ["REMOTEMEDIA_RMRUN"] = candidate
    return batch.find_rmrun()


RMRUN = _rmrun()
needs_rmrun = pytest.mark.skipif(RMRUN is None, reason="no rmrun with --batch (build it; set RM_BUILD_DIR)")

RATE = 48000


def speechlike_block(seconds: float, gap: float = 0.15, seed: int = 0) -> np.ndarray:
    """Stereo int16: harmonic bursts separated by short gaps (< min_silence,
    so the VAD sees one never-ending segment) over faint noise."""
    t = np.arange(int(RATE * seconds)) / RATE
    sig = sum(np.sin(2 * np.pi * 180 * h * t) / h for h in range(1, 10))
    env = ((t % 1.0) < 1.0 - gap).astype(float)
    x = 0.2 * sig * env + 0.003 * np.random.default_rng(seed).standard_normal(len(t))
    return (np.clip(np.stack([x, 0.8 * x], 1), -1, 1) * 32767).astype("<i2")


def write_wav(path: Path, block: np.ndarray, repeat: int = 1) -> None:
    with wave.open(str(path), "wb") as w:
        w.setnchannels(2)
        w.setsampwidth(2)
        w.setframerate(RATE)
        data = block.tobytes()
        for _ in range(repeat):
            w.writeframes(data)


def read_wav_float(path: Path) -> np.ndarray:
    import struct

    with open(path, "rb") as f:
        data = f.read()
    # find the data chunk (float32 mono written by AudioFileSink subtype=float)
    pos = 12
    while pos < len(data):
        cid, size = data[pos:pos + 4], struct.unpack("<I", data[pos + 4:pos + 8])[0]
        if cid == b"data":
            return np.frombuffer(data[pos + 8:pos + 8 + size], dtype="<f4")
        pos += 8 + size + (size & 1)
    raise AssertionError(f"no data chunk in {path}")


def trim_manifest(chunk_seconds: float, subtype: str = "float") -> dict:
    """read -> mono -> 16 kHz -> SpeechSegmenter (speech audio) -> sink."""
    return {
        "version": "v1",
        "nodes": [
            {"id": "read", "node_type": "AudioFileSource", "params": {"path": "in.wav", "chunk_seconds": chunk_seconds}},
            {"id": "mono", "node_type": "FormatConverterNode", "params": {"target_format": "f32", "channels": 1}},
            {"id": "resample", "node_type": "AudioResampleNode", "params": {"target_sample_rate": 16000}},
            {"id": "speech", "node_type": "SpeechSegmenter", "params": {"emit_audio": True}},
            {"id": "write", "node_type": "AudioFileSink", "params": {"path": "out.wav", "subtype": subtype}},
        ],
        "connections": [
            {"from": "read", "to": "mono"}, {"from": "mono", "to": "resample"},
            {"from": "resample", "to": "speech"}, {"from": "speech", "from_port": 1, "to": "write"},
        ],
    }


def run_batch_measured(manifest: dict, inputs: list, out: Path, tmp: Path) -> tuple:
    """rmrun --batch in a child; returns (exit code, peak RSS in MB, stderr).
    The peak is rmrun's own VmHWM from its report (getrusage of the child
    would include this Python process's RSS from before exec)."""
    mpath = tmp / f"m{len(list(tmp.iterdir()))}.json"
    mpath.write_text(json.dumps(manifest))
    listing = tmp / "list.txt"
    listing.write_text("".join(f"{p}\n" for p in inputs))
    proc = subprocess.Popen([RMRUN, str(mpath), "--batch", f"@{listing}", "--out", str(out), "-j", "1"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    err = proc.stderr.read().decode()
    proc.stderr.close()
    proc.returncode = os.waitstatus_to_exitcode(status)
    report = json.loads((out / "batch-report.json").read_text())
    peak = report["peak_rss_mb"] if report.get("peak_rss_mb") else usage.ru_maxrss / 1024.0
    return proc.returncode, peak, err


@needs_rmrun
def test_bounded_memory_large_file(tmp_path: Path) -> None:
    """~150 MB and ~15 MB WAVs of continuous 'speech' through resample + VAD
    (emit_audio) + sink: peak RSS under 100 MB and flat between them."""
    block = speechlike_block(2.0)
    small, large = tmp_path / "small.wav", tmp_path / "large.wav"
    write_wav(small, block, repeat=40)      # 80 s, 15 MB
    write_wav(large, block, repeat=400)     # 800 s, 154 MB
    assert large.stat().st_size > 150e6
    try:
        out = tmp_path / "out"
        code_s, rss_s, err_s = run_batch_measured(trim_manifest(1.0, "pcm16"), [small], out, tmp_path)
        code_l, rss_l, err_l = run_batch_measured(trim_manifest(1.0, "pcm16"), [large], out, tmp_path)
        assert code_s == 0, err_s
        assert code_l == 0, err_l
        # everything was speech: the output holds ~all of it, at 16 kHz
        with wave.open(str(out / "large.wav")) as w:
            assert w.getframerate() == 16000 and w.getnframes() > 0.9 * 800 * 16000
        assert rss_l < 100, f"peak RSS {rss_l:.1f} MB for a 154 MB file"
        assert rss_l < rss_s + 20, f"peak RSS grows with length: {rss_s:.1f} MB -> {rss_l:.1f} MB"
    finally:
        large.unlink()


@needs_rmrun
def test_chunked_equals_whole_file(tmp_path: Path) -> None:
    """0.05 s chunks vs the whole file as one chunk: the trimmed 16 kHz output
    is the same (docs/batch.md: within 1e-5 absolute; same length)."""
    src = tmp_path / "in"
    src.mkdir()
    write_wav(src / "clip.wav", speechlike_block(12.0, gap=0.5, seed=3))
    outputs = {}
    for name, chunk in (("chunked", 0.05), ("whole", 3600.0)):
        out = tmp_path / name
        code, _, err = run_batch_measured(trim_manifest(chunk), [src / "clip.wav"], out, tmp_path)
        assert code == 0, err
        outputs[name] = read_wav_float(out / "clip.wav")
    a, b = outputs["chunked"], outputs["whole"]
    assert len(a) == len(b) and len(a) > 16000
    assert np.max(np.abs(a - b)) <= 1e-5


def _corpus(tmp_path: Path, n: int = 5, bad_index: int = 2) -> list:
    src = tmp_path / "in"
    src.mkdir(exist_ok=True)
    files = []
    for i in range(n):
        path = src / f"clip{i}.wav"
        if i == bad_index:
            path.write_bytes(b"RIFF\x10\x00\x00\x00WAVEfmt not really audio")
        else:
            write_wav(path, speechlike_block(1.0 + 0.25 * i, gap=0.5, seed=i))
        files.append(path)
    return files


def _pipeline() -> Pipeline:
    return Pipeline([AudioFileSource("placeholder.wav", chunk_seconds=0.5),
                     FormatConverterNode(target_format="f32", channels=1),
                     AudioResampleNode(target_sample_rate=16000), AudioFileSink("placeholder.wav")])


@pytest.mark.parametrize("native", [pytest.param(True, marks=needs_rmrun), False])
def test_sdk_batch_bad_file_fails_alone_and_resume(tmp_path: Path, native: bool) -> None:
    files = _corpus(tmp_path)
    out = tmp_path / "out"
    results = process_files(_pipeline(), files, out, workers=2, progress=False, native=native)
    assert [r.status for r in results] == ["ok", "ok", "failed", "ok", "ok"]
    assert all(isinstance(r, FileResult) for r in results)
    bad = results[2]
    assert bad.input.endswith("clip2.wav") and "AudioFileSource" in bad.error and not bad.ok
    for r in results:
        if r.ok:
            assert r.outputs == [str(out / (Path(r.input).stem + ".wav"))]
            with wave.open(r.outputs[0]) as w:
                assert w.getframerate() == 16000 and w.getnchannels() == 1
                assert abs(w.getnframes() - r.audio_s * 16000) <= 16
    report = json.loads((out / "batch-report.json").read_text())
    assert report["ok"] == 4 and report["failed"] == 1
    # resume: a lost output is redone, the rest skipped
    (out / "clip1.wav").unlink()
    before = (out / "clip0.wav").stat().st_mtime_ns
    again = process_files(_pipeline(), files, out, workers=2, progress=False, native=native, resume=True)
    assert [r.status for r in again] == ["skipped", "ok", "failed", "skipped", "skipped"]
    assert (out / "clip0.wav").stat().st_mtime_ns == before
    assert (out / "clip1.wav").exists()


@pytest.mark.parametrize("native", [pytest.param(True, marks=needs_rmrun), False])
def test_sdk_batch_outputs_are_what_this_run_wrote(tmp_path: Path, native: bool) -> None:
    """An input that became silent (no frames: the sink writes no file)
    lists no output, though an earlier run's file is still there."""
    clip = tmp_path / "in" / "clip.wav"
    clip.parent.mkdir()
    write_wav(clip, speechlike_block(0.5))
    out = tmp_path / "out"
    [first] = process_files(_pipeline(), [clip], out, progress=False, native=native)
    assert first.outputs == [str(out / "clip.wav")]
    write_wav(clip, speechlike_block(0.5)[:0])
    [again] = process_files(_pipeline(), [clip], out, progress=False, native=native)
    assert again.status == "ok" and again.outputs == []
    assert (out / "clip.wav").exists()  # the earlier run's, left as it was


@needs_rmrun
def test_native_and_python_paths_agree(tmp_path: Path) -> None:
    files = [f for i, f in enumerate(_corpus(tmp_path)) if i != 2]
    native = process_files(_pipeline(), files, tmp_path / "n", progress=False, native=True)
    python = process_files(_pipeline(), files, tmp_path / "p", progress=False, native=False)
    for a, b in zip(native, python):
        assert a.ok and b.ok
        with wave.open(a.outputs[0]) as wa, wave.open(b.outputs[0]) as wb:
            assert wa.getnframes() == wb.getnframes()


def test_same_stem_is_refused(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    with pytest.raises(ValueError, match="same stem"):
        process_files(_pipeline(), [tmp_path / "a" / "x.wav", tmp_path / "b" / "x.flac"], tmp_path / "o",
                      progress=False, native=False)


@pytest.mark.parametrize("files, out, workers, error, text", [
    ("in/a.wav", "o", None, TypeError, "files must be a list of paths, got str 'in/a.wav' \\(one file: \\[path\\]\\)"),
    (["a.wav"], "taken.txt", None, ConfigurationError, "out_dir '.*taken.txt' is a file, not a directory"),
    (["a.wav"], "o", 0, ConfigurationError, "workers must be a whole number >= 1 \\(None: the CPU count\\), got 0"),
    (["a.wav"], "o", -1, ConfigurationError, "workers must be a whole number >= 1"),
    (["a.wav"], "o", "2", ConfigurationError, "workers must be a whole number >= 1 .*got '2'"),
])
@pytest.mark.parametrize("native", [pytest.param(True, marks=needs_rmrun), False])
def test_sdk_batch_arguments_of_the_wrong_kind_are_named(tmp_path: Path, monkeypatch, native: bool, files, out,
                                                          workers, error, text) -> None:
    """A string as files was a batch of its characters; a file as out_dir a bare
    FileExistsError; workers=0 or '2' were taken as the CPU count or 2."""
    (tmp_path / "taken.txt").write_text("notes")
    monkeypatch.chdir(tmp_path)
    with pytest.raises(error, match=text):
        process_files(_pipeline(), files, out, workers=workers, progress=False, native=native)
    assert not (tmp_path / "o").exists() and (tmp_path / "taken.txt").read_text() == "notes"


def test_sdk_batch_takes_any_whole_number_of_workers(tmp_path: Path) -> None:
    """numpy's integers are whole numbers too (int() took them before the
    argument checks); floats and bools are not."""
    import numpy as np

    from remotemedia.batch import _check_arguments

    for ok in (1, np.int64(2), np.int32(3)):
        _check_arguments(["a.wav"], tmp_path / "o", ok)
    for bad in (2.0, True, np.float64(2)):
        with pytest.raises(ConfigurationError, match="workers must be a whole number"):
            _check_arguments(["a.wav"], tmp_path / "o", bad)


@pytest.mark.parametrize("native", [pytest.param(True, marks=needs_rmrun), False])
def test_sdk_batch_of_no_files_is_empty_on_both_paths(tmp_path: Path, native: bool) -> None:
    assert process_files(_pipeline(), [], tmp_path / "o", progress=False, native=native) == []
    assert json.loads((tmp_path / "o" / "batch-report.json").read_text())["total"] == 0


@pytest.mark.parametrize("count", [0, 1])
def test_sdk_batch_of_a_manifest_without_rmrun_says_it_needs_the_native_runtime(tmp_path: Path, count: int) -> None:
    """No files or some: the same error (an empty list used to return [] without it)."""
    files = _corpus(tmp_path, n=count, bad_index=-1) if count else []
    with pytest.raises(PipelineError, match="a manifest needs the native runtime"):
        process_files(json.loads(_pipeline().serialize()), files, tmp_path / "o", progress=False, native=False)


def test_output_rule() -> None:
    manifest = json.loads(_pipeline().serialize())
    assert batch.output_paths(manifest, "/data/rec 1.flac", "/out") == ["/out/rec 1.wav"]
    manifest["nodes"][-1]["params"]["path"] = "x.flac"
    manifest["nodes"].append({"id": "extra", "node_type": "AudioFileSink", "params": {"path": "y.wav"}})
    manifest["connections"].append({"from": "AudioResampleNode_2", "to": "extra"})
    assert batch.output_paths(manifest, "a.wav", "/o") == ["/o/a.AudioFileSink_3.flac", "/o/a.extra.wav"]


@pytest.mark.parametrize("native", [pytest.param(True, marks=needs_rmrun), False])
def test_sdk_batch_outputs_never_follow_planted_links_and_keep_output_links(tmp_path: Path, native: bool) -> None:
    """The old temporary names were predictable (<out>/.tmp-PID-..., <json>.tmp-PID): a symlink planted at any
    name must not be followed. An output that is itself a symlink writes its target (the link stays)."""
    files = _corpus(tmp_path, n=1, bad_index=-1)
    out = tmp_path / "out"
    out.mkdir()
    victim = tmp_path / "victim"
    victim.write_text("precious")
    pid = os.getpid()
    for name in (f".tmp-{pid}-clip0.wav", f"batch-report.json.tmp-{pid}"):
        (out / name).symlink_to(victim)
    real = tmp_path / "real.wav"
    (out / "clip0.wav").symlink_to(real)
    results = process_files(_pipeline(), files, out, progress=False, native=native)
    assert [r.status for r in results] == ["ok"], results
    assert victim.read_text() == "precious"
    assert (out / "clip0.wav").is_symlink()
    with wave.open(str(real)) as w:
        assert w.getnframes() > 0
    assert not [p for p in out.iterdir() if p.name.startswith(".rmtmp-")]


def test_sdk_batch_node_ids_stay_inside_out_dir() -> None:
    manifest = json.loads(_pipeline().serialize())
    manifest["nodes"].append({"id": "/../x", "node_type": "AudioFileSink", "params": {"path": "y.wav"}})
    with pytest.raises(ValueError, match="'/'.*out_dir"):
        batch.output_paths(manifest, "a.wav", "/o")
