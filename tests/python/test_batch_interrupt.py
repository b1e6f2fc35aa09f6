"""Ctrl-C and SIGTERM in `rmrun --batch` and `rmrun run` (issue 17).

No test here depends on speed: rmrun's --events go into a pipe shrunk to
one page, so rmrun cannot get far ahead of the reader (it blocks writing
an event); the signal is sent after the Nth event line is read, and the
test waits for rmrun's "no new files start" line on stderr (the signal was
taken) before reading on. Timeouts only bound a hang.

Needs the built rmrun: $RM_BUILD_DIR/bin/rmrun."""

from __future__ import annotations

import fcntl
import json
import os
import queue
import signal
import struct
import subprocess
import threading
import time
import wave
from pathlib import Path


from rmrun_cli import COPY, RMRUN, needs_rmrun  # noqa: E402

pytestmark = needs_rmrun

HANG = 30  # seconds: only ever reached when rmrun hangs
F_SETPIPE_SZ = getattr(fcntl, "F_SETPIPE_SZ", 1031)


def corpus(tmp: Path, n: int = 200, corrupt_every: int = 20) -> tuple[list[str], list[str]]:
    """n tiny WAVs in tmp/in; every corrupt_every-th one is garbage."""
    (tmp / "in").mkdir()
    good, bad = [], []
    for i in range(n):
        path = tmp / "in" / f"f{i:03d}.wav"
        if i % corrupt_every == 7:
            path.write_bytes(b"RIFF\x10\x00\x00\x00WAVEjunkjunk")
            bad.append(f"in/{path.name}")
            continue
        with wave.open(str(path), "wb") as w:
            w.setnchannels(1)
            w.setsampwidth(2)
            w.setframerate(8000)
            w.writeframes(bytes([i % 256, 1]) * 400)
        good.append(f"in/{path.name}")
    (tmp / "m.json").write_text(json.dumps(COPY))
    return good, bad


class Lines(threading.Thread):
    """Reads a binary stream line by line into a queue (None at EOF)."""

    def __init__(self, stream) -> None:
        super().__init__(daemon=True)
        self.stream, self.lines = stream, queue.Queue()

    def run(self) -> None:
        for line in iter(self.stream.readline, b""):
            self.lines.put(line.decode())
        self.lines.put(None)

    def until(self, needle: str) -> list[str]:
        seen = []
        while True:
            line = self.lines.get(timeout=HANG)
            assert line is not None, f"EOF before {needle!r}: {''.join(seen)}"
            seen.append(line)
            if needle in line:
                return seen

    def rest(self) -> list[str]:
        out = []
        while (line := self.lines.get(timeout=HANG)) is not None:
            out.append(line)
        return out


def start_batch(tmp: Path, *extra: str, spec: str = "in", jobs: str = "2") -> tuple[subprocess.Popen, object, Lines]:
    """rmrun --batch --events with stdout into a one-page pipe."""
    r, w = os.pipe()
    fcntl.fcntl(r, F_SETPIPE_SZ, 4096)
    proc = subprocess.Popen([RMRUN, "--no-env-plugins", "m.json", "--batch", spec, "--out", "out", "-j", jobs,
                             "--events", *extra], cwd=tmp, stdout=w, stderr=subprocess.PIPE)
    os.close(w)
    err = Lines(proc.stderr)
    err.start()
    return proc, os.fdopen(r, "rb"), err


def events(lines: list[str]) -> list[dict]:
    return [json.loads(line) for line in lines if line.strip()]


def temporaries(folder: Path) -> list[str]:
    return [str(p) for p in folder.rglob("*") if p.name.startswith(".rmtmp-")]


def report(tmp: Path) -> dict:
    return json.loads((tmp / "out" / "batch-report.json").read_text())


def check_outputs(tmp: Path, rep: dict) -> None:
    """Every ok file's output is a complete WAV; a not-started file has none."""
    for f in rep["files"]:
        out = tmp / "out" / Path(f["input"]).name
        if f["status"] in ("ok", "skipped"):
            with wave.open(str(out)) as w:
                assert w.getnframes() == 400, f
        elif f["status"] == "not started":
            assert not out.exists(), f


def test_sigint_midway_then_resume_does_every_good_file_once(tmp_path: Path) -> None:
    good, bad = corpus(tmp_path)
    proc, out, err = start_batch(tmp_path)
    first = [out.readline().decode() for _ in range(10)]
    proc.send_signal(signal.SIGINT)
    err.until("no new files start")  # the signal was taken: nothing new starts
    first += [line.decode() for line in out]
    assert proc.wait(timeout=HANG) == 130, "".join(err.rest())
    stderr = "".join(err.rest())
    assert "interrupted:" in stderr and "not started" in stderr
    assert temporaries(tmp_path) == []

    rep1 = report(tmp_path)
    assert rep1["stopped_by_signal"] is True
    status1 = {f["input"]: f["status"] for f in rep1["files"]}
    assert set(status1) == set(good) | set(bad)
    assert set(status1.values()) <= {"ok", "failed", "not started"}
    assert "not started" in status1.values()  # rmrun could not get ahead of the pipe
    assert rep1["ok"] + rep1["failed"] + rep1["not_started"] == 200
    for path, status in status1.items():
        assert status != "ok" or path in good
        assert status != "failed" or path in bad
    check_outputs(tmp_path, rep1)

    resumed = subprocess.run([RMRUN, "--no-env-plugins", "m.json", "--batch", "in", "--out", "out", "-j", "2",
                              "--events", "--resume"], cwd=tmp_path, capture_output=True, text=True, timeout=HANG)
    assert resumed.returncode == 1, resumed.stderr  # the corrupt files fail again
    done = [e["input"] for e in events(first) + events(resumed.stdout.splitlines()) if e["status"] == "ok"]
    assert sorted(done) == sorted(good)  # every good file done, exactly once
    rep2 = report(tmp_path)
    assert {f["input"]: f["status"] for f in rep2["files"]} == {
        **{p: "failed" for p in bad},
        **{p: ("skipped" if status1[p] == "ok" else "ok") for p in good}}
    assert rep2["stopped_by_signal"] is False
    assert temporaries(tmp_path) == []
    check_outputs(tmp_path, rep2)
    for p in bad:
        assert "cannot open audio file" in next(f["error"] for f in rep2["files"] if f["input"] == p)


STREAMING_HEADER = (b"RIFF" + b"\xff" * 4 + b"WAVEfmt " + struct.pack("<I", 16)
                    + struct.pack("<HHIIHH", 1, 1, 8000, 16000, 2, 16) + b"data" + b"\xff" * 4)


def endless_input(fifo: Path) -> tuple[threading.Event, threading.Event]:
    """A FIFO whose writer sends a streaming WAV header and a little audio
    once rmrun opens it, then never ends it until `done` is set. Returns
    (opened, done)."""
    os.mkfifo(fifo)
    opened, done = threading.Event(), threading.Event()

    def write() -> None:
        with open(fifo, "wb") as w:  # blocks until rmrun's worker opens it
            w.write(STREAMING_HEADER + b"\x01\x00" * 100)
            w.flush()
            opened.set()
            done.wait(HANG)

    threading.Thread(target=write, daemon=True).start()
    return opened, done


def test_second_sigint_stops_at_once_and_still_cleans_up(tmp_path: Path) -> None:
    """A file in flight that cannot finish (its input is a FIFO that never
    ends) is only ended by the second Ctrl-C: the first lets it finish."""
    good, bad = corpus(tmp_path)
    opened, done = endless_input(tmp_path / "in" / "f009z.wav")  # -j 1: sorted, after f000..f009
    listed = ["in/f009z.wav"] + good + bad
    (tmp_path / "list.txt").write_text("".join(f"{p}\n" for p in listed))
    proc, out, err = start_batch(tmp_path, spec="@list.txt", jobs="1")  # -j 1: in the list's order
    drained = threading.Thread(target=out.read, daemon=True)
    drained.start()
    try:
        assert opened.wait(HANG), "rmrun never opened the FIFO input"
        proc.send_signal(signal.SIGINT)
        seen = err.until("no new files start")
        proc.send_signal(signal.SIGINT)  # the FIFO's file never finishes: only the second signal ends it
        assert proc.wait(timeout=HANG) == 130
    finally:
        done.set()
    seen += err.rest()
    assert "again: stopped" in "".join(seen)
    # stderr is no terminal: no "^C" to step past, so no empty lines
    assert "\n" not in seen and "" not in [line.strip() for line in seen], seen
    drained.join(HANG)
    out.close()
    assert temporaries(tmp_path) == []
    rep = report(tmp_path)
    assert rep["stopped_by_signal"] is True
    status = {f["input"]: f["status"] for f in rep["files"]}
    before = sorted(p for p in status if p < "in/f009z.wav")
    assert len(before) == 10 and all(status[p] == ("failed" if p in bad else "ok") for p in before)
    assert status["in/f009z.wav"] == "interrupted"
    assert rep["not_started"] == len(listed) - 11
    check_outputs(tmp_path, rep)
    assert not (tmp_path / "out" / "f009z.wav").exists()  # abandoned: no output, no temporary


def test_sigterm_is_taken_like_ctrl_c(tmp_path: Path) -> None:
    corpus(tmp_path, n=120)
    proc, out, err = start_batch(tmp_path)
    out.readline()
    proc.send_signal(signal.SIGTERM)
    err.until("SIGTERM: no new files start")
    for _ in out:
        pass
    assert proc.wait(timeout=HANG) == 130
    assert report(tmp_path)["stopped_by_signal"] is True
    assert temporaries(tmp_path) == []


def _streaming_run(tmp_path: Path):
    """`rmrun run` copying a FIFO that never ends (a streaming WAV header:
    data of unknown length, 0xFFFFFFFF) to sub/out.wav. Returns the process
    and the FIFO's writer once the sink is writing its temporary."""
    fifo = tmp_path / "in.wav"
    os.mkfifo(fifo)
    manifest = json.loads(json.dumps(COPY))
    manifest["nodes"][0]["params"] = {"path": "in.wav", "chunk_seconds": 0.01}
    manifest["nodes"][1]["params"] = {"path": "sub/out.wav"}
    (tmp_path / "sub").mkdir()
    (tmp_path / "m.json").write_text(json.dumps(manifest))
    proc = subprocess.Popen([RMRUN, "--no-env-plugins", "m.json"], cwd=tmp_path,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    fmt = struct.pack("<HHIIHH", 1, 1, 8000, 16000, 2, 16)
    header = b"RIFF" + b"\xff" * 4 + b"WAVEfmt " + struct.pack("<I", 16) + fmt + b"data" + b"\xff" * 4
    writer = open(fifo, "wb")  # opens once rmrun opens it for reading
    writer.write(header)
    writer.flush()
    deadline = time.monotonic() + HANG
    while not temporaries(tmp_path / "sub"):  # the sink has begun writing
        assert time.monotonic() < deadline and proc.poll() is None, proc.stderr.read() if proc.poll() else ""
        writer.write(b"\0\0" * 80)
        writer.flush()
        time.sleep(0.01)
    return proc, writer


def test_run_sigint_cancels_the_run_while_input_keeps_coming(tmp_path: Path) -> None:
    """`rmrun run` on an endless stream: the first Ctrl-C cancels the run
    (the source's read in flight returns, no new call starts) although input
    keeps coming; neither the temporary nor the output is left."""
    proc, writer = _streaming_run(tmp_path)
    with writer:
        proc.send_signal(signal.SIGINT)
        deadline = time.monotonic() + HANG
        try:
            while proc.poll() is None:  # the stream goes on: only the cancel ends it
                assert time.monotonic() < deadline, "rmrun did not stop after SIGINT"
                writer.write(b"\0\0" * 80)
                writer.flush()
                time.sleep(0.01)
        except BrokenPipeError:  # rmrun closed the FIFO: it stopped
            pass
        assert proc.wait(timeout=HANG) == 130
    err = proc.stderr.read().decode()
    assert "cancelling the run" in err and "run cancelled; outputs not written" in err, err
    assert temporaries(tmp_path) == []
    assert not (tmp_path / "sub" / "out.wav").exists()
    assert proc.stdout.read() == b""  # no results printed


def test_run_second_sigint_exits_while_a_call_is_stuck(tmp_path: Path) -> None:
    """The source's read blocks (no more input): the first Ctrl-C cannot
    stop the call in flight; the second exits at once, still removing the
    sink's temporary."""
    proc, writer = _streaming_run(tmp_path)
    with writer:
        err = Lines(proc.stderr)
        err.start()
        proc.send_signal(signal.SIGINT)
        err.until("cancelling the run")  # the first signal was taken
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=HANG) == 130
    assert temporaries(tmp_path) == []
    assert not (tmp_path / "sub" / "out.wav").exists()
