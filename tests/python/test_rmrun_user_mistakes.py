"""Mistakes a new user makes on the command line: a directory where a file
belongs, a file where a directory belongs, a port out of range. Each one
is a message naming the thing and what was wrong, and a non-zero exit,
before any work is done."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import subprocess
from pathlib import Path

import pytest

from rmrun_cli import COPY, RMRUN, needs_rmrun, tiny_wav

pytestmark = needs_rmrun

MATH = {"version": "v1", "nodes": [{"id": "mul", "node_type": "MultiplyNode", "params": {"factor": 2}}]}


def rmrun(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([RMRUN, "--no-env-plugins", *args], cwd=cwd, capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize("args, text", [
    (["adir"], "cannot read manifest adir: Is a directory"),
    (["m.json", "--input", "@adir"], "--input @adir: Is a directory"),
    (["trace", "view", "adir"], "cannot read adir: Is a directory"),
])
def test_a_directory_given_as_a_file_is_named_as_one(tmp_path: Path, args: list[str], text: str) -> None:
    (tmp_path / "adir").mkdir()
    (tmp_path / "m.json").write_text(json.dumps(MATH))
    run = rmrun(*args, cwd=tmp_path)
    assert run.returncode == 5, run.stderr
    assert text in run.stderr
    assert "Input/output error" not in run.stderr


@pytest.mark.parametrize("args, text", [
    (["-"], "cannot read manifest -: Bad file descriptor"),
    (["m.json", "--input", "@-"], "--input @-: Bad file descriptor"),
    (["trace", "view", "-"], "cannot read -: Bad file descriptor"),
])
def test_a_failed_read_names_its_own_error(tmp_path: Path, args: list[str], text: str) -> None:
    """Standard input open for writing only: the read fails with EBADF,
    and the message says so (not a catch-all "Input/output error")."""
    (tmp_path / "m.json").write_text(json.dumps(MATH))
    with open(tmp_path / "sink", "w") as write_only:
        run = subprocess.run([RMRUN, "--no-env-plugins", *args], cwd=tmp_path, stdin=write_only,
                             capture_output=True, text=True, timeout=60)
    assert run.returncode == 5, run.stderr
    assert text in run.stderr


def test_batch_out_that_is_a_file_stops_before_any_input(tmp_path: Path) -> None:
    tiny_wav(tmp_path / "in" / "a.wav")
    tiny_wav(tmp_path / "in" / "b.wav")
    (tmp_path / "m.json").write_text(json.dumps(COPY))
    (tmp_path / "results").write_text("my notes\n")
    run = rmrun("m.json", "--batch", "in", "--out", "results", "--no-progress", cwd=tmp_path)
    assert run.returncode == 5, run.stderr
    assert "--out results: not a directory" in run.stderr
    assert "a.wav" not in run.stderr  # no input was tried
    assert (tmp_path / "results").read_text() == "my notes\n"


@pytest.mark.parametrize("listen, got", [
    ("127.0.0.1:99999", "'99999'"),   # gRPC would wrap it to port 34463
    ("127.0.0.1:-1", "'-1'"),
    ("127.0.0.1:http", "'http'"),
    ("127.0.0.1:", "''"),
    ("127.0.0.1", "no ':PORT'"),
])
def test_serve_listen_port_out_of_range_is_a_usage_error(tmp_path: Path, listen: str, got: str) -> None:
    run = subprocess.run([RMRUN, "--no-env-plugins", "serve", "--listen", listen, "--no-auth"], cwd=tmp_path,
                         capture_output=True, text=True, timeout=30)
    assert run.returncode == 2, run.stderr
    assert f"--listen {listen}:" in run.stderr and got in run.stderr
    assert "listening" not in run.stderr


def test_batch_of_a_path_that_does_not_exist_says_so(tmp_path: Path) -> None:
    (tmp_path / "m.json").write_text(json.dumps(COPY))
    run = rmrun("m.json", "--batch", "recordings", "--out", "o", cwd=tmp_path)
    assert run.returncode == 2, run.stderr
    assert "--batch recordings: No such file or directory" in run.stderr
    assert not (tmp_path / "o").exists()


def _unprivileged(tmp_path: Path) -> tuple[list[str], Path]:
    """A command prefix under which chmod 000 denies access (root reads
    everything: run rmrun as nobody then) and a folder that user can use."""
    if os.geteuid() != 0:
        return [], tmp_path
    if not shutil.which("setpriv"):
        pytest.fail("running as root needs setpriv (util-linux) to test permission errors")
    work = Path(tempfile.mkdtemp(prefix="rm-perm-", dir="/tmp"))
    work.chmod(0o777)
    return ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"], work


def test_batch_out_that_cannot_be_written_stops_before_any_input(tmp_path: Path) -> None:
    prefix, work = _unprivileged(tmp_path)
    try:
        tiny_wav(work / "in" / "a.wav")
        (work / "m.json").write_text(json.dumps(COPY))
        (work / "locked").mkdir()
        (work / "locked").chmod(0o555)
        for p in [work / "in", work / "in" / "a.wav", work / "m.json"]:
            p.chmod(0o755 if p.is_dir() else 0o644)
        run = subprocess.run([*prefix, RMRUN, "--no-env-plugins", "m.json", "--batch", "in", "--out", "locked",
                              "--no-progress"], cwd=work, capture_output=True, text=True, timeout=60)
        assert run.returncode == 5, run.stderr
        assert "--out locked: Permission denied" in run.stderr
        assert "a.wav" not in run.stderr  # no input was tried
    finally:
        if work != tmp_path:
            shutil.rmtree(work, ignore_errors=True)


def test_batch_tree_with_an_unreadable_folder_names_it(tmp_path: Path) -> None:
    prefix, work = _unprivileged(tmp_path)
    try:
        tiny_wav(work / "data" / "ok" / "a.wav")
        tiny_wav(work / "data" / "secret" / "b.wav")
        (work / "m.json").write_text(json.dumps(COPY))
        for p in [work / "data", work / "data" / "ok", work / "data" / "ok" / "a.wav", work / "m.json"]:
            p.chmod(0o755 if p.is_dir() else 0o644)
        (work / "data" / "secret").chmod(0)
        run = subprocess.run([*prefix, RMRUN, "--no-env-plugins", "m.json", "--batch", "data", "-r",
                              "--out", "o", "--no-progress"], cwd=work, capture_output=True, text=True, timeout=60)
        assert "cannot read directory data/secret: Permission denied" in run.stderr
        assert "1 ok" in run.stderr  # the readable part still runs
    finally:
        (work / "data" / "secret").chmod(0o755)
        if work != tmp_path:
            shutil.rmtree(work, ignore_errors=True)


@pytest.mark.parametrize("location, text", [
    ({"module": "no_such_module_xyz", "class": "X"}, "no Python module 'no_such_module_xyz'"),
    ({"module": "json", "class": "NoSuchClass"}, "module 'json' has no class 'NoSuchClass'"),
    ({"module": "os", "class": "path"}, "os.path is a module, not a class"),
])
def test_python_node_that_names_no_class_is_one_line_not_a_traceback(tmp_path: Path, location: dict,
                                                                    text: str) -> None:
    manifest = {"version": "v1", "nodes": [{"id": "mine", "node_type": "MyNode", "python": location}]}
    (tmp_path / "m.json").write_text(json.dumps(manifest))
    run = rmrun("m.json", "--input", "1", cwd=tmp_path)
    assert run.returncode != 0
    assert text in run.stderr and "node 'mine'" in run.stderr
    assert "Traceback" not in run.stderr, run.stderr


def test_python_node_whose_own_import_fails_keeps_its_traceback(tmp_path: Path) -> None:
    """A module that exists but fails inside (its own missing dependency):
    the traceback shows where, so it stays."""
    (tmp_path / "mynodes.py").write_text("import no_such_dependency_xyz\n")
    manifest = {"version": "v1", "nodes": [{"id": "mine", "node_type": "MyNode",
                                            "python": {"module": "mynodes", "class": "X"}}]}
    (tmp_path / "m.json").write_text(json.dumps(manifest))
    env = dict(os.environ, PYTHONPATH=str(tmp_path))
    run = subprocess.run([RMRUN, "--no-env-plugins", "m.json", "--input", "1"], cwd=tmp_path, env=env,
                         capture_output=True, text=True, timeout=60)
    assert run.returncode != 0
    assert "mynodes.py" in run.stderr and "no_such_dependency_xyz" in run.stderr


def test_batch_list_that_is_a_directory_says_so(tmp_path: Path) -> None:
    (tmp_path / "m.json").write_text(json.dumps(COPY))
    (tmp_path / "inputs").mkdir()
    run = rmrun("m.json", "--batch", "@inputs", "--out", "o", cwd=tmp_path)
    assert run.returncode == 5, run.stderr
    assert "cannot read the list inputs: Is a directory" in run.stderr


@pytest.mark.parametrize("node", [
    {"id": "r", "node_type": "AddNode", "params": {"addend": 1}, "host": "127.0.0.1:99999"},
    {"id": "r", "node_type": "RemoteNode", "params": {"host": "127.0.0.1:99999", "node_type": "AddNode"}},
    {"id": "r", "node_type": "RemoteNode", "params": {"host": "127.0.0.1:http", "node_type": "AddNode"}},
])
def test_remote_host_with_a_port_out_of_range_is_named(tmp_path: Path, node: dict) -> None:
    """gRPC would dial 99999 % 65536 = 34463: some other service, or nothing."""
    (tmp_path / "m.json").write_text(json.dumps({"version": "v1", "nodes": [node]}))
    run = rmrun("m.json", "--input", "[1]", cwd=tmp_path)
    assert run.returncode != 0
    assert "port must be a whole number from 1 to 65535" in run.stderr, run.stderr
    assert "UNAVAILABLE" not in run.stderr


@pytest.mark.parametrize("host", ["::1:5000", "fe80::1:5000"])
def test_remote_ipv6_host_without_brackets_is_named(tmp_path: Path, host: str) -> None:
    """gRPC took '::1:5000' whole as a name: UNAVAILABLE, not the mistake."""
    node = {"id": "r", "node_type": "RemoteNode", "params": {"host": host, "node_type": "AddNode"}}
    (tmp_path / "m.json").write_text(json.dumps({"version": "v1", "nodes": [node]}))
    run = rmrun("m.json", "--input", "[1]", cwd=tmp_path)
    assert run.returncode != 0
    assert f"param 'host' \"{host}\": an IPv6 address goes in brackets, e.g. \"[::1]:5000\"" in run.stderr, \
        run.stderr
    assert "UNAVAILABLE" not in run.stderr


def test_dash_dash_lets_a_manifest_start_with_a_dash(tmp_path: Path) -> None:
    """docs/cli.md: `--` ends option parsing; `rmrun -- -m.json` read the
    manifest's name as the option '-m'."""
    (tmp_path / "-m.json").write_text(json.dumps({**MATH, "connections": []}))
    run = subprocess.run([RMRUN, "--no-env-plugins", "--", "-m.json"], cwd=tmp_path, input="",
                         capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "[]"
    run = rmrun("run", "--input", "[3]", "--", "-m.json", cwd=tmp_path)
    assert run.returncode == 0 and run.stdout.strip() == "[6]", run.stderr


@pytest.mark.parametrize("args, text", [
    (["--metrics", "o.json", "--trace", "o.json"], "--metrics and --trace both write 'o.json'"),
    (["--output", "o.json", "--metrics", "./o.json"], "--output and --metrics both write './o.json'"),
    (["--output", "b.wav"], "--output and node 'write' both write 'b.wav'"),
    # neither exists yet: the same folder by another name, the same file
    (["--output", "n.json", "--metrics", "sub/../n.json"], "--output and --metrics both write 'sub/../n.json'"),
])
def test_two_outputs_naming_one_file_are_refused(tmp_path: Path, args: list[str], text: str) -> None:
    """The later one overwrote the earlier: the metrics were lost in the trace."""
    tiny_wav(tmp_path / "a.wav")
    manifest = json.loads(json.dumps(COPY))
    manifest["nodes"][0]["params"]["path"] = "a.wav"
    manifest["nodes"][1]["params"]["path"] = "b.wav"
    (tmp_path / "m.json").write_text(json.dumps(manifest))
    (tmp_path / "o.json").write_text("keep")
    (tmp_path / "sub").mkdir()
    run = rmrun("m.json", *args, cwd=tmp_path)
    assert run.returncode == 2, run.stderr
    assert text in run.stderr
    assert (tmp_path / "o.json").read_text() == "keep" and not (tmp_path / "b.wav").exists()
    assert not (tmp_path / "n.json").exists()


def test_two_outputs_to_dev_null_are_fine(tmp_path: Path) -> None:
    (tmp_path / "m.json").write_text(json.dumps({**MATH, "connections": []}))
    run = rmrun("m.json", "--input", "[1]", "--metrics", "/dev/null", "--trace", "/dev/null", cwd=tmp_path)
    assert run.returncode == 0, run.stderr


def test_batch_summary_does_not_point_at_a_report_it_could_not_write(tmp_path: Path) -> None:
    tiny_wav(tmp_path / "in" / "a.wav")
    (tmp_path / "m.json").write_text(json.dumps(COPY))
    (tmp_path / "rep").mkdir()
    run = rmrun("m.json", "--batch", "in", "--out", "o", "--report", "rep", "--no-progress", cwd=tmp_path)
    assert run.returncode == 5, run.stderr
    assert "cannot write 'rep'" in run.stderr
    assert "report: rep (not written: see above)" in run.stderr
