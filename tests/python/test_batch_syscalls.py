"""rmrun --batch does little before its workers start (QA): that work is
paid at -j 1 and -j 2 alike, so it caps the scaling. Counted with strace
(system calls, never time) up to the first thread rmrun starts: a
directory scan stats each input once (an lstat only for a path whose stat
fails), and the plan stats each output once; the inputs' stat is the
scan's, not made again.

Needs the built rmrun ($RM_BUILD_DIR/bin/rmrun) and strace
(scripts/apt-packages.txt)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections import Counter
from pathlib import Path

import pytest

from rmrun_cli import COPY, RMRUN, needs_rmrun, tiny_wav  # noqa: E402

pytestmark = [needs_rmrun,
              pytest.mark.skipif(shutil.which("strace") is None, reason="needs strace (scripts/apt-packages.txt)")]

STAT = re.compile(r'^\d+\s+(newfstatat|fstatat64|stat|lstat|statx|stat64|lstat64)\(.*?"([^"]+)"(.*)$')


def stats_before_the_threads(tmp: Path, *args: str) -> Counter:
    """(call, path, followed) -> how many, up to rmrun's first thread."""
    trace = tmp / "trace.txt"
    subprocess.run(["strace", "-f", "-qq", "-o", str(trace), RMRUN, "--no-env-plugins", "m.json", "-q",
                    *args], cwd=tmp, check=True, timeout=120)
    counts: Counter = Counter()
    for line in trace.read_text().splitlines():
        if re.match(r"^\d+\s+clone3?\(", line):
            break
        m = STAT.match(line)
        if m:
            counts[(m.group(2), "AT_SYMLINK_NOFOLLOW" not in m.group(3) and m.group(1)[0] != "l")] += 1
    return counts


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_each_input_and_output_is_stated_once_before_the_workers(tmp_path: Path, jobs: str) -> None:
    (tmp_path / "m.json").write_text(json.dumps(COPY))
    for i in range(6):
        tiny_wav(tmp_path / "in" / f"f{i}.wav", value=i)
    args = ("--batch", "in", "--out", "out", "-n", "-j", jobs)
    first = subprocess.run([RMRUN, "--no-env-plugins", "m.json", "-q", *args], cwd=tmp_path, timeout=60)
    assert first.returncode == 0
    for i in range(6):  # the outputs go, so -n lets every input run again
        (tmp_path / "out" / f"f{i}.wav").unlink()
    counts = stats_before_the_threads(tmp_path, *args)
    for i in range(6):
        assert counts[(f"in/f{i}.wav", True)] == 1, counts
        assert counts[(f"in/f{i}.wav", False)] == 0, counts  # no lstat: the stat worked
        # the plan's one stat; the earlier batch's state names it too
        # (what rmrun wrote is no input): that is the scan's
        assert counts[(f"out/f{i}.wav", True)] <= 2, counts
        assert counts[(f"out/f{i}.wav", False)] == 0, counts
