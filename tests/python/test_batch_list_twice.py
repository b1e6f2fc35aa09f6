"""rmrun --batch @LIST with a path listed twice (QA): the same file, however
spelt (in/a.wav, ./in/a.wav, its absolute path), is taken once, with a note
naming the list's two lines; two different files with one name stem are
still refused (they would write the same outputs).

Needs the built rmrun: $RM_BUILD_DIR/bin/rmrun."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from rmrun_cli import COPY, RMRUN, needs_rmrun, tiny_wav  # noqa: E402

pytestmark = needs_rmrun


def batch(tmp: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([RMRUN, "--no-env-plugins", "m.json", "--no-progress", *args], cwd=tmp,
                          capture_output=True, text=True, timeout=60, input=stdin)


def inputs(report: Path) -> list:
    return [f["input"] for f in json.loads(report.read_text())["files"]]


def test_the_same_file_listed_twice_is_taken_once_with_a_note(tmp_path: Path) -> None:
    (tmp_path / "m.json").write_text(json.dumps(COPY))
    tiny_wav(tmp_path / "in" / "a.wav")
    tiny_wav(tmp_path / "in" / "b.wav")
    (tmp_path / "list.txt").write_text(f"in/a.wav\nin/b.wav\n./in/a.wav\n{tmp_path}/in/a.wav\nin/b.wav\n")
    done = batch(tmp_path, "--batch", "@list.txt", "--out", "out")
    assert done.returncode == 0, done.stderr
    assert inputs(tmp_path / "out" / "batch-report.json") == ["in/a.wav", "in/b.wav"]
    assert "the list list.txt names in/a.wav again on line 3 (./in/a.wav): taken once (line 1)" in done.stderr, done.stderr
    assert f"names in/a.wav again on line 4 ({tmp_path}/in/a.wav)" in done.stderr
    assert "names in/b.wav again on line 5 (in/b.wav): taken once (line 2)" in done.stderr
    assert "1 ok" not in done.stderr and "2 ok, 0 failed, 0 skipped of 2" in done.stderr
    quiet = batch(tmp_path, "-q", "--batch", "@-", "--out", "out", stdin="in/a.wav\nin/a.wav\n")
    assert quiet.returncode == 0 and quiet.stderr == "", quiet.stderr


def test_two_files_with_one_stem_are_still_refused(tmp_path: Path) -> None:
    (tmp_path / "m.json").write_text(json.dumps(COPY))
    tiny_wav(tmp_path / "in" / "a.wav")
    tiny_wav(tmp_path / "other" / "a.wav")
    (tmp_path / "list.txt").write_text("in/a.wav\nother/a.wav\n")
    refused = batch(tmp_path, "--batch", "@list.txt", "--out", "out")
    assert refused.returncode == 2
    assert "in/a.wav and other/a.wav would write the same outputs (same name stem 'a')" in refused.stderr
    assert "taken once" not in refused.stderr


def test_a_symlink_to_a_listed_file_under_another_name_is_its_own_input(tmp_path: Path) -> None:
    (tmp_path / "m.json").write_text(json.dumps(COPY))
    tiny_wav(tmp_path / "in" / "a.wav")
    (tmp_path / "in" / "b.wav").symlink_to("a.wav")
    (tmp_path / "list.txt").write_text("in/a.wav\nin/b.wav\n")
    done = batch(tmp_path, "--batch", "@list.txt", "--out", "out")
    assert done.returncode == 0, done.stderr
    assert inputs(tmp_path / "out" / "batch-report.json") == ["in/a.wav", "in/b.wav"]
    assert "taken once" not in done.stderr
