"""rmrun --resume keyed by the manifest (with --set) and each input's size
and mtime, -n / -y, --out over the inputs, and --set NODE.PARAM=VALUE in
run and batch (issue 17).

Needs the built rmrun: $RM_BUILD_DIR/bin/rmrun."""

from __future__ import annotations

import json
import subprocess
import wave
from pathlib import Path

import pytest

from rmrun_cli import RMRUN, needs_rmrun, tiny_wav  # noqa: E402

pytestmark = needs_rmrun


def manifest(subtype: str = "pcm16") -> dict:
    return {"version": "v1",
            "nodes": [{"id": "read", "node_type": "AudioFileSource", "params": {"path": "x.wav"}},
                      {"id": "write", "node_type": "AudioFileSink", "params": {"path": "x.wav", "subtype": subtype}}],
            "connections": [{"from": "read", "to": "write"}]}


def rmrun(tmp: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([RMRUN, "--no-env-plugins", *args], cwd=tmp, capture_output=True, text=True, timeout=60)


def wav(path: Path, frames: int = 400, value: int = 1) -> None:
    tiny_wav(path, frames, value)


def statuses(proc: subprocess.CompletedProcess) -> dict:
    return {Path(e["input"]).name: e["status"] for e in map(json.loads, proc.stdout.splitlines())}


def sample_width(path: Path) -> int:
    with wave.open(str(path)) as w:
        return w.getsampwidth()


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    (tmp_path / "in").mkdir()
    for name in ("a", "b", "c"):
        wav(tmp_path / "in" / f"{name}.wav")
    (tmp_path / "m.json").write_text(json.dumps(manifest()))
    return tmp_path


def batch(tmp: Path, *extra: str) -> subprocess.CompletedProcess:
    return rmrun(tmp, "m.json", "--batch", "in", "--out", "out", "--events", "-j", "2", *extra)


def test_resume_reruns_what_a_manifest_edit_or_an_input_change_made_stale(corpus: Path) -> None:
    assert batch(corpus).returncode == 0
    assert statuses(batch(corpus, "--resume")) == {"a.wav": "skipped", "b.wav": "skipped", "c.wav": "skipped"}
    # a parameter edit: every output is stale
    (corpus / "m.json").write_text(json.dumps(manifest("pcm24")))
    assert statuses(batch(corpus, "--resume")) == {"a.wav": "ok", "b.wav": "ok", "c.wav": "ok"}
    assert sample_width(corpus / "out" / "a.wav") == 3
    # the same as a --set: stale again, and --set is part of the key
    edited = batch(corpus, "--resume", "--set", "write.subtype=pcm16")
    assert statuses(edited) == {"a.wav": "ok", "b.wav": "ok", "c.wav": "ok"}
    assert sample_width(corpus / "out" / "a.wav") == 2
    assert set(statuses(batch(corpus, "--resume", "--set", "write.subtype=pcm16")).values()) == {"skipped"}
    # one input changes (size and mtime): only it runs
    wav(corpus / "in" / "b.wav", frames=800)
    assert statuses(batch(corpus, "--resume", "--set", "write.subtype=pcm16")) == {
        "a.wav": "skipped", "b.wav": "ok", "c.wav": "skipped"}
    # a lost output runs again
    (corpus / "out" / "c.wav").unlink()
    assert statuses(batch(corpus, "--resume", "--set", "write.subtype=pcm16"))["c.wav"] == "ok"
    # metadata (a name, a creation time) is not part of the key
    m = manifest("pcm16")
    m["metadata"] = {"name": "renamed", "created_at": "now"}
    (corpus / "m.json").write_text(json.dumps(m))
    assert set(statuses(batch(corpus, "--resume")).values()) == {"skipped"}
    # the state lives next to the outputs, also with --report elsewhere
    assert set(statuses(batch(corpus, "--resume", "--report", str(corpus / "r.json"))).values()) == {"skipped"}
    report = json.loads((corpus / "r.json").read_text())
    assert all(len(f["key"]) == 16 for f in report["files"])


def test_no_overwrite_refuses_existing_outputs_and_y_overwrites(corpus: Path) -> None:
    (corpus / "out").mkdir()
    (corpus / "out" / "b.wav").write_bytes(b"keep me")
    refused = batch(corpus, "-n")
    assert refused.returncode == 1
    assert statuses(refused) == {"a.wav": "ok", "b.wav": "failed", "c.wav": "ok"}
    assert "out/b.wav exists and -n refuses to overwrite it" in refused.stderr
    assert (corpus / "out" / "b.wav").read_bytes() == b"keep me"
    assert batch(corpus, "-y").returncode == 0  # the default; -y says so
    assert sample_width(corpus / "out" / "b.wav") == 2
    # run: -n refuses before running, -y (default) writes
    (corpus / "one.json").write_text(json.dumps({**manifest(), "nodes": [
        {"id": "read", "node_type": "AudioFileSource", "params": {"path": "in/a.wav"}},
        {"id": "write", "node_type": "AudioFileSink", "params": {"path": "out/b.wav"}}]}))
    (corpus / "out" / "b.wav").write_bytes(b"keep me")
    run = rmrun(corpus, "one.json", "-n")
    assert run.returncode == 5 and "out/b.wav exists and -n refuses" in run.stderr
    assert (corpus / "out" / "b.wav").read_bytes() == b"keep me"
    run = rmrun(corpus, "one.json", "--output", "in/a.wav", "-n")
    assert run.returncode == 5 and "in/a.wav exists" in run.stderr
    # a device is written through, not overwritten: -n lets it be
    assert rmrun(corpus, "one.json", "--set", "write.path=out/new.wav", "--metrics", "/dev/null", "-n").returncode == 0
    assert rmrun(corpus, "one.json", "-y").returncode == 0
    assert sample_width(corpus / "out" / "b.wav") == 2


def test_out_equal_to_the_input_folder_writes_nothing_over_inputs(tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    wav(tmp_path / "in" / "a.wav", value=1)
    wav(tmp_path / "in" / "b.flac.wav", value=2)
    (tmp_path / "m.json").write_text(json.dumps(manifest()))
    before = {p.name: p.read_bytes() for p in (tmp_path / "in").iterdir()}
    # through another spelling of the folder and a symlink to it
    (tmp_path / "link").symlink_to("in")
    done = rmrun(tmp_path, "m.json", "--batch", "in", "--out", "link/", "--events")
    assert done.returncode == 1
    st = statuses(done)
    assert st["a.wav"] == "failed" and st["b.flac.wav"] == "failed"
    assert "would overwrite an input of the batch; nothing was written" in done.stderr
    for name, data in before.items():
        assert (tmp_path / "in" / name).read_bytes() == data
    # the .json output of a non-file sink over another input: x.wav's is
    # x.json... and over the report, nothing: the report is not an input
    assert not [p for p in (tmp_path / "in").iterdir() if p.name.startswith(".rmtmp-")]
    # nor the report: an input named like it (a WAV, listed) is refused up front
    wav(tmp_path / "r" / "batch-report.json", value=9)
    (tmp_path / "list.txt").write_text("r/batch-report.json\n")
    kept = (tmp_path / "r" / "batch-report.json").read_bytes()
    refused = rmrun(tmp_path, "m.json", "--batch", "@list.txt", "--out", "r")
    assert refused.returncode == 2
    assert "r/batch-report.json is an input of the batch; the report would overwrite it" in refused.stderr
    assert (tmp_path / "r" / "batch-report.json").read_bytes() == kept


def test_hard_links_an_output_replaces_are_not_inputs_but_an_inputs_own_path_is(tmp_path: Path) -> None:
    """The plan finds inputs by device and inode; another hard link to an
    input's file is replaced (renamed over), not written through, so it
    runs, while an output at an input's own path never does, even when
    that input has other links."""
    (tmp_path / "in").mkdir()
    (tmp_path / "out").mkdir()
    wav(tmp_path / "in" / "a.wav", value=1)
    (tmp_path / "out" / "a.wav").hardlink_to(tmp_path / "in" / "a.wav")
    (tmp_path / "m.json").write_text(json.dumps(manifest("pcm24")))
    done = rmrun(tmp_path, "m.json", "--batch", "in", "--out", "out", "--events")
    assert done.returncode == 0, done.stderr
    assert statuses(done) == {"a.wav": "ok"}
    assert sample_width(tmp_path / "out" / "a.wav") == 3 and sample_width(tmp_path / "in" / "a.wav") == 2
    # in/b.wav and in/c.wav are one file; c's output is in/c.wav itself
    wav(tmp_path / "in" / "b.wav", value=2)
    (tmp_path / "in" / "c.wav").hardlink_to(tmp_path / "in" / "b.wav")
    (tmp_path / "list.txt").write_text("in/b.wav\nin/c.wav\n")
    before = (tmp_path / "in" / "c.wav").read_bytes()
    done = rmrun(tmp_path, "m.json", "--batch", "@list.txt", "--out", "in", "--events")
    assert done.returncode == 1
    assert statuses(done) == {"b.wav": "failed", "c.wav": "failed"}
    assert (tmp_path / "in" / "c.wav").read_bytes() == before


def test_set_types_values_by_the_param_spec_and_names_mistakes(corpus: Path) -> None:
    one = corpus / "one.json"
    one.write_text(json.dumps({**manifest(), "nodes": [
        {"id": "read", "node_type": "AudioFileSource", "params": {"path": "in/a.wav"}},
        {"id": "write", "node_type": "AudioFileSink", "params": {"path": "o.wav"}}]}))
    ok = rmrun(corpus, "one.json", "--set", "write.subtype=pcm32", "--set", "read.chunk_seconds=0.01",
               "--set", "write.path=p.wav")
    assert ok.returncode == 0, ok.stderr
    assert sample_width(corpus / "p.wav") == 4 and not (corpus / "o.wav").exists()
    cases = [
        ("wirte.subtype=pcm24", 2, "--set wirte.subtype=pcm24: one.json has no node with id 'wirte' (did you mean 'write'?)"),
        ("read.chunk_seconds=fast", 2, "--set read.chunk_seconds=fast: parameter 'chunk_seconds' is a float, got 'fast'"),
        ("read.chunk_seconds=-1", 3, "nodes[0].params.chunk_seconds: -1 is out of range"),
        ("write.subtype=PCM24", 3, '(did you mean "pcm24"?)'),
        ("read.chunk_secnds=1", 3, 'unknown parameter "chunk_secnds" for AudioFileSource (did you mean "chunk_seconds"?)'),
        ("read.chunk_seconds", 2, "--set takes NODE_ID.PARAM=VALUE, got 'read.chunk_seconds'"),
        ("chunk_seconds=1", 2, "--set takes NODE_ID.PARAM=VALUE"),
    ]
    for assignment, code, message in cases:
        bad = rmrun(corpus, "one.json", "--set", assignment)
        assert bad.returncode == code and message in bad.stderr, (assignment, bad.stderr)
        bad = rmrun(corpus, "one.json", "--batch", "in", "--out", "o2", "--set", assignment)
        assert bad.returncode == code, (assignment, bad.stderr)
    assert not (corpus / "o2").exists() or not any(p.suffix == ".wav" for p in (corpus / "o2").iterdir())


def test_set_and_batch_add_a_missing_params_object_and_refuse_one_that_is_not(corpus: Path) -> None:
    """--set, --batch and launch share one way to a node's params: a node
    without "params" gets them; params that are not an object are refused
    naming the node (--set) or left to the compiler (--batch)."""
    bare = {**manifest(), "nodes": [{"id": "read", "node_type": "AudioFileSource"},
                                    {"id": "write", "node_type": "AudioFileSink"}]}
    (corpus / "bare.json").write_text(json.dumps(bare))
    ok = rmrun(corpus, "bare.json", "--set", "read.path=in/a.wav", "--set", "write.path=bare.wav")
    assert ok.returncode == 0, ok.stderr
    assert sample_width(corpus / "bare.wav") == 2
    done = rmrun(corpus, "bare.json", "--batch", "in", "--out", "bare", "--events")
    assert done.returncode == 0, done.stderr
    assert set(statuses(done).values()) == {"ok"} and (corpus / "bare" / "a.wav").exists()
    listed = [{**node, "params": []} if node["id"] == "write" else node for node in manifest()["nodes"]]
    (corpus / "list.json").write_text(json.dumps({**manifest(), "nodes": listed}))
    bad = rmrun(corpus, "list.json", "--set", "write.subtype=pcm24")
    assert bad.returncode == 3
    assert "--set write.subtype=pcm24: node 'write' has params that are not an object" in bad.stderr
    bad = rmrun(corpus, "list.json", "--batch", "in", "--out", "list")
    assert bad.returncode == 3 and "nodes[1].params" in bad.stderr, bad.stderr
    launched = subprocess.run([RMRUN, "--no-env-plugins", "launch", "--print-manifest",
                               "AudioFileSource path=a.wav ! AudioFileSink path=b.wav subtype=pcm24 path=c.wav"],
                              capture_output=True, text=True, timeout=60)
    assert launched.returncode == 0, launched.stderr
    params = [node["params"] for node in json.loads(launched.stdout)["nodes"]]
    assert params == [{"path": "a.wav"}, {"path": "c.wav", "subtype": "pcm24"}]
