"""What a batch's report calls written (QA): an output is "written" only
when this run wrote it. A file an earlier run left at an output's path,
which this run did not replace (its input was silent: the sink got no
audio and writes no file), is "stale", not "written"; the summary and the
report say so. rmrun's own files stay no inputs all the same.

Needs the built rmrun: $RM_BUILD_DIR/bin/rmrun."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from rmrun_cli import COPY, RMRUN, needs_rmrun, tiny_wav  # noqa: E402
from test_batch_own_outputs import TWO_SINKS  # noqa: E402

pytestmark = needs_rmrun


def batch(tmp: Path, *args: str, manifest: str = "m.json") -> subprocess.CompletedProcess:
    return subprocess.run([RMRUN, "--no-env-plugins", manifest, "--no-progress", *args], cwd=tmp,
                          capture_output=True, text=True, timeout=60)


def files(report: Path) -> dict:
    return {f["input"]: f for f in json.loads(report.read_text())["files"]}


def silent(path: Path) -> None:
    """A WAV with no frames: the source emits nothing, the sink writes no file."""
    tiny_wav(path, frames=0)


def test_an_older_file_at_a_silent_inputs_output_is_not_written(tmp_path: Path) -> None:
    (tmp_path / "m.json").write_text(json.dumps(COPY))
    tiny_wav(tmp_path / "in" / "a.wav", value=1)
    tiny_wav(tmp_path / "in" / "b.wav", value=2)
    first = batch(tmp_path, "--batch", "in", "--out", "out")
    assert first.returncode == 0, first.stderr
    old = (tmp_path / "out" / "a.wav").read_bytes()
    silent(tmp_path / "in" / "a.wav")
    again = batch(tmp_path, "--batch", "in", "--out", "out")
    assert again.returncode == 0, again.stderr  # silence is no failure
    f = files(tmp_path / "out" / "batch-report.json")
    assert f["in/a.wav"]["status"] == "ok"
    assert f["in/a.wav"]["written"] == []
    assert f["in/a.wav"]["stale"] == ["out/a.wav"]
    assert f["in/b.wav"]["written"] == ["out/b.wav"] and f["in/b.wav"]["stale"] == []
    assert (tmp_path / "out" / "a.wav").read_bytes() == old  # left as it was
    assert "in/a.wav: out/a.wav not written (its sink got no audio" in again.stderr, again.stderr
    assert "earlier run" in again.stderr, again.stderr


def test_an_output_rewritten_with_the_same_bytes_is_written(tmp_path: Path) -> None:
    (tmp_path / "m.json").write_text(json.dumps(COPY))
    tiny_wav(tmp_path / "in" / "a.wav")
    for _ in range(2):
        done = batch(tmp_path, "--batch", "in", "--out", "out")
        assert done.returncode == 0, done.stderr
        f = files(tmp_path / "out" / "batch-report.json")["in/a.wav"]
        assert f["written"] == ["out/a.wav"] and f["stale"] == []


def test_a_stale_output_in_the_input_folder_is_still_no_input(tmp_path: Path) -> None:
    """The scan's "what rmrun wrote is no input" reads the state: an output
    a run did not rewrite (stale) was still written by rmrun, earlier."""
    (tmp_path / "m.json").write_text(json.dumps(TWO_SINKS))
    tiny_wav(tmp_path / "in" / "a.wav", value=1)
    tiny_wav(tmp_path / "in" / "b.wav", value=2)
    assert batch(tmp_path, "--batch", "in", "--out", "in").returncode == 0
    silent(tmp_path / "in" / "a.wav")
    second = batch(tmp_path, "--batch", "in", "--out", "in")
    assert second.returncode == 0, second.stderr
    f = files(tmp_path / "in" / "batch-report.json")
    assert f["in/a.wav"]["written"] == [] and sorted(f["in/a.wav"]["stale"]) == ["in/a.w1.wav", "in/a.w2.wav"]
    third = batch(tmp_path, "--batch", "in", "--out", "in")
    assert third.returncode == 0, third.stderr
    assert sorted(files(tmp_path / "in" / "batch-report.json")) == ["in/a.wav", "in/b.wav"]
    assert "5 files rmrun wrote to --out in" in third.stderr, third.stderr


TRIM = {"version": "v1",
        "nodes": [{"id": "read", "node_type": "AudioFileSource", "params": {"path": "in.wav"}},
                  {"id": "mono", "node_type": "FormatConverterNode", "params": {"target_format": "f32", "channels": 1}},
                  {"id": "resample", "node_type": "AudioResampleNode", "params": {"target_sample_rate": 16000}},
                  {"id": "speech", "node_type": "SpeechSegmenter", "params": {"emit_audio": True}},
                  {"id": "write", "node_type": "AudioFileSink", "params": {"path": "out.wav"}}],
        "connections": [{"from": "read", "to": "mono"}, {"from": "mono", "to": "resample"},
                        {"from": "resample", "to": "speech"}, {"from": "speech", "from_port": 1, "to": "write"}]}


def test_a_silent_input_is_named_with_the_output_it_did_not_write(tmp_path: Path) -> None:
    """No speech in a VAD-trimmed batch, and an empty input: the sink gets
    no audio, writes no file; each is said (not a failure: exit 0)."""
    (tmp_path / "trim.json").write_text(json.dumps(TRIM))
    tiny_wav(tmp_path / "in" / "quiet.wav", frames=16000, value=0)  # 2 s of digital silence
    silent(tmp_path / "in" / "empty.wav")
    done = batch(tmp_path, "--batch", "in", "--out", "out", manifest="trim.json")
    assert done.returncode == 0, done.stderr
    f = files(tmp_path / "out" / "batch-report.json")
    for name in ("quiet", "empty"):
        entry = f[f"in/{name}.wav"]
        assert entry["status"] == "ok" and entry["error"] is None
        assert entry["written"] == [] and entry["stale"] == []
        assert entry["not_written"] == [f"out/{name}.wav"]
        assert f"in/{name}.wav: out/{name}.wav not written (its sink got no audio" in done.stderr, done.stderr
    assert not (tmp_path / "out" / "quiet.wav").exists()
    quiet = batch(tmp_path, "-q", "--batch", "in", "--out", "out2", manifest="trim.json")
    assert quiet.returncode == 0 and quiet.stderr == "", quiet.stderr


def test_not_written_lists_the_stale_outputs_too(tmp_path: Path) -> None:
    (tmp_path / "m.json").write_text(json.dumps(COPY))
    tiny_wav(tmp_path / "in" / "a.wav")
    assert batch(tmp_path, "--batch", "in", "--out", "out").returncode == 0
    assert files(tmp_path / "out" / "batch-report.json")["in/a.wav"]["not_written"] == []
    silent(tmp_path / "in" / "a.wav")
    again = batch(tmp_path, "--batch", "in", "--out", "out")
    entry = files(tmp_path / "out" / "batch-report.json")["in/a.wav"]
    assert entry["not_written"] == ["out/a.wav"] and entry["stale"] == ["out/a.wav"]
    assert again.stderr.count("out/a.wav not written") == 1, again.stderr


def test_a_resumed_skip_keeps_an_older_file_stale(tmp_path: Path) -> None:
    """--resume skips a file an earlier run finished: its outputs are what
    that run wrote, so a file it did not write (a silent input there) stays
    "stale", not "written", run after run."""
    (tmp_path / "m.json").write_text(json.dumps(COPY))
    tiny_wav(tmp_path / "in" / "a.wav", value=1)
    assert batch(tmp_path, "--batch", "in", "--out", "out").returncode == 0
    silent(tmp_path / "in" / "a.wav")
    for run in range(2):  # the silent run, then a resume that skips it
        done = batch(tmp_path, "--batch", "in", "--out", "out", "--resume")
        assert done.returncode == 0, done.stderr
        f = files(tmp_path / "out" / "batch-report.json")["in/a.wav"]
        assert f["status"] == ("ok" if run == 0 else "skipped"), f
        assert f["written"] == [] and f["stale"] == ["out/a.wav"], f


def test_a_refused_files_existing_output_is_stale(tmp_path: Path) -> None:
    """A file that did not run (-n refused it) lists the file already at its
    output as stale: it is not this run's, and the state keeps it rmrun's."""
    (tmp_path / "m.json").write_text(json.dumps(COPY))
    tiny_wav(tmp_path / "in" / "a.wav", value=1)
    assert batch(tmp_path, "--batch", "in", "--out", "out").returncode == 0
    refused = batch(tmp_path, "--batch", "in", "--out", "out", "-n")
    assert refused.returncode != 0
    f = files(tmp_path / "out" / "batch-report.json")["in/a.wav"]
    assert f["status"] == "failed" and f["written"] == [] and f["stale"] == ["out/a.wav"], f
