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
import sys
import time
import wave
from pathlib import Path

import av
import numpy as np
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



GATE = '''
import os
import time

from remotemedia import Node


class Gate(Node):
    """Says it holds the first item (creates 'entered'), then waits until
    the file 'go' exists (bounded: a hang ends in a failure, not here)."""

    def process(self, item):
        if not os.path.exists("entered"):
            open("entered", "w").close()
            deadline = time.monotonic() + 60
            while not os.path.exists("go") and time.monotonic() < deadline:
                time.sleep(0.01)
        return item
'''


def wchan(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/wchan").read_text().strip()
    except OSError:
        return ""


def wait_until(done, what: str) -> None:
    deadline = time.monotonic() + HANG
    while not done():
        assert time.monotonic() < deadline, f"never: {what}"
        time.sleep(0.01)


def test_batch_fifo_output_whose_reader_waits_gets_the_whole_output(tmp_path: Path) -> None:
    """--batch: a reader already waiting in open() on a file's output FIFO
    when the first Ctrl-C comes. To ask whether the FIFO has a reader,
    rmrun opens it for writing, which connects that reader; the file in
    flight finishes (the first signal lets it) and the reader must get all
    of its output, not an end-of-file from rmrun's probe closing before the
    sink's open joined (the old behaviour: empty output, then the sink
    waiting for a reader that had gone).

    The states are observed, not timed: the reader waits in open()
    (wait_for_partner); a Python node between source and sink holds the
    first item (a handshake by files), so the file is in flight and its
    sink has not opened the output; it lets go only once the signal's
    probe connected the reader (it left wait_for_partner)."""
    (tmp_path / "out").mkdir()
    write_wav(tmp_path / "a.wav")
    os.mkfifo(tmp_path / "out" / "a.flac")
    (tmp_path / "gate.py").write_text(GATE)
    (tmp_path / "m.json").write_text(json.dumps({"version": "v1", "nodes": [
        {"id": "src", "node_type": "AudioFileSource", "params": {"path": "in.wav"}},
        {"id": "gate", "node_type": "Gate", "python": {"module": "gate", "class": "Gate"}},
        {"id": "sink", "node_type": "AudioFileSink", "params": {"path": "out.flac"}}]}))
    env = {**os.environ, "PYTHONPATH": str(tmp_path), "REMOTEMEDIA_PYTHON": sys.executable}
    with open(tmp_path / "copy.flac", "wb") as copy:
        reader = subprocess.Popen(["cat", "out/a.flac"], cwd=tmp_path, stdout=copy)
    proc = None
    try:
        wait_until(lambda: wchan(reader.pid) == "wait_for_partner", "the reader waits in open()")
        proc = subprocess.Popen([RMRUN, "m.json", "--batch", "a.wav", "--out", "out", "--no-progress"],
                                cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True)

        def entered() -> bool:
            assert proc.poll() is None, proc.communicate()
            return (tmp_path / "entered").exists()

        wait_until(entered, "the file is in flight, its first item held")
        assert wchan(reader.pid) == "wait_for_partner"  # the sink has not opened the output
        proc.send_signal(signal.SIGINT)
        wait_until(lambda: wchan(reader.pid) != "wait_for_partner", "the probe connects the reader")
        (tmp_path / "go").touch()

        def finished() -> bool:
            if proc.poll() is not None:
                return True
            assert not (reader.poll() is not None and blocked_opening_a_fifo(proc.pid)), \
                "the reader got end-of-file before the output; rmrun's sink now waits for a reader"
            return False

        wait_until(finished, "rmrun finishes the file in flight")
        err = proc.stderr.read()
        assert reader.wait(timeout=HANG) == 0
    finally:
        for p in (proc, reader):
            if p is not None and p.poll() is None:
                p.kill()
                p.wait()
    assert proc.returncode == 130, err
    assert "FIFO no reader has opened" not in err
    report = json.loads((tmp_path / "out" / "batch-report.json").read_text())
    assert [f["status"] for f in report["files"]] == ["ok"], report
    with av.open(str(tmp_path / "copy.flac")) as flac:  # streamed: libsndfile wants its length
        rate = flac.streams.audio[0].rate
        samples = np.concatenate([frame.to_ndarray().reshape(-1) for frame in flac.decode(audio=0)])
    assert rate == 16000 and samples.dtype == np.int16
    assert len(samples) == 16000 and (samples == 1).all()
