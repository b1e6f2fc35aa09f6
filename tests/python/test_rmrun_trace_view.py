"""`rmrun trace view TRACE.json` (issue 17): a trace drawn in the terminal
without a browser: a lane per thread, a letter per node, a legend.

Needs the built rmrun: $RM_BUILD_DIR/bin/rmrun."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from rmrun_cli import COPY, RMRUN, needs_rmrun, tiny_wav  # noqa: E402

pytestmark = needs_rmrun


def view(tmp: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([RMRUN, "--no-env-plugins", "trace", "view", *args], cwd=tmp, capture_output=True,
                          text=True, timeout=60)


def slice_(name: str, tid: int, ts: float, dur: float, node_type: str) -> dict:
    return {"ph": "X", "name": name, "pid": 1, "tid": tid, "ts": ts, "dur": dur,
            "args": {"node_id": name, "node_type": node_type, "operation": "process"}}


def test_lanes_letters_and_legend(tmp_path: Path) -> None:
    trace = {"traceEvents": [
        {"ph": "M", "name": "thread_name", "pid": 1, "tid": 7, "args": {"name": "worker 1"}},
        {"ph": "M", "name": "thread_name", "pid": 1, "tid": 8, "args": {"name": "worker 2"}},
        slice_("read", 7, 0, 50, "AudioFileSource"),
        slice_("write", 8, 50, 25, "AudioFileSink"),
        slice_("write", 8, 75, 25, "AudioFileSink")]}
    (tmp_path / "t.json").write_text(json.dumps(trace))
    done = view(tmp_path, "t.json", "--width", "50")  # 50 - 14 - 3 = 33 columns over 100 us
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == "t.json: 3 node calls in 100.0 us on 2 threads; a column is 3.0 us"
    assert lines[1] == "thread         |0" + " " * 24 + "100.0 us|"
    assert lines[2] == "worker 1       |" + "A" * 17 + "." * 16 + "|"
    assert lines[3] == "worker 2       |" + "." * 16 + "B" * 17 + "|"
    assert all(len(line) <= 50 for line in lines[1:4])  # the axis and the lanes fit
    assert "  A  read                 AudioFileSource             1 call   50.0 us" in lines
    assert "  B  write                AudioFileSink               2 calls  50.0 us" in lines


def test_a_real_trace(tmp_path: Path) -> None:
    tiny_wav(tmp_path / "in.wav", frames=8000)
    manifest = json.loads(json.dumps(COPY))
    manifest["nodes"][0]["params"] = {"path": "in.wav", "chunk_seconds": 0.1}
    manifest["nodes"][1]["params"] = {"path": "out.wav"}
    (tmp_path / "m.json").write_text(json.dumps(manifest))
    ran = subprocess.run([RMRUN, "--no-env-plugins", "m.json", "--trace", "t.json"], cwd=tmp_path, capture_output=True,
                         timeout=60)
    assert ran.returncode == 0
    done = view(tmp_path, "t.json")
    assert done.returncode == 0, done.stderr
    assert "AudioFileSource" in done.stdout and "AudioFileSink" in done.stdout
    assert all(len(line) <= 80 for line in done.stdout.splitlines() if "|" in line)  # not a terminal: 80 columns


def test_mistakes(tmp_path: Path) -> None:
    (tmp_path / "x.json").write_text('{"not": "a trace"}')
    done = view(tmp_path, "x.json")
    assert done.returncode == 2 and 'x.json is not a trace (no "traceEvents" list' in done.stderr
    done = view(tmp_path, "missing.json")
    assert done.returncode == 5 and "cannot read missing.json" in done.stderr
    done = subprocess.run([RMRUN, "trace", "show", "x.json"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "no action 'show'" in done.stderr
    done = view(tmp_path, "x.json", "--width", "10")
    assert done.returncode == 2 and "--width takes columns from 40 to 1000, got '10'" in done.stderr


def test_html_is_one_self_contained_page(tmp_path: Path) -> None:
    trace = {"traceEvents": [
        {"ph": "M", "name": "thread_name", "pid": 1, "tid": 7, "args": {"name": "worker <1>"}},
        slice_("read", 7, 0, 50, "AudioFileSource"), slice_("a&b", 7, 50, 50, "Odd\"Type")]}
    (tmp_path / "t.json").write_text(json.dumps(trace))
    done = view(tmp_path, "t.json", "--html", "t.html")
    assert done.returncode == 0, done.stderr
    page = (tmp_path / "t.html").read_text()
    import re
    import xml.dom.minidom

    svg = re.search(r"<svg.*</svg>", page, re.S).group(0)
    dom = xml.dom.minidom.parseString(svg)  # well-formed: names are escaped
    titles = [t.firstChild.data for t in dom.getElementsByTagName("title")]
    assert titles == ["read process 50.0 us", "a&b process 50.0 us"]
    assert "worker &lt;1&gt;" in page and "Odd&quot;Type" in page
    assert "<script" not in page and "src=" not in page and "href=" not in page  # nothing fetched, nothing run
    # the output is written like every output: a directory is refused, named
    (tmp_path / "d").mkdir()
    done = view(tmp_path, "t.json", "--html", "d")
    assert done.returncode == 5 and "cannot write 'd': it is a directory" in done.stderr


def test_long_lane_names_are_shown_whole(tmp_path: Path) -> None:
    """An inline run's one lane read 'caller (inline' (cut at 14)."""
    trace = {"traceEvents": [
        {"ph": "M", "name": "thread_name", "pid": 1, "tid": 7, "args": {"name": "caller (inline calls)"}},
        {"ph": "M", "name": "thread_name", "pid": 1, "tid": 8, "args": {"name": "a lane name far too long to show"}},
        slice_("read", 7, 0, 50, "AudioFileSource"),
        slice_("write", 8, 50, 50, "AudioFileSink")]}
    (tmp_path / "t.json").write_text(json.dumps(trace))
    done = view(tmp_path, "t.json", "--width", "60")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[2].startswith("caller (inline calls)    |")  # 24 wide: the longest, capped
    assert lines[3].startswith("a lane name far too long |")
    assert all(len(line) == 60 for line in lines[1:4])
