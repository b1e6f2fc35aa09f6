"""An output that is a FIFO nobody reads (QA): opening it for writing
waits for a reader, like a shell's > redirection, and the first Ctrl-C or
SIGTERM must end that wait: rmrun stops with exit 130 and says which FIFO
it stopped waiting for, for an AudioFileSink path (blocked in a node call)
and for --output (blocked after the run).

No timing: each test waits (bounded) until a thread of rmrun is blocked
opening the FIFO (/proc/PID/task/*/wchan or .../syscall), then signals
once; the bound only catches a hang (the old behaviour: a second signal
was needed)."""

from __future__ import annotations

import json
import os
import platform
import signal
import subprocess
import time
import wave
from pathlib import Path

import pytest

BUILD = os.environ.get("RM_BUILD_DIR")
RMRUN = os.path.join(BUILD, "bin", "rmrun") if BUILD else None
pytestmark = pytest.mark.skipif(not RMRUN or not os.path.exists(RMRUN), reason="needs RM_BUILD_DIR with bin/rmrun")

HANG = 60  # seconds: reached only when something hangs
OPENAT = {"x86_64": 257, "aarch64": 56}.get(platform.machine())


def blocked_opening_a_fifo(pid: int) -> bool:
    """A thread of `pid` waits in open() for the FIFO's other end."""
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            if (task / "wchan").read_text().strip() == "wait_for_partner":
                return True
            fields = (task / "syscall").read_text().split()
        except OSError:
            continue
        if OPENAT is not None and fields and fields[0] == str(OPENAT):
            return True
    return False


def interrupt_when_blocked(args: list, cwd: Path, signo: int) -> subprocess.CompletedProcess:
    proc = subprocess.Popen([RMRUN, "--no-env-plugins", *args], cwd=cwd, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + HANG
        while not blocked_opening_a_fifo(proc.pid):
            assert proc.poll() is None, proc.communicate()
            assert time.monotonic() < deadline, "rmrun never blocked opening the FIFO"
            time.sleep(0.02)
        proc.send_signal(signo)
        out, err = proc.communicate(timeout=HANG)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
        pytest.fail(f"one {signal.Signals(signo).name} did not stop rmrun blocked on a FIFO: {err}")
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


def write_wav(path: Path) -> None:
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(16000)
        w.writeframes(b"\1\0" * 16000)


@pytest.mark.parametrize("signo", [signal.SIGINT, signal.SIGTERM])
def test_sink_fifo_without_reader_stops_on_the_first_signal(tmp_path: Path, signo: int) -> None:
    write_wav(tmp_path / "in.wav")
    os.mkfifo(tmp_path / "out.flac")
    (tmp_path / "m.json").write_text(json.dumps({"version": "v1", "nodes": [
        {"id": "src", "node_type": "AudioFileSource", "params": {"path": "in.wav"}},
        {"id": "sink", "node_type": "AudioFileSink", "params": {"path": "out.flac"}}]}))
    r = interrupt_when_blocked(["m.json"], tmp_path, signo)
    assert r.returncode == 130, r.stderr
    assert "'out.flac' is a FIFO no reader has opened" in r.stderr
    assert "run cancelled; outputs not written" in r.stderr
    assert (tmp_path / "out.flac").is_fifo()


def test_output_option_fifo_without_reader_stops_on_the_first_signal(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "results.fifo")
    (tmp_path / "m.json").write_text(json.dumps(
        {"version": "v1", "nodes": [{"id": "p", "node_type": "PassThroughNode"}]}))
    r = interrupt_when_blocked(["m.json", "--input", "[1, 2]", "--output", "results.fifo"], tmp_path,
                               signal.SIGINT)
    assert r.returncode == 130, r.stderr
    assert "'results.fifo' is a FIFO no reader has opened" in r.stderr
    assert (tmp_path / "results.fifo").is_fifo()


def test_batch_fifo_output_without_reader_stops_on_the_first_signal(tmp_path: Path) -> None:
    """--batch: a file in flight whose output (OUT/<stem>.flac) is a FIFO
    nobody reads ends at the first signal and is reported failed."""
    write_wav(tmp_path / "a.wav")
    (tmp_path / "out").mkdir()
    os.mkfifo(tmp_path / "out" / "a.flac")
    (tmp_path / "m.json").write_text(json.dumps({"version": "v1", "nodes": [
        {"id": "src", "node_type": "AudioFileSource", "params": {"path": "in.wav"}},
        {"id": "sink", "node_type": "AudioFileSink", "params": {"path": "out.flac"}}]}))
    r = interrupt_when_blocked(["m.json", "--batch", "a.wav", "--out", "out", "--no-progress"], tmp_path,
                               signal.SIGINT)
    assert r.returncode == 130, r.stderr
    assert "'out/a.flac' is a FIFO no reader has opened" in r.stderr
    assert "an output is a FIFO no reader opened" in r.stderr
    report = json.loads((tmp_path / "out" / "batch-report.json").read_text())
    assert [f["status"] for f in report["files"]] == ["failed"]
    assert (tmp_path / "out" / "a.flac").is_fifo()
