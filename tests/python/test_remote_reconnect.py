"""Remote nodes when the server dies mid-stream (docs/remote.md, Failures):
a stateless remote node reconnects under the retry policy and every item is
processed exactly once; a stateful one fails naming the host and the first
unprocessed input. Driven item by item through a native session so the kill
happens at a known point."""

from __future__ import annotations

import json

import numpy as np

from remote_server import NodeServer, remote_node
from rmrun_cli import needs_rmrun

pytestmark = needs_rmrun


def session_for(node: dict):
    from remotemedia.core import native_runner
    from remotemedia.core.native_exec import native_runtime

    manifest = {"version": "v1", "nodes": [node], "connections": []}
    compiled = native_runtime().compile(json.dumps(manifest), source_name="remote test")
    return compiled, compiled.session(), native_runner


def push_all(session, runner, values) -> list:
    out = []
    for v in values:
        status, outputs, _ = session.push(runner.to_native(v))
        assert status == 0, session.error()
        out += [runner.from_native(*t) for _n, _p, t in outputs]
    return out


def test_server_killed_and_restarted_mid_run_processes_every_item_once() -> None:
    first = NodeServer("--no-auth").start()
    node = remote_node("m", first.address, "MultiplyNode", {"factor": 2})
    node["retry"] = {"max_retries": 5, "initial_delay_ms": 50, "max_delay_ms": 500}
    compiled, session, runner = session_for(node)
    out = push_all(session, runner, range(5))
    first.kill()
    second = NodeServer("--no-auth", port=first.port).start()
    try:
        out += push_all(session, runner, range(5, 10))
        status, outputs, finished = session.end()
        while not finished:
            status, more, finished = session.step()
            outputs += more
        assert status == 0, session.error()
        close_status = session.close()[0]
    finally:
        log = second.stop()
    assert out == [2 * i for i in range(10)]  # none lost, none twice
    assert close_status == 0
    assert "5 in, 5 out" in log  # the second server saw the last five only


def test_a_stateful_remote_node_fails_naming_the_host_and_first_unprocessed_input() -> None:
    first = NodeServer("--no-auth").start()
    node = remote_node("rs", first.address, "AudioResampleNode", {"target_sample_rate": 8000})
    compiled, session, runner = session_for(node)
    triple = runner.to_native((np.zeros(1600, dtype=np.float32), 16000))  # (samples, rate)
    for _ in range(3):
        status, _outs, _ = session.push(triple)
        assert status == 0, session.error()
    first.kill()
    second = NodeServer("--no-auth", port=first.port).start()
    try:
        status, _outs, _ = session.push(triple)
        error = session.error()
        session.close()
    finally:
        second.stop()
    assert status != 0
    message = error["message"] if isinstance(error, dict) else str(error)
    assert f"remote {first.address}" in message
    assert "stateful" in message and "input 4 was not" in message
