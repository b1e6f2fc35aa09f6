"""The progress of rmrun --batch (issue 17): on a terminal a bar of the
audio seconds done, cut to the terminal's width (a pty with a set window
size), else plain lines (--progress-interval 0: one per finished file, so
no test waits on a clock); --no-progress and -q silence it.

Needs the built rmrun: $RM_BUILD_DIR/bin/rmrun."""

from __future__ import annotations

import fcntl
import json
import os
import pty
import re
import struct
import subprocess
import termios
import wave
from pathlib import Path

import pytest

from rmrun_cli import COPY, RMRUN, needs_rmrun  # noqa: E402

pytestmark = needs_rmrun



@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    (tmp_path / "in").mkdir()
    for i in range(6):  # 0.5 s, 1.0 s, ... 3.0 s: the percentage is of seconds, not files
        with wave.open(str(tmp_path / "in" / f"f{i}.wav"), "wb") as w:
            w.setnchannels(1)
            w.setsampwidth(2)
            w.setframerate(8000)
            w.writeframes(b"\0\1" * 4000 * (i + 1))
    (tmp_path / "m.json").write_text(json.dumps(COPY))
    return tmp_path


def on_a_terminal(tmp: Path, columns: int, *extra: str) -> tuple[int, str]:
    """rmrun --batch with stderr on a pty `columns` wide; its stderr."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, columns, 0, 0))
    proc = subprocess.Popen([RMRUN, "--no-env-plugins", "m.json", "--batch", "in", "--out", "out", "-j", "1", *extra],
                            cwd=tmp, stdout=subprocess.DEVNULL, stderr=slave)
    os.close(slave)
    data = b""
    while True:
        try:
            chunk = os.read(master, 4096)
        except OSError:  # EIO: the child closed the pty
            break
        if not chunk:
            break
        data += chunk
    os.close(master)
    return proc.wait(timeout=60), data.decode()


def redraws(text: str) -> list[str]:
    """The progress line as drawn each time: between \\r / \\n, without
    the erase-line sequence."""
    return [part.replace("\x1b[K", "") for part in re.split(r"[\r\n]", text) if part and "rmrun:" not in part]


@pytest.mark.parametrize("columns", [30, 60, 100])
def test_the_bar_fits_the_terminal(corpus: Path, columns: int) -> None:
    code, text = on_a_terminal(corpus, columns)
    assert code == 0
    lines = redraws(text)
    assert lines and all(len(line) <= columns - 1 for line in lines), lines
    assert "100%" in lines[-1]
    assert "10.5/10.5 s audio" in lines[-1]  # seconds of audio, 0.5 + 1 + ... + 3
    if columns >= 100:  # room for a bar
        assert re.match(r"^\[#+\] 100%", lines[-1])
        assert any(re.match(r"^\[#*\.+\] +\d+%", line) for line in lines)
    assert "\n" in text and text.count("\x1b[K") >= 2  # redrawn in place, a newline at the end


def test_plain_lines_when_not_a_terminal(corpus: Path) -> None:
    done = subprocess.run([RMRUN, "--no-env-plugins", "m.json", "--batch", "in", "--out", "out", "-j", "1",
                           "--progress-interval", "0"], cwd=corpus, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0
    lines = [line for line in done.stderr.splitlines() if "% " in line]
    assert len(lines) == 6 and "\r" not in done.stderr
    assert [re.search(r"(\d+)/6 files", line).group(1) for line in lines] == ["1", "2", "3", "4", "5", "6"]
    assert lines[-1].startswith("rmrun: batch: 100%")
    # the percentage is of the audio seconds: the first file is 0.5 of 10.5 s in sorted order
    assert lines[0].startswith("rmrun: batch:   5%  0.5/10.5 s audio")


@pytest.mark.parametrize("flag", ["--no-progress", "-q"])
def test_silenced(corpus: Path, flag: str) -> None:
    done = subprocess.run([RMRUN, "--no-env-plugins", "m.json", "--batch", "in", "--out", "out", flag,
                           "--progress-interval", "0"], cwd=corpus, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and "%" not in done.stderr
    code, text = on_a_terminal(corpus, 80, flag)
    assert code == 0 and "%" not in text


def test_bad_interval(corpus: Path) -> None:
    done = subprocess.run([RMRUN, "--no-env-plugins", "m.json", "--batch", "in", "--out", "out",
                           "--progress-interval", "soon"], cwd=corpus, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert "--progress-interval takes seconds from 0 to 86400, got 'soon'" in done.stderr
