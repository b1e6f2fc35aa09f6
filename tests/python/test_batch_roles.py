"""rmrun finds the file a node reads and the file it writes by the roles its
type's parameters declare (RM_PARAM_INPUT_PATH / RM_PARAM_OUTPUT_PATH), not
by node type names: a test plugin's own source and sink (parameters `from`
and `to`, build/tests/plugins-roles) work in --batch and with -n like
AudioFileSource / AudioFileSink."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from rmrun_cli import BUILD, RMRUN, needs_rmrun

ROLES = os.path.join(BUILD, "tests", "plugins-roles") if BUILD else ""

MANIFEST = {"version": "v1",
            "nodes": [{"id": "read", "node_type": "TestFileSource", "params": {"from": "x.txt"}},
                      {"id": "write", "node_type": "TestFileSink", "params": {"to": "x.sizes"}}],
            "connections": [{"from": "read", "to": "write"}]}


def _rmrun(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([RMRUN, "--plugins", ROLES, *args], cwd=cwd, capture_output=True, text=True, timeout=60)


@needs_rmrun
def test_batch_fills_third_party_source_and_sink_by_role(tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_bytes(b"hello")
    (tmp_path / "in" / "b.txt").write_bytes(b"hello world")
    (tmp_path / "m.json").write_text(json.dumps(MANIFEST))
    run = _rmrun("m.json", "--batch", "in/*.txt", "--out", "out", "--no-progress", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    # each input's size, written by the sink to OUT/<stem><ext of its manifest path>
    assert (tmp_path / "out" / "a.sizes").read_text() == "5\n"
    assert (tmp_path / "out" / "b.sizes").read_text() == "11\n"
    report = json.loads((tmp_path / "out" / "batch-report.json").read_text())
    assert sorted(f["status"] for f in report["files"]) == ["ok", "ok"]


@needs_rmrun
def test_batch_without_an_input_path_role_names_what_is_missing(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_bytes(b"x")
    manifest = {"version": "v1", "nodes": [{"id": "add", "node_type": "AddNode", "params": {"addend": 1}}]}
    (tmp_path / "m.json").write_text(json.dumps(manifest))
    run = _rmrun("m.json", "--batch", "a.txt", "--out", "out", "--no-progress", cwd=tmp_path)
    assert run.returncode == 3
    assert "has no node that reads an input file" in run.stderr


@needs_rmrun
def test_no_overwrite_refuses_an_existing_output_of_a_third_party_sink(tmp_path: Path) -> None:
    (tmp_path / "x.txt").write_bytes(b"abc")
    (tmp_path / "x.sizes").write_text("keep\n")
    (tmp_path / "m.json").write_text(json.dumps(MANIFEST))
    run = _rmrun("m.json", "-n", cwd=tmp_path)
    assert run.returncode == 5, run.stderr
    assert "x.sizes" in run.stderr
    assert (tmp_path / "x.sizes").read_text() == "keep\n"
    run = _rmrun("m.json", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert (tmp_path / "x.sizes").read_text() == "3\n"


@needs_rmrun
def test_inspect_shows_the_roles(tmp_path: Path) -> None:
    run = _rmrun("inspect", "TestFileSink", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert "the output path" in run.stdout
    run = _rmrun("inspect", "TestFileSource", cwd=tmp_path)
    assert "the input path" in run.stdout


SEGMENTS = {"version": "v1",
            "nodes": [{"id": "read", "node_type": "TestFileSource", "params": {"from": "x.txt"}},
                      {"id": "marks", "node_type": "TestSizeMarks"},
                      {"id": "write", "node_type": "TestFileSink", "params": {"to": "x.marks"}}],
            "connections": [{"from": "read", "to": "marks"}, {"from": "marks", "to": "write"}]}


def _only_roles(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    """rmrun with the roles plugin alone: no shipped node type is there."""
    return _rmrun("--no-default-plugins", "--no-env-plugins", *args, cwd=cwd)


@needs_rmrun
def test_segments_come_from_the_node_declaring_speech_segments(tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_bytes(b"x" * 20)
    (tmp_path / "in" / "b.txt").write_bytes(b"x" * 35)
    (tmp_path / "m.json").write_text(json.dumps(SEGMENTS))
    run = _only_roles("m.json", "--batch", "in/*.txt", "--out", "out", "--no-progress",
                      "--segments", "jsonl,csv", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    # the segments node is wired on to the sink: the tap (TestRelay, found by
    # its pass-through role) captured its port 0; score = mean of 0.25, 0.75
    lines = [json.loads(x) for x in (tmp_path / "out" / "b.segments.jsonl").read_text().splitlines()]
    assert lines == [{"file": "in/b.txt", "start": 0, "end": 3.5, "duration": 3.5, "score": 0.5}]
    combined = (tmp_path / "out" / "segments.csv").read_text().splitlines()
    assert combined == ["file,start,end,duration,score",
                        "in/a.txt,0.000,2.000,2.000,0.500", "in/b.txt,0.000,3.500,3.500,0.500"]
    # the sink still got the segment node's items
    assert len((tmp_path / "out" / "a.marks").read_text().splitlines()) == 2


TWO_SEGMENTERS = {**SEGMENTS, "nodes": SEGMENTS["nodes"] + [{"id": "more", "node_type": "TestSizeMarks"}],
                  "connections": SEGMENTS["connections"] + [{"from": "read", "to": "more"}]}


@needs_rmrun
@pytest.mark.parametrize("manifest, message", [
    (MANIFEST, "has no node that emits speech segments"),
    (TWO_SEGMENTERS, "two nodes that emit speech segments ('marks' and 'more')"),
])
def test_segments_need_exactly_one_segments_node(tmp_path: Path, manifest: dict, message: str) -> None:
    (tmp_path / "x.txt").write_bytes(b"x")
    (tmp_path / "m.json").write_text(json.dumps(manifest))
    run = _only_roles("m.json", "--batch", "x.txt", "--out", "out", "--segments", "jsonl", cwd=tmp_path)
    assert run.returncode == 2, run.stderr
    assert message in run.stderr


@needs_rmrun
def test_inspect_lists_the_segment_roles(tmp_path: Path) -> None:
    run = _only_roles("inspect", "TestSizeMarks", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert "speech-segments" in run.stdout
    assert "pass-through" in _only_roles("inspect", "TestRelay", cwd=tmp_path).stdout
