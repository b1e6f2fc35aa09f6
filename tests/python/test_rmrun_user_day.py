"""A data engineer's day with rmrun: the mistakes and odd inputs of real
speech-data work (audio to stdout, outputs named like the batch's own
files, one folder spelt two ways, JSON written by hand, a value pasted
into --set by accident). Each is a clear error naming the thing, or the
right result; never damaged output.

Needs the built rmrun: $RM_BUILD_DIR/bin/rmrun."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from rmrun_cli import COPY, RMRUN, needs_rmrun, tiny_wav

pytestmark = needs_rmrun


def rmrun(*args: str, cwd: Path, text: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run([RMRUN, "--no-env-plugins", *args], cwd=cwd, capture_output=True, text=text,
                          timeout=60)


def to_stdout(fmt: str = "flac") -> dict:
    manifest = json.loads(json.dumps(COPY))
    manifest["nodes"][0]["params"]["path"] = "in.wav"
    manifest["nodes"][1]["params"] = {"path": "-", "format": fmt}
    return manifest


@pytest.mark.parametrize("extra, names", [
    ([], ["node 'write'", "the results (no --output)", "give --output a file"]),
    (["--output", "-"], ["node 'write'", "the results (no --output)"]),
    (["--output", "r.json", "--metrics", "-"], ["node 'write'", "--metrics", "give --metrics a file"]),
])
def test_audio_to_stdout_with_json_there_too_is_refused(tmp_path: Path, extra: list[str], names: list[str]) -> None:
    """The results list printed into the FLAC stream made it unreadable."""
    tiny_wav(tmp_path / "in.wav")
    (tmp_path / "m.json").write_text(json.dumps(to_stdout()))
    run = rmrun("m.json", *extra, cwd=tmp_path, text=False)
    assert run.returncode == 2, run.stderr
    assert run.stdout == b""
    for name in names:
        assert name in run.stderr.decode(), run.stderr


def test_audio_to_stdout_with_results_elsewhere_is_pure_audio(tmp_path: Path) -> None:
    tiny_wav(tmp_path / "in.wav")
    (tmp_path / "m.json").write_text(json.dumps(to_stdout()))
    run = rmrun("m.json", "--output", "r.json", cwd=tmp_path, text=False)
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith(b"fLaC") and b'"path"' not in run.stdout
    assert json.loads((tmp_path / "r.json").read_text())[0]["path"] == "-"
