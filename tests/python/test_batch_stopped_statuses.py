"""process_files when rmrun is stopped by signals: the files it abandoned
are "interrupted", those it never started "not started" (rmrun's report
names), not "failed".

No timing: with one worker, a Python node sends rmrun two SIGTERMs during
the first file (the second once the first is no longer pending) and then
waits; the first stops dispatching, the second
abandons the file in flight, writes the report and exits 130, so the
first file is interrupted and every other one not started."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from remotemedia.batch import STATUSES, FileResult, process_files, run_native
from rmrun_cli import RMRUN, needs_rmrun, tiny_wav

pytestmark = needs_rmrun

NODE = '''
import os
import signal
import time

from remotemedia import Node


def _pending(bit):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("ShdPnd:"):
                return int(line.split()[1], 16) & bit
    return 0


class StopRmrun(Node):
    """Sends its own process (rmrun) two SIGTERMs, then waits to be ended.
    The second only once the first was taken: two pending at once are one."""

    def process(self, item):
        bit = 1 << (signal.SIGTERM - 1)
        for _ in range(2):
            os.kill(os.getpid(), signal.SIGTERM)
            deadline = time.monotonic() + 60
            while _pending(bit) and time.monotonic() < deadline:
                time.sleep(0.001)
        time.sleep(60)
        return item
'''

MANIFEST = {"version": "v1", "nodes": [
    {"id": "read", "node_type": "AudioFileSource", "params": {"path": "x.wav"}},
    {"id": "stop", "node_type": "StopRmrun", "python": {"module": "stopnode", "class": "StopRmrun"}}],
    "connections": [{"from": "read", "to": "stop"}]}


def test_files_cut_short_by_signals_are_interrupted_or_not_started(tmp_path: Path, monkeypatch) -> None:
    (tmp_path / "stopnode.py").write_text(NODE)
    monkeypatch.setenv("PYTHONPATH", str(tmp_path))
    monkeypatch.setenv("REMOTEMEDIA_PYTHON", sys.executable)
    monkeypatch.setenv("REMOTEMEDIA_RMRUN", RMRUN)
    files = [tmp_path / "in" / f"f{i}.wav" for i in range(4)]
    for path in files:
        tiny_wav(path)
    results = process_files(MANIFEST, files, tmp_path / "out", workers=1, progress=False, native=True)
    assert [r.input for r in results] == [str(p) for p in files]
    assert [r.status for r in results] == ["interrupted", "not started", "not started", "not started"]
    assert not any(r.ok for r in results)
    report = json.loads((tmp_path / "out" / "batch-report.json").read_text())
    assert report["stopped_by_signal"] is True
    assert {f["status"] for f in report["files"]} <= set(STATUSES)


def test_an_input_missing_from_rmruns_report_was_not_started(tmp_path: Path) -> None:
    """A fake rmrun that reports only the first file, as one stopped early."""
    fake = tmp_path / "rmrun"
    fake.write_text("#!" + sys.executable + "\n" + """
import json, sys
args = sys.argv[1:]
report = args[args.index("--report") + 1]
inputs = open(args[args.index("--batch") + 1][1:]).read().split()
json.dump({"files": [{"input": inputs[0], "status": "ok", "written": []}]}, open(report, "w"))
sys.exit(130)
""")
    fake.chmod(0o755)
    results = run_native(str(fake), "{}", ["a.wav", "b.wav"], str(tmp_path / "out"), 1)
    assert results == [FileResult("a.wav", "ok"), FileResult("b.wav", "not started", error="not run (rmrun stopped early)")]
