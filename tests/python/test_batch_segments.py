"""rmrun --batch --segments (issue 17): SpeechSegmenter's segments as
JSONL, CSV, RTTM and Audacity labels, per file and combined for the batch,
also for files a --resume skipped.

Needs the built rmrun: $RM_BUILD_DIR/bin/rmrun."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
import wave
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, os.path.dirname(__file__))
from speech_signals import speech_with_pauses  # noqa: E402

from rmrun_cli import RMRUN, needs_rmrun  # noqa: E402

pytestmark = needs_rmrun

RATE = 16000
TRIM = {"version": "v1",
        "nodes": [{"id": "read", "node_type": "AudioFileSource", "params": {"path": "x.wav", "chunk_seconds": 0.5}},
                  {"id": "mono", "node_type": "FormatConverterNode", "params": {"target_format": "f32", "channels": 1}},
                  {"id": "speech", "node_type": "SpeechSegmenter", "params": {"emit_audio": True}},
                  {"id": "write", "node_type": "AudioFileSink", "params": {"path": "x.wav"}}],
        "connections": [{"from": "read", "to": "mono"}, {"from": "mono", "to": "speech"},
                        {"from": "speech", "from_port": 1, "to": "write"}]}


def write(path: Path, x: np.ndarray) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes((np.clip(x, -1, 1) * 32767).astype("<i2").tobytes())


@pytest.fixture
def corpus(tmp_path: Path) -> tuple[Path, list]:
    truth = []
    for i, name in enumerate(["spk1/a", "spk1/b", "spk2/a"]):
        x, intervals = speech_with_pauses(RATE, np.random.default_rng(i))
        write(tmp_path / "in" / f"{name}.wav", x)
        truth.append(intervals)
    (tmp_path / "in" / "silent.wav").parent.mkdir(exist_ok=True)
    write(tmp_path / "in" / "silent.wav", np.zeros(RATE))
    (tmp_path / "m.json").write_text(json.dumps(TRIM))
    return tmp_path, truth


def batch(tmp: Path, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run([RMRUN, "--no-env-plugins", "m.json", "--batch", "in", "-r", "--out", "out", *extra],
                          cwd=tmp, capture_output=True, text=True, timeout=120)


def jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_segments_in_every_format_per_file_and_combined(corpus) -> None:
    tmp, truth = corpus
    done = batch(tmp, "--segments", "all")
    assert done.returncode == 0, done.stderr
    out = tmp / "out"
    per_file = jsonl(out / "spk1" / "a.segments.jsonl")
    assert [s["file"] for s in per_file] == ["in/spk1/a.wav"] * len(per_file)
    # found where the speech is (two intervals), with a score
    assert len(per_file) == 2
    for s, (start, end) in zip(per_file, truth[0]):
        assert abs(s["start"] - start) < 0.3 and abs(s["end"] - end) < 0.3
        assert s["duration"] == pytest.approx(s["end"] - s["start"], abs=1e-3)
        assert 0.5 < s["score"] <= 1
    assert jsonl(out / "silent.segments.jsonl") == []  # no speech: an empty file
    rows = list(csv.DictReader((out / "spk1" / "a.segments.csv").open()))
    assert [(r["file"], float(r["start"]), float(r["end"])) for r in rows] == \
        [(s["file"], s["start"], s["end"]) for s in per_file]
    rttm = (out / "spk1" / "a.rttm").read_text().splitlines()
    assert [line.split() for line in rttm] == [
        ["SPEAKER", "spk1/a", "1", f"{s['start']:.3f}", f"{s['duration']:.3f}", "<NA>", "<NA>", "speech", "<NA>",
         "<NA>"] for s in per_file]
    labels = (out / "spk1" / "a.labels.txt").read_text().splitlines()
    assert [tuple(line.split("\t")) for line in labels] == [
        (f"{s['start']:.6f}", f"{s['end']:.6f}", "speech") for s in per_file]
    # combined: every file's segments, in input order
    combined = jsonl(out / "segments.jsonl")
    assert [s["file"] for s in combined] == ["in/spk1/a.wav"] * 2 + ["in/spk1/b.wav"] * 2 + ["in/spk2/a.wav"] * 2
    assert len((out / "segments.csv").read_text().splitlines()) == 1 + 6
    assert {line.split()[1] for line in (out / "segments.rttm").read_text().splitlines()} == \
        {"spk1/a", "spk1/b", "spk2/a"}
    assert not (out / "segments.labels.txt").exists()  # labels belong to one audio file
    # the segments tap is no "other sink": no <stem>.json
    assert not [p for p in out.rglob("*.json") if p.name not in ("batch-report.json", ".rmrun-state.json")]


def test_resume_still_combines_every_file(corpus) -> None:
    tmp, _ = corpus
    assert batch(tmp, "--segments", "jsonl,rttm").returncode == 0
    before = (tmp / "out" / "segments.jsonl").read_text()
    (tmp / "out" / "spk2" / "a.rttm").unlink()  # one output lost: that file runs again
    again = batch(tmp, "--segments", "jsonl,rttm", "--resume", "--events")
    assert again.returncode == 0
    status = {json.loads(line)["input"]: json.loads(line)["status"] for line in again.stdout.splitlines()}
    assert status == {"in/silent.wav": "skipped", "in/spk1/a.wav": "skipped", "in/spk1/b.wav": "skipped",
                      "in/spk2/a.wav": "ok"}
    assert (tmp / "out" / "segments.jsonl").read_text() == before
    assert not (tmp / "out" / "segments.csv").exists()


@pytest.mark.parametrize("manifest, args, message", [
    ({**TRIM, "nodes": TRIM["nodes"][:2] + [{"id": "write", "node_type": "AudioFileSink", "params": {"path": "x.wav"}}],
      "connections": None}, ["--segments", "jsonl"], "has no node that emits speech segments"),
    (TRIM, ["--segments", "textgrid"], "--segments takes jsonl, csv, rttm, audacity or all (comma-separated), "
                                       "got 'textgrid'"),
])
def test_segments_mistakes(corpus, manifest: dict, args: list, message: str) -> None:
    tmp, _ = corpus
    (tmp / "m.json").write_text(json.dumps({k: v for k, v in manifest.items() if v is not None}))
    done = batch(tmp, *args)
    assert done.returncode == 2 and message in done.stderr


def test_segments_without_a_pass_through_type_say_what_is_missing(corpus) -> None:
    """The tap is any loaded node type declaring the pass-through role: with
    only the plugins of the manifest's nodes (no math plugin), there is none."""
    tmp, _ = corpus
    plugins = Path(RMRUN).resolve().parents[1] / "lib" / "remotemedia" / "plugins"
    only = tmp / "plugins"
    only.mkdir()
    for name in ("rm_audio_file.so", "rm_audio_format.so", "rm_vad.so"):
        (only / name).symlink_to(plugins / name)
    done = subprocess.run([RMRUN, "--no-env-plugins", "--no-default-plugins", "--plugins", str(only), "m.json",
                           "--batch", "in", "-r", "--out", "out", "--segments", "jsonl"],
                          cwd=tmp, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2, done.stderr
    assert "no loaded plugin has a pass-through node type to capture the segments of 'speech'" in done.stderr
