"""Manifests are code (#21.4): a Python node's location imports any module
and calls any class. `rmrun --no-python`, REMOTEMEDIA_NO_PYTHON=1 and the
SDK's batch `allow_python=False` refuse node types that run Python, naming
the nodes, while native nodes still run."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from remotemedia import ConfigurationError
from remotemedia.batch import process_files

from test_batch import RMRUN, needs_rmrun, speechlike_block, write_wav

pytestmark = needs_rmrun

PYTHON_NODE = {"version": "v1", "nodes": [
    {"id": "double", "node_type": "MultiplyNode", "params": {"factor": 2}},
    {"id": "evil", "node_type": "Anything", "params": {},
     "python": {"module": "os", "class": "system"}}],
    "connections": [{"from": "double", "to": "evil"}]}
NATIVE_ONLY = {"version": "v1", "nodes": [
    {"id": "double", "node_type": "MultiplyNode", "params": {"factor": 2}}]}


def rmrun(tmp: Path, manifest: dict, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    path = tmp / "m.json"
    path.write_text(json.dumps(manifest))
    return subprocess.run([RMRUN, *args, str(path), "--input", "[1, 2]"], capture_output=True, text=True,
                          timeout=60, env={**os.environ, **(env or {})})


def test_no_python_refuses_a_python_node_naming_it(tmp_path: Path) -> None:
    proc = rmrun(tmp_path, PYTHON_NODE, "--no-python")
    assert proc.returncode == 3, proc.stderr
    assert "nodes[1].python" in proc.stderr
    assert '"Anything" would run Python code' in proc.stderr
    assert "--no-python" in proc.stderr


def test_environment_variable_refuses_too(tmp_path: Path) -> None:
    proc = rmrun(tmp_path, PYTHON_NODE, env={"REMOTEMEDIA_NO_PYTHON": "1"})
    assert proc.returncode == 3, proc.stderr
    assert "refused" in proc.stderr


def test_native_nodes_still_run_with_no_python(tmp_path: Path) -> None:
    proc = rmrun(tmp_path, NATIVE_ONLY, "--no-python")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout) == [2, 4]


def test_python_node_types_are_not_listed(tmp_path: Path) -> None:
    listed = subprocess.run([RMRUN, "--no-python", "--list"], capture_output=True, text=True, timeout=60)
    assert listed.returncode == 0, listed.stderr
    assert "MultiplyNode" in listed.stdout
    assert "PythonNode" not in listed.stdout
    everything = subprocess.run([RMRUN, "--list"], capture_output=True, text=True, timeout=60)
    assert "PythonNode" in everything.stdout


def test_batch_allow_python_false_refuses_the_python_node(tmp_path: Path) -> None:
    wav = tmp_path / "a.wav"
    write_wav(wav, speechlike_block(0.5))
    manifest = {"version": "v1", "nodes": [
        {"id": "read", "node_type": "AudioFileSource", "params": {"path": "x.wav"}},
        {"id": "evil", "node_type": "Anything", "params": {}, "python": {"module": "os", "class": "system"}}],
        "connections": [{"from": "read", "to": "evil"}]}
    with pytest.raises(Exception) as caught:
        process_files(manifest, [wav], tmp_path / "out", progress=False, allow_python=False)
    assert "would run Python code" in str(caught.value)


def test_batch_allow_python_false_needs_the_native_runtime(tmp_path: Path) -> None:
    wav = tmp_path / "a.wav"
    write_wav(wav, speechlike_block(0.5))
    from remotemedia import Pipeline
    from remotemedia.nodes import AudioFileSink, AudioFileSource
    with pytest.raises(ConfigurationError, match="allow_python=False"):
        process_files(Pipeline([AudioFileSource("x.wav"), AudioFileSink("y.wav")]), [wav], tmp_path / "out",
                      progress=False, native=False, allow_python=False)
