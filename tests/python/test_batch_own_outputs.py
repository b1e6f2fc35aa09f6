"""rmrun --batch does not take what it wrote for inputs (QA): with --out
the input folder itself, or a folder inside it, a second run scans the
same inputs as the first, not the first run's outputs, report or state,
and says once what it passed over. A file named on its own or in @LIST is
taken as given.

Needs the built rmrun: $RM_BUILD_DIR/bin/rmrun."""

from __future__ import annotations

import copy
import json
import subprocess
from pathlib import Path

import pytest

from rmrun_cli import COPY, RMRUN, needs_rmrun, tiny_wav  # noqa: E402

pytestmark = needs_rmrun

# Two sinks: the outputs are <stem>.w1.wav and <stem>.w2.wav, audio by
# their extension, so a scan of the folder they land in would take them.
TWO_SINKS = copy.deepcopy(COPY)
TWO_SINKS["nodes"][1]["id"] = "w1"
TWO_SINKS["nodes"].append({"id": "w2", "node_type": "AudioFileSink", "params": {"path": "x.wav"}})
TWO_SINKS["connections"] = [{"from": "read", "to": "w1"}, {"from": "read", "to": "w2"}]


def batch(tmp: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([RMRUN, "--no-env-plugins", "m.json", "--no-progress", *args], cwd=tmp,
                          capture_output=True, text=True, timeout=60)


@pytest.fixture
def data(tmp_path: Path) -> Path:
    tiny_wav(tmp_path / "in" / "a.wav", value=1)
    tiny_wav(tmp_path / "in" / "b.wav", value=2)
    (tmp_path / "m.json").write_text(json.dumps(TWO_SINKS))
    return tmp_path


def report(path: Path) -> dict:
    return json.loads(path.read_text())


# the 4 outputs, and the report where the scan would see it (not a *.wav glob)
@pytest.mark.parametrize("spec, skipped", [(["in"], 5), (["in", "-r"], 5), (["in/*.wav"], 4), (["in/**/*.wav"], 4)])
def test_out_is_the_input_folder_second_run_takes_the_same_inputs(data: Path, spec: list, skipped: int) -> None:
    first = batch(data, "--batch", *spec, "--out", "in")
    assert first.returncode == 0, first.stderr
    assert "not taken as inputs" not in first.stderr
    assert (data / "in" / "a.w1.wav").is_file() and (data / "in" / "b.w2.wav").is_file()
    again = batch(data, "--batch", *spec, "--out", "in")
    assert again.returncode == 0, again.stderr
    r = report(data / "in" / "batch-report.json")
    assert sorted(f["input"] for f in r["files"]) == ["in/a.wav", "in/b.wav"]
    assert r["unsupported"] == []  # batch-report.json is not "not audio": it is rmrun's
    assert again.stderr.count("not taken as inputs") == 1
    assert f"{skipped} files rmrun wrote to --out in (an earlier batch's outputs and report)" in again.stderr
    assert not list((data / "in").glob("*.w1.w1.wav"))


def test_out_inside_the_input_folder_is_not_scanned_and_said_so(data: Path) -> None:
    for run in range(2):
        done = batch(data, "--batch", "in", "-r", "--out", "in/out")
        assert done.returncode == 0, done.stderr
        r = report(data / "in" / "out" / "batch-report.json")
        assert sorted(f["input"] for f in r["files"]) == ["in/a.wav", "in/b.wav"]
        said = "not taken as inputs: the --out folder in/out (inside the scanned folder)" in done.stderr
        assert said == (run == 1)  # the first run created it: nothing to pass over yet


def test_a_named_output_is_taken_as_given(data: Path) -> None:
    assert batch(data, "--batch", "in", "--out", "in").returncode == 0
    (data / "list.txt").write_text("in/a.w1.wav\n")
    named = batch(data, "--batch", "@list.txt", "--out", "elsewhere")
    assert named.returncode == 0, named.stderr
    assert "not taken as inputs" not in named.stderr
    assert (data / "elsewhere" / "a.w1.w1.wav").is_file()


def test_quiet_says_nothing_about_it(data: Path) -> None:
    assert batch(data, "--batch", "in", "--out", "in").returncode == 0
    again = batch(data, "-q", "--batch", "in", "--out", "in")
    assert again.returncode == 0, again.stderr
    assert "not taken as inputs" not in again.stderr
