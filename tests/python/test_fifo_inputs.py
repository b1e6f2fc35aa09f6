"""FIFO inputs (`mkfifo`, a process writing WAV into it): read once, by
the file's own run. rmrun --batch read a FIFO listed in an @LIST for its
length before the run (and the manifest check compiled with it when it
came first), so the run found the stream's header gone ("Format not
recognised"); and a FIFO whose writer could not seek back to fix the
header (sox writes data size 0x7FFFF000 then) was called truncated, where
the same bytes on standard input were read to their end.

Needs the built rmrun: $RM_BUILD_DIR/bin/rmrun."""

from __future__ import annotations

import json
import os
import struct
import subprocess
import threading
import wave
from pathlib import Path

from rmrun_cli import COPY, RMRUN, needs_rmrun, tiny_wav  # noqa: E402

pytestmark = needs_rmrun

HANG = 30  # seconds: only reached when something hangs


def sox_like_header(size: int = 0x7FFFF000) -> bytes:
    """A mono 16-bit 8 kHz WAV header as a writer that cannot seek leaves
    it: RIFF and data sizes a placeholder (sox: 0x7FFFF000)."""
    fmt = struct.pack("<HHIIHH", 1, 1, 8000, 16000, 2, 16)
    return (b"RIFF" + struct.pack("<I", size + 36) + b"WAVEfmt " + struct.pack("<I", 16) + fmt
            + b"data" + struct.pack("<I", size))


def fifo_writer(fifo: Path, frames: int) -> threading.Thread:
    os.mkfifo(fifo)

    def write() -> None:
        with open(fifo, "wb") as w:  # blocks until a reader opens it
            w.write(sox_like_header() + b"\x02\x00" * frames)

    thread = threading.Thread(target=write, daemon=True)
    thread.start()
    return thread


def frames_of(path: Path) -> int:
    with wave.open(str(path)) as w:
        return w.getnframes()


def test_a_fifo_in_an_at_list_is_read_once_by_its_run(tmp_path: Path) -> None:
    (tmp_path / "m.json").write_text(json.dumps(COPY))
    (tmp_path / "in").mkdir()
    writer = fifo_writer(tmp_path / "in" / "a.wav", 4000)
    tiny_wav(tmp_path / "in" / "b.wav", frames=300)
    (tmp_path / "list.txt").write_text("in/a.wav\nin/b.wav\n")  # the FIFO first: the manifest check skips it
    done = subprocess.run([RMRUN, "--no-env-plugins", "m.json", "--batch", "@list.txt", "--out", "out"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=HANG)
    writer.join(HANG)
    assert done.returncode == 0, done.stderr
    assert frames_of(tmp_path / "out" / "a.wav") == 4000
    assert frames_of(tmp_path / "out" / "b.wav") == 300


def test_rmrun_run_reads_a_fifo_with_a_placeholder_length_to_its_end(tmp_path: Path) -> None:
    manifest = json.loads(json.dumps(COPY))
    manifest["nodes"][0]["params"] = {"path": "in.wav"}
    manifest["nodes"][1]["params"] = {"path": "out.wav"}
    (tmp_path / "m.json").write_text(json.dumps(manifest))
    writer = fifo_writer(tmp_path / "in.wav", 2500)
    done = subprocess.run([RMRUN, "--no-env-plugins", "m.json"], cwd=tmp_path, capture_output=True, text=True,
                          timeout=HANG)
    writer.join(HANG)
    assert done.returncode == 0, done.stderr
    assert frames_of(tmp_path / "out.wav") == 2500


def test_a_batch_of_fifos_only(tmp_path: Path) -> None:
    """No regular input for the manifest check to compile with: it checks
    the manifest without opening any input, and every FIFO is its run's."""
    (tmp_path / "m.json").write_text(json.dumps(COPY))
    (tmp_path / "in").mkdir()
    writers = [fifo_writer(tmp_path / "in" / f"{name}.wav", frames) for name, frames in (("a", 1200), ("b", 700))]
    (tmp_path / "list.txt").write_text("in/a.wav\nin/b.wav\n")
    done = subprocess.run([RMRUN, "--no-env-plugins", "m.json", "--batch", "@list.txt", "--out", "out", "-j", "1"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=HANG)
    for writer in writers:
        writer.join(HANG)
    assert done.returncode == 0, done.stderr
    assert frames_of(tmp_path / "out" / "a.wav") == 1200
    assert frames_of(tmp_path / "out" / "b.wav") == 700
