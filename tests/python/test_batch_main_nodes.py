"""remotemedia.batch / remotemedia.distributed with a node class defined in
the user's script (``__main__``): no other process (rmrun, a Dask worker
importing by name) can import it, so the batch runs in-process, or is
refused once, up front, with a message that says what to do.

Each case runs a small script in a subprocess, as a user would."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import wave
from pathlib import Path

import numpy as np
import pytest

HEADER = """
import sys
import numpy as np
from remotemedia import Node, Pipeline
from remotemedia.nodes import AudioFileSink, AudioFileSource


class Half(Node):
    def process(self, data):
        samples, rate = data
        return (samples * 0.5, rate)


def pipeline():
    return Pipeline([AudioFileSource("in.wav"), Half(), AudioFileSink("out.wav")])
"""


def _inputs(tmp_path: Path, count: int = 3):
    paths = []
    for index in range(count):
        path = tmp_path / f"in{index}.wav"
        with wave.open(str(path), "wb") as w:
            w.setnchannels(1)
            w.setsampwidth(2)
            w.setframerate(16000)
            w.writeframes(np.full(1600, 8000 + index, np.int16).tobytes())
        paths.append(str(path))
    return paths


def _script(tmp_path: Path, body: str, subprocess_env) -> subprocess.CompletedProcess:
    script = tmp_path / "user_script.py"
    script.write_text(HEADER + textwrap.dedent(body))
    return subprocess.run([sys.executable, str(script)], cwd=tmp_path, env=subprocess_env, capture_output=True,
                          text=True, timeout=300)


def _read(path: str) -> np.ndarray:
    with wave.open(path) as w:
        return np.frombuffer(w.readframes(w.getnframes()), np.int16)


def test_batch_runs_main_node_pipelines_in_process(tmp_path, subprocess_env) -> None:
    files = _inputs(tmp_path)
    done = _script(tmp_path, f"""
        from remotemedia.batch import process_files
        results = process_files(pipeline(), {files!r}, "out", workers=2, progress=False)
        print([r.status for r in results], [r.error for r in results])
    """, subprocess_env)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "['ok', 'ok', 'ok'] [None, None, None]"
    for index in range(3):
        out = _read(str(tmp_path / "out" / f"in{index}.wav"))
        assert len(out) == 1600 and np.all(out == (8000 + index) // 2)
    report = json.loads((tmp_path / "out" / "batch-report.json").read_text())
    assert report["ok"] == 3 and report["runtime"] in ("in-process", "python")


def test_batch_refuses_once_and_up_front_when_it_cannot_run_in_process(tmp_path, subprocess_env) -> None:
    files = _inputs(tmp_path)
    done = _script(tmp_path, f"""
        from remotemedia import PipelineError
        from remotemedia.batch import process_files
        for how in ("native", "manifest"):
            try:
                if how == "native":
                    process_files(pipeline(), {files!r}, "out", progress=False, native=True)
                else:
                    process_files(pipeline().serialize(), {files!r}, "out", progress=False)
            except PipelineError as exc:
                print(how, "refused:", exc)
    """, subprocess_env)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.strip().splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("native refused: process_files(native=True): node 'Half_1' (Half) is defined "
                               "in __main__ (the script itself), which rmrun (a separate process) cannot import; "
                               "move the class into a module")
    assert "leave native=None to run the batch in this process" in lines[0]
    assert lines[1].startswith("manifest refused: process_files: node 'Half_1' (Half) is defined in __main__")
    assert "pass the Pipeline object" in lines[1]
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").glob("in*.wav"))


def test_distributed_runs_main_node_pipelines_on_the_workers(tmp_path, subprocess_env) -> None:
    pytest.importorskip("dask.distributed")
    files = _inputs(tmp_path, count=2)
    done = _script(tmp_path, f"""
        from dask.distributed import Client, LocalCluster
        from remotemedia import PipelineError
        from remotemedia.distributed import process_files

        if __name__ == "__main__":
            try:
                process_files(pipeline().serialize(), {files!r}, "out", client=object(), progress=False)
            except PipelineError as exc:
                print("manifest refused:", "defined in __main__" in str(exc))
            with LocalCluster(n_workers=1, processes=True, threads_per_worker=1, host="127.0.0.1",
                              dashboard_address=None) as cluster, Client(cluster) as client:
                results = process_files(pipeline(), {files!r}, "out", client=client, progress=False)
            print([r.status for r in results], [r.error for r in results])
    """, subprocess_env)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines() == ["manifest refused: True", "['ok', 'ok'] [None, None]"]
    for index in range(2):
        assert np.all(_read(str(tmp_path / "out" / f"in{index}.wav")) == (8000 + index) // 2)
