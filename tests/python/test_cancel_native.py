"""Cancelling native runs from Python (issue 21 item 3): a cancelled task
awaiting ``pipeline.run()`` (wait_for, task.cancel()) and Ctrl-C stop the
native run — no new node call starts, no output appears under its final
name — and raise CancelledError / KeyboardInterrupt.

No test depends on speed: each run would take far longer than the test
(hundreds of slow items or an endless FIFO); the outcome is asserted (the
run stopped early, no output), and timeouts only bound a hang. Subprocess
tests wait for a "started" line, never a sleep."""

from __future__ import annotations

import asyncio
import os
import signal
import struct
import subprocess
import sys
import textwrap
import threading
import time
import wave
from pathlib import Path

import pytest

from remotemedia import Node, Pipeline
from remotemedia.nodes.simple_math import MultiplyNode

HANG = 60  # seconds: only reached when something hangs


class SlowCount(Node):
    """Counts its calls; each takes 20 ms (500 items: 10 s)."""

    def __init__(self, calls: list, **kw) -> None:
        super().__init__(**kw)
        self.calls = calls

    def process(self, data):
        self.calls.append(data)
        time.sleep(0.02)
        return data


def temporaries(folder: Path) -> list:
    return [p.name for p in folder.iterdir() if p.name.startswith(".rmtmp-")]


def test_wait_for_timeout_cancels_the_native_run():
    calls: list = []
    p = Pipeline([SlowCount(calls), MultiplyNode(factor=2)])

    async def main():
        with pytest.raises((asyncio.TimeoutError, TimeoutError)):
            await asyncio.wait_for(p.run(list(range(500))), timeout=0.2)
        return len(calls)

    stopped_at = asyncio.run(main())
    assert stopped_at < 500
    # The run had ended when wait_for returned (whether or not its first
    # call had started): nothing runs on afterwards.
    time.sleep(0.2)
    assert len(calls) == stopped_at
    # The pipeline still runs.
    assert asyncio.run(p.run([1, 2])) == [2, 4]


def test_task_cancel_stops_the_run_and_leaves_no_output(tmp_path: Path):
    from remotemedia.nodes.audio import AudioFileSink, AudioFileSource

    src = tmp_path / "in.wav"
    with wave.open(str(src), "wb") as w:  # 10 s at 8 kHz, read in 10 ms chunks
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(8000)
        w.writeframes(b"\1\0" * 80000)
    calls: list = []
    out = tmp_path / "out.wav"
    p = Pipeline([AudioFileSource(str(src), chunk_seconds=0.01), SlowCount(calls),
                  AudioFileSink(str(out))])

    async def main():
        task = asyncio.create_task(p.run())
        while not calls:  # the run is under way
            await asyncio.sleep(0.005)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    asyncio.run(main())
    assert 0 < len(calls) < 1000
    assert not out.exists()
    assert temporaries(tmp_path) == []


def test_process_cancelled_mid_stream_stops_the_session():
    calls: list = []
    p = Pipeline([SlowCount(calls), MultiplyNode(factor=3)])

    async def consume():
        seen = []
        async for item in p.process(list(range(500))):
            seen.append(item)
        return seen

    async def main():
        with pytest.raises((asyncio.TimeoutError, TimeoutError)):
            await asyncio.wait_for(consume(), timeout=0.2)

    asyncio.run(main())
    assert 0 < len(calls) < 500


def test_cancel_token_of_the_bridge():
    import json

    from remotemedia._native import _bridge

    manifest = {"version": "v1", "nodes": [{"id": "pass", "node_type": "PassThroughNode", "params": {}}]}
    compiled = _bridge.Runtime().compile(json.dumps(manifest))
    token = _bridge.CancelToken()
    assert token.requested is False
    token.cancel()
    assert token.requested is True
    status, sinks, error, _extras, _ns = compiled.run([(3, "[1]", None)], cancel=token)
    assert error["operation"] == "cancel" and error["name"] == "ECANCELED"
    assert sinks == [("pass", [])]
    token.reset()
    status, sinks, error, _extras, _ns = compiled.run([(3, "[1]", None)], cancel=token)
    assert (status, error) == (0, None)
    with pytest.raises(TypeError, match="CancelToken"):
        compiled.run([], cancel=42)


# ---- Ctrl-C in a script (subprocesses) -------------------------------------

ASYNC_SCRIPT = textwrap.dedent("""
    import asyncio, sys, time
    from remotemedia import Node, Pipeline
    from remotemedia.nodes.audio import AudioFileSink, AudioFileSource

    class Slow(Node):
        def process(self, data):
            if not getattr(self, "said", False):
                self.said = True
                print("started", flush=True)
            time.sleep(0.02)
            return data

    p = Pipeline([AudioFileSource(sys.argv[1], chunk_seconds=0.01), Slow(), AudioFileSink(sys.argv[2])])
    try:
        asyncio.run(p.run())
    except KeyboardInterrupt:
        print("KeyboardInterrupt", flush=True)
        sys.exit(130)
    print("finished", flush=True)
""")

# The main thread blocked in the native run itself (no asyncio): the source
# reads a FIFO that never ends.
BLOCKING_SCRIPT = textwrap.dedent("""
    import json, sys
    from remotemedia._native import _bridge

    manifest = {"version": "v1", "nodes": [
        {"id": "read", "node_type": "AudioFileSource", "params": {"path": sys.argv[1], "chunk_seconds": 0.01}},
        {"id": "write", "node_type": "AudioFileSink", "params": {"path": sys.argv[2]}}],
        "connections": [{"from": "read", "to": "write"}]}
    compiled = _bridge.Runtime().compile(json.dumps(manifest))
    print("started", flush=True)
    try:
        compiled.run([])
    except KeyboardInterrupt:
        print("KeyboardInterrupt", flush=True)
        sys.exit(130)
    print("finished", flush=True)
""")


def _wait_line(proc, text: str) -> None:
    """Read the script's stdout up to the line `text` (EOF fails)."""
    seen = []
    for line in proc.stdout:
        if line.strip() == text:
            return
        seen.append(line)
    raise AssertionError(f"EOF before {text!r}: {seen} {proc.stderr.read()}")


def test_ctrl_c_under_asyncio_run_cancels_the_native_run(tmp_path: Path, subprocess_env):
    src, out = tmp_path / "in.wav", tmp_path / "out.wav"
    with wave.open(str(src), "wb") as w:  # 1000 chunks x 20 ms: 20 s
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(8000)
        w.writeframes(b"\1\0" * 80000)
    (tmp_path / "s.py").write_text(ASYNC_SCRIPT)
    proc = subprocess.Popen([sys.executable, "s.py", str(src), str(out)], cwd=tmp_path, env=subprocess_env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    _wait_line(proc, "started")
    proc.send_signal(signal.SIGINT)
    _wait_line(proc, "KeyboardInterrupt")
    assert proc.wait(timeout=HANG) == 130
    assert not out.exists()
    assert temporaries(tmp_path) == []


def _blocking(tmp_path: Path, env):
    fifo, out = tmp_path / "in.wav", tmp_path / "out.wav"
    os.mkfifo(fifo)
    (tmp_path / "s.py").write_text(BLOCKING_SCRIPT)
    proc = subprocess.Popen([sys.executable, "s.py", str(fifo), str(out)], cwd=tmp_path, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    # (compile opens the FIFO: the open below returns once it has)
    fmt = struct.pack("<HHIIHH", 1, 1, 8000, 16000, 2, 16)
    header = b"RIFF" + b"\xff" * 4 + b"WAVEfmt " + struct.pack("<I", 16) + fmt + b"data" + b"\xff" * 4
    writer = open(fifo, "wb")
    writer.write(header)
    deadline = time.monotonic() + HANG
    while not temporaries(tmp_path):  # the sink is writing
        assert time.monotonic() < deadline and proc.poll() is None
        writer.write(b"\0\0" * 80)
        writer.flush()
        time.sleep(0.01)
    return proc, writer, out


def test_ctrl_c_during_a_blocking_run_on_the_main_thread(tmp_path: Path, subprocess_env):
    proc, writer, out = _blocking(tmp_path, subprocess_env)
    proc.send_signal(signal.SIGINT)
    stop = threading.Event()

    def feed():  # the stream goes on: only the cancellation ends the run
        try:
            while not stop.is_set():
                writer.write(b"\0\0" * 80)
                writer.flush()
                time.sleep(0.01)
        except BrokenPipeError:
            pass

    feeder = threading.Thread(target=feed, daemon=True)
    feeder.start()
    try:
        _wait_line(proc, "KeyboardInterrupt")
        assert proc.wait(timeout=HANG) == 130
    finally:
        stop.set()
        feeder.join(HANG)
        try:
            writer.close()
        except BrokenPipeError:
            pass
    assert not out.exists()
    assert temporaries(tmp_path) == []


def test_second_ctrl_c_does_not_hang(tmp_path: Path, subprocess_env):
    """Two Ctrl-C while the script runs asyncio.run(pipeline.run()): the
    second one (asyncio's) raises KeyboardInterrupt at once."""
    src, out = tmp_path / "in.wav", tmp_path / "out.wav"
    with wave.open(str(src), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(8000)
        w.writeframes(b"\1\0" * 80000)
    (tmp_path / "s.py").write_text(ASYNC_SCRIPT)
    proc = subprocess.Popen([sys.executable, "s.py", str(src), str(out)], cwd=tmp_path, env=subprocess_env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    _wait_line(proc, "started")
    proc.send_signal(signal.SIGINT)
    proc.send_signal(signal.SIGINT)
    _wait_line(proc, "KeyboardInterrupt")
    assert proc.wait(timeout=HANG) == 130
    assert not out.exists()
