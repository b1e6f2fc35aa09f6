"""A process a Python node starts inside `rmrun` gets the default signal
mask, so Ctrl-C and SIGTERM reach it while rmrun runs the pipeline (rmrun
catches them itself for its own Ctrl-C handling; it used to block them in
every thread, and every child inherited that).

The node starts `sleep`, writes its pid to a file and waits for it; the
test reads the child's mask from /proc, interrupts it and checks the node
saw it die of that signal. Timeouts only bound a hang."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from rmrun_cli import RMRUN, needs_rmrun

pytestmark = needs_rmrun

HANG = 60  # seconds: only ever reached when something hangs

NODE = '''
import os
import subprocess

from remotemedia import Node


class SpawnSleep(Node):
    """Starts `sleep`, notes its pid, returns how it ended."""

    def __init__(self, pid_file, **kwargs):
        super().__init__(**kwargs)
        self.pid_file = pid_file

    def process(self, item):
        child = subprocess.Popen(["sleep", "{hang}"])
        with open(self.pid_file + ".tmp", "w") as f:
            f.write(str(child.pid))
        os.replace(self.pid_file + ".tmp", self.pid_file)
        return {{"returncode": child.wait()}}
'''


def _mask(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1], 16)
    raise AssertionError(f"no {field} in /proc/{pid}/status")


@pytest.mark.parametrize("exec_policy", ["pool", "inline"])
@pytest.mark.parametrize("signo", [signal.SIGINT, signal.SIGTERM])
def test_a_python_nodes_subprocess_can_be_interrupted(tmp_path: Path, exec_policy: str, signo: int) -> None:
    (tmp_path / "spawnnode.py").write_text(NODE.format(hang=HANG))
    pid_file = tmp_path / "child.pid"
    manifest = {"version": "v1", "nodes": [
        {"id": "spawn", "node_type": "SpawnSleep", "params": {"pid_file": str(pid_file)},
         "python": {"module": "spawnnode", "class": "SpawnSleep"}}], "connections": []}
    (tmp_path / "m.json").write_text(json.dumps(manifest))
    env = dict(os.environ, PYTHONPATH=str(tmp_path), REMOTEMEDIA_PYTHON=sys.executable)
    proc = subprocess.Popen([RMRUN, "--no-env-plugins", "m.json", "--input", "[1]", "--exec", exec_policy],
                            cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    child = None
    try:
        deadline = time.monotonic() + HANG
        while not pid_file.exists():
            assert proc.poll() is None, proc.communicate()
            assert time.monotonic() < deadline, "the node never started its child"
            time.sleep(0.01)
        child = int(pid_file.read_text())
        bit = 1 << (signo - 1)
        assert not _mask(child, "SigBlk") & bit, f"the child starts with {signal.Signals(signo).name} blocked"
        assert not _mask(child, "SigIgn") & bit, f"the child starts with {signal.Signals(signo).name} ignored"
        os.kill(child, signo)
        out, err = proc.communicate(timeout=HANG)
        child = None
    finally:
        if child is not None:
            os.kill(child, signal.SIGKILL)
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0, err
    assert json.loads(out) == [{"returncode": -signo}], out
