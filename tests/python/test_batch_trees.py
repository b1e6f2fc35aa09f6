"""rmrun --batch over dataset trees (issue 17): --recursive directory
scans, real `**` globs, outputs mirroring the input tree (same stems in
different folders are fine), files that are not audio counted and named.

Needs the built rmrun: $RM_BUILD_DIR/bin/rmrun."""

from __future__ import annotations

import json
import subprocess
import wave
from pathlib import Path

import pytest

from rmrun_cli import COPY, RMRUN, needs_rmrun, tiny_wav  # noqa: E402

pytestmark = needs_rmrun



def wav(path: Path, value: int) -> None:
    tiny_wav(path, 100, value)


def first_sample(path: Path) -> int:
    with wave.open(str(path)) as w:
        return w.readframes(1)[0]


def rmrun(tmp: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([RMRUN, "--no-env-plugins", "m.json", *args], cwd=tmp, capture_output=True, text=True,
                          timeout=60)


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    data = tmp_path / "data"
    wav(data / "top.wav", 1)
    wav(data / "spk1" / "001.wav", 2)
    wav(data / "spk2" / "001.wav", 3)
    wav(data / "spk2" / "deep" / "001.wav", 4)
    wav(data / ".hidden" / "001.wav", 5)
    wav(data / "spk1" / ".secret.wav", 6)
    (data / "notes.txt").write_text("not audio")
    (data / "spk2" / "readme.md").write_text("not audio")
    (tmp_path / "elsewhere").mkdir()
    wav(tmp_path / "elsewhere" / "linked.wav", 7)
    (data / "spk3").symlink_to(tmp_path / "elsewhere")  # a symlinked directory: not entered
    (tmp_path / "m.json").write_text(json.dumps(COPY))
    return tmp_path


MIRRORED = {"top.wav": 1, "spk1/001.wav": 2, "spk2/001.wav": 3, "spk2/deep/001.wav": 4}


def outputs(out: Path) -> dict:
    return {str(p.relative_to(out)): first_sample(p) for p in out.rglob("*.wav")}


@pytest.mark.parametrize("spec", [["data", "--recursive"], ["data", "-r"], ["data/**/*.wav"], ["data/**"]])
def test_recursive_scans_and_globstar_mirror_the_tree(tree: Path, spec: list) -> None:
    done = rmrun(tree, "--batch", *spec, "--out", "out")
    if spec == ["data/**"]:  # every file, audio or not: the text files fail, alone
        assert done.returncode == 1
        report = json.loads((tree / "out" / "batch-report.json").read_text())
        assert {Path(f["input"]).name for f in report["files"] if f["status"] == "failed"} == {"notes.txt", "readme.md"}
    else:
        assert done.returncode == 0, done.stderr
    assert outputs(tree / "out") == MIRRORED


def test_recursive_names_and_counts_what_is_not_audio(tree: Path) -> None:
    done = rmrun(tree, "--batch", "data", "-r", "--out", "out")
    assert "2 files skipped, not audio by extension (listed in the report): data/notes.txt, data/spk2/readme.md" \
        in done.stderr
    report = json.loads((tree / "out" / "batch-report.json").read_text())
    assert report["unsupported"] == ["data/notes.txt", "data/spk2/readme.md"]
    assert report["total"] == 4


def test_flat_scan_is_unchanged_and_names_what_it_skips(tree: Path) -> None:
    done = rmrun(tree, "--batch", "data", "--out", "out")
    assert done.returncode == 0
    assert outputs(tree / "out") == {"top.wav": 1}
    assert "1 file skipped, not audio by extension (listed in the report): data/notes.txt" in done.stderr


def test_globstar_matches_zero_or_more_folders(tree: Path) -> None:
    assert rmrun(tree, "--batch", "data/**/001.wav", "--out", "out").returncode == 0
    assert outputs(tree / "out") == {"spk1/001.wav": 2, "spk2/001.wav": 3, "spk2/deep/001.wav": 4}
    assert rmrun(tree, "--batch", "data/spk2/**/*.wav", "--out", "out2").returncode == 0
    assert outputs(tree / "out2") == {"001.wav": 3, "deep/001.wav": 4}
    assert rmrun(tree, "--batch", "data/*/001.wav", "--out", "out3").returncode == 0  # a plain glob mirrors too
    assert outputs(tree / "out3") == {"spk1/001.wav": 2, "spk2/001.wav": 3}


def test_out_inside_the_tree_is_not_scanned_again(tree: Path) -> None:
    assert rmrun(tree, "--batch", "data", "-r", "--out", "data/clean").returncode == 0
    again = rmrun(tree, "--batch", "data", "-r", "--out", "data/clean", "--events")
    assert again.returncode == 0
    assert not [line for line in again.stdout.splitlines() if "clean/" in json.loads(line)["input"]]
    assert outputs(tree / "data" / "clean") == MIRRORED


def test_same_stem_in_one_folder_is_still_refused(tree: Path) -> None:
    wav(tree / "data" / "spk1" / "001.flac.wav", 8)  # stem 001.flac: fine
    (tree / "data" / "spk1" / "001.ogg").write_bytes(b"x")  # stem 001 again in spk1
    done = rmrun(tree, "--batch", "data", "-r", "--out", "out")
    assert done.returncode == 2
    assert "data/spk1/001.ogg and data/spk1/001.wav would write the same outputs (same name stem '001' in spk1)" \
        in done.stderr


def test_metrics_and_trace_per_file_and_a_summary(tree: Path) -> None:
    assert rmrun(tree, "--batch", "data", "-r", "--out", "out", "--metrics", "--trace").returncode == 0
    out = tree / "out"
    for rel in MIRRORED:
        stem = rel[:-len(".wav")]
        metrics = json.loads((out / f"{stem}.metrics.json").read_text())
        assert metrics["schema"] == "remotemedia.metrics/1"
        assert {n["node_id"] for n in metrics["node_metrics"]} == {"read", "write"}
        trace = json.loads((out / f"{stem}.trace.json").read_text())
        assert any(e.get("ph") == "X" for e in trace["traceEvents"])
    nodes = {n["id"]: n for n in json.loads((out / "batch-report.json").read_text())["nodes"]}
    assert nodes["read"]["runs"] == 4 and nodes["read"]["calls"] >= 4 and nodes["write"]["mean_us_per_call"] > 0
    # without the options: none of them, and no summary fields
    assert rmrun(tree, "--batch", "data", "-r", "--out", "plain").returncode == 0
    assert not list((tree / "plain").rglob("*.metrics.json")) and not list((tree / "plain").rglob("*.trace.json"))
    assert "calls" not in json.loads((tree / "plain" / "batch-report.json").read_text())["nodes"][0]
