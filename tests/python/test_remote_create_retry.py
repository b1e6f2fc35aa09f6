"""A RemoteNode whose server is down or full when the node is created is
retried under the node's retry policy (docs/remote.md, Failures: "At
creation"). The back-off is made tiny through the node's "retry" object;
attempts are counted from the client's per-attempt warnings and the
server's log, never timed."""

from __future__ import annotations

import json
import re
import signal
import socket
import subprocess
import sys
from pathlib import Path
from typing import List, Tuple

import pytest

from remote_server import HANG_S, NodeServer, remote_node, write_token
from rmrun_cli import RMRUN, needs_rmrun

pytestmark = needs_rmrun

ATTEMPT = re.compile(r"WARN (\S+): attempt (\d+) of (\d+) to open node type '(\w+)' on (\S+) failed, "
                     r"retrying in \d+ ms: (.*)")


def free_port() -> int:
    """A loopback port nothing listens on now (the kernel's pick)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def write_manifest(tmp_path: Path, node: dict) -> Path:
    path = tmp_path / "remote.json"
    path.write_text(json.dumps({"version": "v1", "nodes": [node], "connections": []}))
    return path


def multiply_node(host: str, retry: dict) -> dict:
    node = remote_node("m", host, "MultiplyNode", {"factor": 3})
    node["retry"] = retry
    return node


def start_client(path: Path) -> subprocess.Popen:
    return subprocess.Popen([RMRUN, str(path), "--input", "[1, 2]"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def read_attempts(client: subprocess.Popen, count: int, seen: List[str]) -> None:
    """Read the client's stderr until `count` failed attempts were logged."""
    assert client.stderr is not None
    while sum(1 for line in seen if ATTEMPT.search(line)) < count:
        line = client.stderr.readline()
        assert line, f"rmrun ended before {count} failed attempts: {''.join(seen)}"
        seen.append(line)


def attempts_in(text: str) -> List[re.Match]:
    return [m for m in map(ATTEMPT.search, text.splitlines()) if m]


def finish(client: subprocess.Popen, seen: List[str]) -> str:
    try:
        out, err = client.communicate(timeout=HANG_S)
    finally:
        if client.poll() is None:
            client.kill()
            client.wait()
    seen.append(err)
    return out


def test_a_server_started_after_the_first_attempts_failed_is_reached(tmp_path: Path) -> None:
    port = free_port()
    # Many retries (the client keeps trying until the server is up); 1 ms apart.
    path = write_manifest(tmp_path, multiply_node(f"127.0.0.1:{port}",
                                                  {"max_retries": 100000, "initial_delay_ms": 1,
                                                   "multiplier": 1.0}))
    client, seen = start_client(path), []
    try:
        read_attempts(client, 2, seen)
        server = NodeServer("--no-auth", port=port).start()
    except BaseException:
        client.kill()
        client.wait()
        raise
    try:
        out = finish(client, seen)
    finally:
        log = server.stop()
    stderr = "".join(seen)
    assert client.returncode == 0, stderr
    assert json.loads(out) == [3, 6]
    failed = attempts_in(stderr)
    assert len(failed) >= 2
    # Attempts 1, 2, ... k, each of max_retries + 1, each refused connection named.
    assert [int(m.group(2)) for m in failed] == list(range(1, len(failed) + 1))
    assert {(m.group(1), m.group(3), m.group(4), m.group(5)) for m in failed} == {
        ("m", "100001", "MultiplyNode", f"127.0.0.1:{port}")}
    assert all(m.group(6).startswith(f"remote 127.0.0.1:{port}: UNAVAILABLE") for m in failed)
    assert log.count("node 'm' (MultiplyNode)") == 1  # the one stream that opened


def test_a_full_server_is_retried_until_a_stream_is_freed(tmp_path: Path) -> None:
    from remotemedia.core.native_exec import native_runtime

    with NodeServer("--no-auth", "--max-streams", "1") as server:
        # Holds the server's one stream while it is alive (created at compile).
        held = native_runtime().compile(json.dumps({"version": "v1", "connections": [], "nodes": [
            remote_node("held", server.address, "PassThroughNode", {})]}), source_name="holder")
        path = write_manifest(tmp_path, multiply_node(server.address, {
            "max_retries": 100000, "initial_delay_ms": 1, "multiplier": 1.0}))
        client, seen = start_client(path), []
        try:
            read_attempts(client, 1, seen)
        finally:
            del held  # frees the pipeline: its stream ends, the server has room
        out = finish(client, seen)
        log = server.stop()
    stderr = "".join(seen)
    assert client.returncode == 0, stderr
    assert json.loads(out) == [3, 6]
    failed = attempts_in(stderr)
    assert failed and all("RESOURCE_EXHAUSTED" in m.group(6) for m in failed)
    # Every failed attempt is one call the server refused, and nothing more.
    assert log.count("too many streams") == len(failed)
    assert log.count("node 'm' (MultiplyNode)") == 1


def test_a_server_that_never_comes_up_fails_after_max_retries_plus_one_attempts(tmp_path: Path) -> None:
    port = free_port()
    path = write_manifest(tmp_path, multiply_node(f"127.0.0.1:{port}",
                                                  {"max_retries": 2, "initial_delay_ms": 1}))
    r = subprocess.run([RMRUN, str(path), "--input", "[1]"], capture_output=True, text=True, timeout=HANG_S)
    assert r.returncode != 0
    assert [m.group(2) + "/" + m.group(3) for m in attempts_in(r.stderr)] == ["1/3", "2/3"]
    assert (f"node 'm' (RemoteNode): create failed: could not open node type 'MultiplyNode' on 127.0.0.1:{port} in 3 attempts "
            f"(the node's retry policy: max_retries 2); the last failed with UNAVAILABLE: "
            f"remote 127.0.0.1:{port}: UNAVAILABLE while connecting") in r.stderr


def test_a_bad_input_fails_before_any_create_attempt(tmp_path: Path) -> None:
    """`rmrun run` reads --input before the compile (only @- waits for it):
    a typo there costs no RemoteNode connect and none of its retries."""
    port = free_port()
    path = write_manifest(tmp_path, multiply_node(f"127.0.0.1:{port}",
                                                  {"max_retries": 3, "initial_delay_ms": 2 * HANG_S * 1000}))
    r = subprocess.run([RMRUN, str(path), "--input", "[1,"], capture_output=True, text=True, timeout=HANG_S)
    assert r.returncode == 2, r.stderr
    assert "--input is not valid JSON" in r.stderr and attempts_in(r.stderr) == [], r.stderr


def test_the_sdk_error_names_the_attempts_of_its_max_retries(run) -> None:
    from remotemedia import ConfigurationError, Pipeline, RemoteExecutorConfig

    port = free_port()
    config = RemoteExecutorConfig("127.0.0.1", port, ssl_enabled=False, max_retries=1)
    with pytest.raises(ConfigurationError) as raised:
        run(Pipeline([config("MultiplyNode", node_config={"factor": 3})]).run([1]))
    message = str(raised.value)
    assert f"could not open node type 'MultiplyNode' on 127.0.0.1:{port} in 2 attempts" in message
    assert "max_retries 1); the last failed with UNAVAILABLE" in message


def test_a_permanent_error_at_creation_is_not_retried(tmp_path: Path) -> None:
    token = write_token(tmp_path / "token")
    with NodeServer("--token-file", str(tmp_path / "token")) as server:
        retry = {"max_retries": 5, "initial_delay_ms": 1}
        unknown = remote_node("far", server.address, "NoSuchNode", {}, token=token)
        unknown["retry"] = retry
        no_token = multiply_node(server.address, retry)
        results = []
        for node in (unknown, no_token):
            path = write_manifest(tmp_path, node)
            results.append(subprocess.run([RMRUN, str(path), "--input", "[1]"], capture_output=True,
                                          text=True, timeout=HANG_S))
        log = server.stop()
    unknown_run, no_token_run = results
    for r in results:
        assert r.returncode != 0
        assert attempts_in(r.stderr) == []  # no retry
        assert "could not open" not in r.stderr
    assert "NoSuchNode" in unknown_run.stderr and "'far'" in unknown_run.stderr
    assert "UNAUTHENTICATED" in no_token_run.stderr
    # One stream each reached the server: one attempt.
    assert log.count("node 'far' (NoSuchNode)") == 1
    assert log.count("unauthenticated (missing or wrong bearer token)") == 1


def refusing_port() -> Tuple[socket.socket, int]:
    """A loopback port that refuses connections while the socket lives:
    bound, never listening."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    return s, s.getsockname()[1]


def test_a_run_error_of_a_create_says_its_attempts(run) -> None:
    """The NodeError's attempt/max_attempts are the create's attempts (they
    were 1 of 1 whatever the message said)."""
    from remotemedia import NodeError, Pipeline, RemoteExecutorConfig

    with NodeServer("--no-auth") as server:
        config = RemoteExecutorConfig("127.0.0.1", server.port, ssl_enabled=False, max_retries=2)
        pipeline = Pipeline([config("MultiplyNode", node_config={"factor": 3})])
        assert run(pipeline.run([1])) == 3  # compiled: the node's stream opened
        server.stop()
        # The next run re-creates the (stateful) RemoteNode: no server now.
        with pytest.raises(NodeError) as raised:
            run(pipeline.run([1]))
    error = raised.value
    assert error.operation == "create"
    assert "in 3 attempts (the node's retry policy: max_retries 2)" in str(error)
    assert (error.attempt, error.max_attempts) == (3, 3)


def test_a_cancel_token_ends_a_compile_waiting_to_retry() -> None:
    """An already cancelled token: the first attempt is refused and its
    back-off (longer than the test's bound for a hang) ends at once."""
    from remotemedia import native
    from remotemedia.core.native_exec import ECANCELED, native_runtime

    held, port = refusing_port()
    runtime = native_runtime().registry  # the bridge's Runtime
    token = native.get_native_runtime().CancelToken()
    token.cancel()
    manifest = {"version": "v1", "connections": [], "nodes": [
        multiply_node(f"127.0.0.1:{port}", {"max_retries": 3, "initial_delay_ms": 2 * HANG_S * 1000})]}
    with held, pytest.raises(ValueError) as raised:
        runtime.compile(json.dumps(manifest), source_name="cancelled", cancel=token)
    text, entries, status = raised.value.args
    assert status == ECANCELED
    assert entries[0][1] == "m"
    assert (f"node 'm' (RemoteNode): create failed: creation cancelled while waiting to retry 127.0.0.1:{port} (after 1 attempt;"
            in text)


CTRL_C_CHILD = """
import asyncio, sys
from remotemedia import Pipeline, RemoteExecutorConfig
config = RemoteExecutorConfig("127.0.0.1", int(sys.argv[1]), ssl_enabled=False, max_retries=100000)
try:
    asyncio.run(Pipeline([config("MultiplyNode", node_config={"factor": 3})]).run([1]))
except KeyboardInterrupt:
    print("KeyboardInterrupt")
"""


def test_ctrl_c_ends_the_sdk_compile_waiting_to_retry(subprocess_env: dict) -> None:
    """Ctrl-C while Pipeline.run compiles a RemoteNode whose server refuses:
    the back-off ends and the script gets its KeyboardInterrupt (before,
    the compile went on for all of its 100001 attempts)."""
    held, port = refusing_port()
    with held:
        child = subprocess.Popen([sys.executable, "-c", CTRL_C_CHILD, str(port)], stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE, text=True, env=subprocess_env)
        seen: List[str] = []
        try:
            read_attempts(child, 1, seen)
            child.send_signal(signal.SIGINT)
            out = finish(child, seen)
        finally:
            if child.poll() is None:
                child.kill()
                child.wait()
    stderr = "".join(seen)
    assert child.returncode == 0, stderr
    assert out.strip() == "KeyboardInterrupt", stderr
