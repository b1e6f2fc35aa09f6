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


def batch_summary(run: subprocess.CompletedProcess) -> str:
    return next(line for line in run.stderr.splitlines() if " ok, " in line)


@pytest.mark.parametrize("again", ["{tmp}/in", "./in/", "link"])
def test_resume_finds_the_inputs_however_the_folder_is_spelt(tmp_path: Path, again: str) -> None:
    """A cron job with the absolute path after a run by hand with a relative
    one re-ran every file: the key hashed the path as spelt."""
    for name in ("a", "b"):
        tiny_wav(tmp_path / "in" / f"{name}.wav", value=3)
    (tmp_path / "link").symlink_to("in")
    (tmp_path / "m.json").write_text(json.dumps(COPY))
    first = rmrun("m.json", "--batch", "in", "--out", "out", "--no-progress", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    spelt = again.format(tmp=tmp_path)
    run = rmrun("m.json", "--batch", spelt, "--out", str(tmp_path / "out"), "--no-progress", "--resume",
                cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert "0 ok, 0 failed, 2 skipped of 2" in batch_summary(run)
    # a changed input still runs again, spelt either way
    tiny_wav(tmp_path / "in" / "b.wav", frames=50, value=4)
    run = rmrun("m.json", "--batch", "in", "--out", "out", "--no-progress", "--resume", cwd=tmp_path)
    assert "1 ok, 0 failed, 1 skipped of 2" in batch_summary(run), run.stderr


def test_resume_keeps_two_links_to_one_file_apart(tmp_path: Path) -> None:
    """Two names of one file write two outputs: one done is not both done."""
    tiny_wav(tmp_path / "data" / "x.wav")
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.wav").symlink_to("../data/x.wav")
    (tmp_path / "m.json").write_text(json.dumps(COPY))
    (tmp_path / "list").write_text("in/a.wav\n")
    first = rmrun("m.json", "--batch", "@list", "--out", "out", "--no-progress", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    (tmp_path / "in" / "b.wav").symlink_to("../data/x.wav")
    run = rmrun("m.json", "--batch", "in", "--out", "out", "--no-progress", "--resume", cwd=tmp_path)
    assert "1 ok, 0 failed, 1 skipped of 2" in batch_summary(run), run.stderr
    assert (tmp_path / "out" / "b.wav").is_file()


SEGMENTS_JSON = {"version": "v1",
                 "nodes": [{"id": "read", "node_type": "AudioFileSource", "params": {"path": "x.wav"}},
                           {"id": "mono", "node_type": "FormatConverterNode",
                            "params": {"target_format": "f32", "channels": 1}},
                           {"id": "speech", "node_type": "SpeechSegmenter"}],
                 "connections": [{"from": "read", "to": "mono"}, {"from": "mono", "to": "speech"}]}


@pytest.mark.parametrize("manifest, inputs, options, written, other", [
    # a JSON sink's <stem>.json under the report: the segments were lost
    (SEGMENTS_JSON, ["batch-report.wav", "a.wav"], [], "out/batch-report.json", "the batch's report"),
    # a per-file .rttm under the combined one
    (SEGMENTS_JSON, ["segments.wav"], ["--segments", "rttm"], "out/segments.rttm", "combined segments"),
    # a.wav's metrics under a.metrics.wav's JSON
    (SEGMENTS_JSON, ["a.wav", "a.metrics.wav"], ["--metrics"], "out/a.metrics.json", "in/a.wav"),
    # and its trace
    (SEGMENTS_JSON, ["a.wav", "a.trace.wav"], ["--trace"], "out/a.trace.json", "in/a.wav"),
    # --report given: the name it gives, as the report's writer uses it
    (SEGMENTS_JSON, ["r.wav"], ["--report", "out/r.json"], "out/r.json", "the batch's report"),
])
def test_batch_outputs_that_share_a_name_are_refused_before_any_file(
        tmp_path: Path, manifest: dict, inputs: list[str], options: list[str], written: str, other: str) -> None:
    for name in inputs:
        tiny_wav(tmp_path / "in" / name, frames=1600, rate=16000)
    (tmp_path / "m.json").write_text(json.dumps(manifest))
    run = rmrun("m.json", "--batch", "in", "--out", "out", "--no-progress", *options, cwd=tmp_path)
    assert run.returncode == 2, run.stderr
    assert f"would both write {written}" in run.stderr and other in run.stderr, run.stderr
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_batch_report_elsewhere_leaves_the_name_to_the_input(tmp_path: Path) -> None:
    tiny_wav(tmp_path / "in" / "batch-report.wav", frames=1600, rate=16000)
    (tmp_path / "m.json").write_text(json.dumps(SEGMENTS_JSON))
    run = rmrun("m.json", "--batch", "in", "--out", "out", "--report", "r.json", "--no-progress", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert "speech" in json.loads((tmp_path / "out" / "batch-report.json").read_text())


@pytest.mark.parametrize("report, why", [("nodir/r.json", "No such file or directory"),
                                         ("afile/r.json", "Not a directory")])
def test_batch_report_that_cannot_be_written_stops_before_any_file(tmp_path: Path, report: str, why: str) -> None:
    """It used to be found out after the last file: hours of work, no report."""
    tiny_wav(tmp_path / "in" / "a.wav")
    (tmp_path / "afile").write_text("x")
    (tmp_path / "m.json").write_text(json.dumps(COPY))
    run = rmrun("m.json", "--batch", "in", "--out", "out", "--report", report, "--no-progress", cwd=tmp_path)
    assert run.returncode == 5, run.stderr
    assert f"--report {report}: cannot write into" in run.stderr and why in run.stderr, run.stderr
    assert not (tmp_path / "out" / "a.wav").exists()


@pytest.mark.parametrize("rate, channels", [(96000, 1), (16000, 3)])
def test_mp3_rate_or_channels_it_cannot_take_name_the_limits(tmp_path: Path, rate: int, channels: int) -> None:
    """96 kHz to MP3 was exit 5 (an I/O error) with libsndfile's bare
    'Error : MPEG-1/2/2.5 only supports ...'; 3 channels 'in this format'."""
    import wave
    with wave.open(str(tmp_path / "in.wav"), "wb") as w:
        w.setnchannels(channels)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(b"\x01\x00" * channels * 1000)
    run = rmrun("launch", "AudioFileSource path=in.wav ! AudioFileSink name=write path=out.mp3", cwd=tmp_path)
    assert run.returncode == 1, run.stderr
    assert f"cannot write {rate} Hz, {channels} channel" in run.stderr and "'out.mp3'" in run.stderr
    assert "MP3 takes 1 or 2 channels at 8000, 11025" in run.stderr and "[EINVAL]" in run.stderr
    assert not (tmp_path / "out.mp3").exists()


@pytest.mark.parametrize("batch", [False, True])
def test_hand_written_json_mistakes_are_named_where_they_are(tmp_path: Path, batch: bool) -> None:
    """A trailing comma was 'unexpected text "],}"'; in a batch only
    'invalid manifest: not a JSON object', with no place at all."""
    tiny_wav(tmp_path / "in" / "a.wav")
    text = json.dumps(COPY, indent=1).replace('"connections"', '// copy\n "connections"', 1)
    (tmp_path / "m.json").write_text(text)
    args = ["--batch", "in", "--out", "out", "--no-progress"] if batch else []
    run = rmrun("m.json", *args, cwd=tmp_path)
    assert run.returncode == 3, run.stderr
    line = 1 + text[:text.index("//")].count("\n")
    assert f"m.json:{line}:2: malformed JSON: a comment (// or /* */)" in run.stderr, run.stderr
    (tmp_path / "m.json").write_text('{"version": "v1", "nodes": [{"id": "a", "node_type": "MultiplyNode"},]}')
    run = rmrun("m.json", *args, cwd=tmp_path)
    assert run.returncode == 3, run.stderr
    assert "m.json:1:69: malformed JSON: a trailing comma before ']'" in run.stderr, run.stderr


@pytest.mark.parametrize("value, says", [
    ("9" * 50000, "is too large: it overflows a double"),
    ("x" * 50000, "parameter 'factor' is a float, got 'xxxx"),
])
def test_a_huge_set_value_is_one_short_message(tmp_path: Path, value: str, says: str) -> None:
    """A file pasted into --set was echoed back whole, twice (100 kB of 9s)."""
    (tmp_path / "m.json").write_text(json.dumps(
        {"version": "v1", "nodes": [{"id": "mul", "node_type": "MultiplyNode", "params": {"factor": 2}}]}))
    run = rmrun("m.json", "--input", "[1]", "--set", f"mul.factor={value}", cwd=tmp_path)
    assert run.returncode == 2, run.stderr[:500]
    lines = run.stderr.splitlines()
    assert len(lines) == 1 and len(lines[0]) < 400, run.stderr[:500]
    assert says in lines[0] and "(50011 bytes)" in lines[0], lines[0]


@pytest.mark.parametrize("args, option", [(["--input", "@-"], "--input @-"),
                                          (["--batch", "@-", "--out", "out"], "--batch @-")])
def test_manifest_and_items_both_from_stdin_is_a_usage_error(tmp_path: Path, args: list[str], option: str) -> None:
    """The manifest took all of stdin and the items (or the list) found it
    empty: 'empty manifest' or 'no input files in @-', neither the reason."""
    tiny_wav(tmp_path / "a.wav")
    run = subprocess.run([RMRUN, "--no-env-plugins", "-", *args], cwd=tmp_path, input=json.dumps(COPY) + "\na.wav\n",
                         capture_output=True, text=True, timeout=60)
    assert run.returncode == 2, run.stderr
    assert f"the manifest '-' and {option} would both read stdin" in run.stderr, run.stderr
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("how", ["manifest", "--set"])
def test_a_source_reading_stdin_and_input_at_dash_is_a_usage_error(tmp_path: Path, how: str) -> None:
    """AudioFileSource path '-' and --input @- both want stdin: --input took
    the audio and said it was not JSON. Refused before either reads it,
    naming the node, its parameter and --input @-."""
    m = json.loads(json.dumps(COPY))
    m["nodes"][0]["params"]["path"] = "-" if how == "manifest" else "x.wav"
    (tmp_path / "m.json").write_text(json.dumps(m))
    tiny_wav(tmp_path / "a.wav")
    extra = ["--set", "read.path=-"] if how == "--set" else []
    run = subprocess.run([RMRUN, "--no-env-plugins", "m.json", "--input", "@-", *extra], cwd=tmp_path,
                         input=(tmp_path / "a.wav").read_bytes(), capture_output=True, timeout=60)
    err = run.stderr.decode()
    assert run.returncode == 2, err
    assert "node 'read' (AudioFileSource) reads its path '-' from stdin, and so would --input @-" in err, err
    assert "not valid JSON" not in err and not (tmp_path / "x.wav").exists()


def test_a_batch_list_on_stdin_with_a_source_path_dash_is_fine(tmp_path: Path) -> None:
    """In a batch the source's path is each input, not stdin: --batch @-
    reads the list from stdin with a manifest whose path is '-'."""
    m = json.loads(json.dumps(COPY))
    m["nodes"][0]["params"]["path"] = "-"
    (tmp_path / "m.json").write_text(json.dumps(m))
    tiny_wav(tmp_path / "a.wav")
    run = subprocess.run([RMRUN, "--no-env-plugins", "m.json", "--batch", "@-", "--out", "out", "--no-progress"],
                         cwd=tmp_path, input="a.wav\n", capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    assert (tmp_path / "out" / "a.wav").is_file()


@pytest.mark.parametrize("command", ["batch", "run"])
def test_help_names_the_list_input_as_the_docs_do(tmp_path: Path, command: str) -> None:
    """docs/batch.md and docs/cli.md give --batch DIR|GLOB|@LIST; the help
    said DIR|GLOB, hiding @LIST from anyone reading only the usage line."""
    docs = (Path(__file__).resolve().parents[2] / "docs" / "batch.md").read_text()
    assert "--batch DIR|GLOB|@LIST" in docs
    run = rmrun("help", command, cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert "--batch DIR|GLOB|@LIST" in run.stdout and "--batch DIR|GLOB " not in run.stdout


MULTIPLY = {"version": "v1", "nodes": [{"id": "mul", "node_type": "MultiplyNode", "params": {"factor": 2}}]}


@pytest.mark.parametrize("args, says", [
    (["--input", "1", "--output", "m.json"], "--output writes 'm.json', which is the manifest being run"),
    (["--input", "1", "--trace", "link.json"], "--trace writes 'link.json', which is the manifest being run"),
    (["--input", "@items.json", "--metrics", "./items.json"],
     "--metrics writes './items.json', which is the --input file being read"),
])
def test_run_outputs_never_overwrite_the_manifest_or_the_input(tmp_path: Path, args: list[str], says: str) -> None:
    """`rmrun m.json --output m.json` replaced the manifest with '[2]'."""
    text = json.dumps(MULTIPLY)
    (tmp_path / "m.json").write_text(text)
    (tmp_path / "link.json").symlink_to("m.json")
    (tmp_path / "items.json").write_text("[1]")
    run = rmrun("m.json", *args, cwd=tmp_path)
    assert run.returncode == 2, run.stderr
    assert says in run.stderr and "give another file" in run.stderr, run.stderr
    assert (tmp_path / "m.json").read_text() == text and (tmp_path / "items.json").read_text() == "[1]"


def test_batch_output_never_overwrites_the_manifest(tmp_path: Path) -> None:
    """The manifest kept beside the audio, --out that folder: a.wav's JSON
    replaced a.json, the manifest itself."""
    tiny_wav(tmp_path / "in" / "a.wav", frames=1600, rate=16000)
    text = json.dumps(SEGMENTS_JSON)
    (tmp_path / "in" / "a.json").write_text(text)
    run = rmrun("in/a.json", "--batch", "in", "--out", "in", "--no-progress", cwd=tmp_path)
    assert run.returncode == 2, run.stderr
    assert "in/a.wav would write in/a.json, which is the manifest in/a.json" in run.stderr, run.stderr
    assert (tmp_path / "in" / "a.json").read_text() == text


def test_batch_events_reader_gone_does_not_kill_the_batch(tmp_path: Path) -> None:
    """`rmrun ... --events | head -1`: SIGPIPE killed rmrun after a file or
    two; the rest never ran and there was no report."""
    import os
    for name in ("a", "b", "c"):
        tiny_wav(tmp_path / "in" / f"{name}.wav")
    (tmp_path / "m.json").write_text(json.dumps(COPY))
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader is gone before the first line
    try:
        run = subprocess.run([RMRUN, "--no-env-plugins", "m.json", "--batch", "in", "--out", "out", "--events",
                              "--no-progress", "-j", "1"], cwd=tmp_path, stdout=write_end, stderr=subprocess.PIPE,
                             text=True, timeout=60)
    finally:
        os.close(write_end)
    assert run.returncode == 0, run.stderr
    assert run.stderr.count("--events: cannot write to stdout: Broken pipe") == 1, run.stderr
    report = json.loads((tmp_path / "out" / "batch-report.json").read_text())
    assert [f["status"] for f in report["files"]] == ["ok", "ok", "ok"]


@pytest.mark.parametrize("out", ["out/", "out///"])
def test_batch_out_with_a_trailing_slash_spells_outputs_once(tmp_path: Path, out: str) -> None:
    """Shell completion's 'out/' wrote 'out//a.wav' into the report, the
    state and every message."""
    tiny_wav(tmp_path / "in" / "a.wav")
    (tmp_path / "m.json").write_text(json.dumps(COPY))
    run = rmrun("m.json", "--batch", "in", "--out", out, "--no-progress", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert "report: out/batch-report.json" in run.stderr and "//" not in run.stderr
    report = json.loads((tmp_path / "out" / "batch-report.json").read_text())
    assert report["out_dir"] == "out" and report["files"][0]["written"] == ["out/a.wav"]


def test_an_ogg_cut_short_has_no_length_rather_than_two_to_the_63_frames(tmp_path: Path) -> None:
    """libsndfile gives a cut OGG SF_COUNT_MAX frames: the report said
    audio_s 4e14 (the batch's total and progress with it) and the error
    'at frame 0 of 9223372036854775807'."""
    import random
    import wave
    noise = random.Random(7)
    with wave.open(str(tmp_path / "src.wav"), "wb") as w:  # noise: an OGG of some size
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(22050)
        w.writeframes(bytes(noise.randrange(256) for _ in range(2 * 22050 * 2)))
    made = rmrun("launch", "AudioFileSource path=src.wav ! AudioFileSink path=whole.ogg", cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    whole = (tmp_path / "whole.ogg").read_bytes()
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "cut.ogg").write_bytes(whole[:len(whole) // 2])
    tiny_wav(tmp_path / "in" / "good.wav", frames=8000, rate=16000)
    (tmp_path / "m.json").write_text(json.dumps(COPY))
    run = rmrun("m.json", "--batch", "in", "--out", "out", "--no-progress", cwd=tmp_path)
    assert run.returncode == 1, run.stderr
    assert "9223372036854775807" not in run.stderr
    assert "in/cut.ogg" in run.stderr and "is truncated or corrupt at frame" in run.stderr, run.stderr
    report = json.loads((tmp_path / "out" / "batch-report.json").read_text())
    cut = next(f for f in report["files"] if f["input"] == "in/cut.ogg")
    assert cut["status"] == "failed" and cut["audio_s"] is None
    assert report["audio_s"] == 0.5


@pytest.mark.parametrize("spec, recursive", [("in", False), ("in", True), ("in/*.wav", False),
                                             ("in/**/*.wav", False)])
def test_batch_symlinks_that_lead_nowhere_fail_by_name(tmp_path: Path, spec: str, recursive: bool) -> None:
    """Links into a storage mount that is down (or a loop) were dropped
    without a word: '1 ok, 0 failed of 1', exit 0, files missing."""
    tiny_wav(tmp_path / "in" / "b_good.wav")
    (tmp_path / "in" / "a_gone.wav").symlink_to("/nonexistent-mount/a.wav")
    (tmp_path / "in" / "c_loop.wav").symlink_to("d_loop.wav")
    (tmp_path / "in" / "d_loop.wav").symlink_to("c_loop.wav")
    (tmp_path / "m.json").write_text(json.dumps(COPY))
    run = rmrun("m.json", "--batch", spec, *(["-r"] if recursive else []), "--out", "out", "--no-progress",
                cwd=tmp_path)
    assert run.returncode == 1, run.stderr
    assert "1 ok, 3 failed, 0 skipped of 4" in batch_summary(run), run.stderr
    for name in ("a_gone.wav", "c_loop.wav", "d_loop.wav"):
        assert f"in/{name}: " in run.stderr, run.stderr
    assert (tmp_path / "out" / "b_good.wav").is_file()


@pytest.mark.parametrize("option", ["--output", "--metrics", "--trace"])
def test_run_output_into_a_missing_folder_stops_before_the_run(tmp_path: Path, option: str) -> None:
    """The results were written after the run: a typo'd folder lost a long
    run's results at its end (and its audio was written all the same)."""
    tiny_wav(tmp_path / "in.wav")
    manifest = json.loads(json.dumps(COPY))
    manifest["nodes"][0]["params"]["path"] = "in.wav"
    manifest["nodes"][1]["params"]["path"] = "out.wav"
    (tmp_path / "m.json").write_text(json.dumps(manifest))
    run = rmrun("m.json", option, "nodir/r.json", cwd=tmp_path)
    assert run.returncode == 5, run.stderr
    assert f"{option} nodir/r.json: cannot write into nodir: No such file or directory (checked before the run)" \
        in run.stderr, run.stderr
    assert not (tmp_path / "out.wav").exists()


def test_batch_plan_failures_on_a_gone_events_reader_do_not_kill_the_batch(tmp_path: Path) -> None:
    """With -n, files whose outputs exist fail in the plan and their event
    lines are written before any file runs: SIGPIPE there killed rmrun
    (exit 141) before the others ran, with no report (review)."""
    import os
    for name in ("a", "b", "c"):
        tiny_wav(tmp_path / "in" / f"{name}.wav")
    tiny_wav(tmp_path / "out" / "a.wav")
    (tmp_path / "m.json").write_text(json.dumps(COPY))
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        run = subprocess.run([RMRUN, "--no-env-plugins", "m.json", "--batch", "in", "--out", "out", "--events",
                              "--no-progress", "-n", "-j", "1"], cwd=tmp_path, stdout=write_end,
                             stderr=subprocess.PIPE, text=True, timeout=60)
    finally:
        os.close(write_end)
    assert run.returncode == 1, run.stderr  # a.wav failed (-n), the rest ran
    report = json.loads((tmp_path / "out" / "batch-report.json").read_text())
    assert [f["status"] for f in report["files"]] == ["failed", "ok", "ok"]


def test_resume_from_another_folder_finds_the_outputs_it_wrote(tmp_path: Path) -> None:
    """The state records outputs as the earlier batch spelt them (out/a.wav,
    relative to where it ran): a --resume from another folder with absolute
    paths looked for them there and re-ran every file (review)."""
    for name in ("a", "b"):
        tiny_wav(tmp_path / "proj" / "in" / f"{name}.wav", value=3)
    (tmp_path / "proj" / "m.json").write_text(json.dumps(COPY))
    (tmp_path / "elsewhere").mkdir()
    first = rmrun("m.json", "--batch", "in", "--out", "out", "--no-progress", cwd=tmp_path / "proj")
    assert first.returncode == 0, first.stderr
    proj = tmp_path / "proj"
    run = rmrun(str(proj / "m.json"), "--batch", str(proj / "in"), "--out", str(proj / "out"), "--no-progress",
                "--resume", cwd=tmp_path / "elsewhere")
    assert "0 ok, 0 failed, 2 skipped of 2" in batch_summary(run), run.stderr
    # an output gone: that file runs again
    (proj / "out" / "b.wav").unlink()
    run = rmrun(str(proj / "m.json"), "--batch", str(proj / "in"), "--out", str(proj / "out"), "--no-progress",
                "--resume", cwd=tmp_path / "elsewhere")
    assert "1 ok, 0 failed, 1 skipped of 2" in batch_summary(run), run.stderr


def test_resume_after_another_manifest_rewrote_the_outputs_under_another_spelling(tmp_path: Path) -> None:
    """A run with --set (another key) under another spelling of the folder
    replaced the outputs; the first run's entry (its input spelt the first
    way) was kept in the state and made a later --resume skip the file,
    whose output was the --set one (review)."""
    tiny_wav(tmp_path / "in" / "a.wav", value=3)
    (tmp_path / "m.json").write_text(json.dumps(COPY))
    assert rmrun("m.json", "--batch", "in", "--out", "out", "--no-progress", cwd=tmp_path).returncode == 0
    other = rmrun("m.json", "--batch", "./in/", "--out", "out", "--no-progress",
                  "--set", "write.subtype=pcm24", cwd=tmp_path)
    assert other.returncode == 0, other.stderr
    run = rmrun("m.json", "--batch", str(tmp_path / "in"), "--out", "out", "--no-progress", "--resume",
                cwd=tmp_path)
    assert "1 ok, 0 failed, 0 skipped of 1" in batch_summary(run), run.stderr


def test_a_list_line_longer_than_a_path_is_named_not_split_in_two(tmp_path: Path) -> None:
    """fgets into a PATH_MAX buffer cut a longer @LIST line into two
    inputs, both wrong; now the list and line are named (exit 2)."""
    tiny_wav(tmp_path / "in" / "a.wav")
    (tmp_path / "m.json").write_text(json.dumps(COPY))
    (tmp_path / "list").write_text("in/a.wav\n" + "in/" + "x" * 5000 + ".wav\n")
    run = rmrun("m.json", "--batch", "@list", "--out", "out", "--no-progress", cwd=tmp_path)
    assert run.returncode == 2, run.stderr
    assert "batch: the list list, line 2: a path of 5007 bytes, longer than the system's limit (4096)" in run.stderr
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_repeated_globstars_match_as_one(tmp_path: Path) -> None:
    """`**/**/...` is collapsed to one `**` (each more one multiplied the
    matching's work): the same files, at every depth, the top one too."""
    for rel in ("a.wav", "x/b.wav", "x/y/z/c.wav"):
        tiny_wav(tmp_path / "in" / rel)
    (tmp_path / "m.json").write_text(json.dumps(COPY))
    found = {}
    for spec in ("in/**/*.wav", "in/**/**/**/**/*.wav"):
        out = "out" + str(len(found))
        run = rmrun("m.json", "--batch", spec, "--out", out, "--no-progress", cwd=tmp_path)
        assert run.returncode == 0, run.stderr
        report = json.loads((tmp_path / out / "batch-report.json").read_text())
        found[spec] = sorted(f["input"] for f in report["files"])
    assert found["in/**/**/**/**/*.wav"] == found["in/**/*.wav"] == ["in/a.wav", "in/x/b.wav", "in/x/y/z/c.wav"]
