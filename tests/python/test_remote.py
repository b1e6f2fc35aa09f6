"""Remote nodes (docs/remote.md): `rmrun serve` and RemoteNode over gRPC on
loopback. Every server binds a free port of its own."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import numpy as np
import pytest

from remote_server import HANG_S, NodeServer, remote_node, write_token
from rmrun_cli import RMRUN, needs_rmrun

ROOT = Path(__file__).resolve().parents[2]
pytestmark = needs_rmrun


def rmrun(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([RMRUN, *args], capture_output=True, text=True, timeout=HANG_S, env=env)


def manifest(nodes: list, connections: list | None = None) -> str:
    return json.dumps({"version": "v1", "nodes": nodes, "connections": connections or []})


def run_manifest(tmp_path: Path, text: str, inputs: object = None, name: str = "m.json",
                 env: dict | None = None) -> subprocess.CompletedProcess:
    path = tmp_path / name
    path.write_text(text)
    args = [str(path)] + (["--input", json.dumps(inputs)] if inputs is not None else [])
    return rmrun(*args, env=env)


def test_remote_node_matches_local(tmp_path: Path) -> None:
    with NodeServer("--no-auth") as server:
        local = run_manifest(tmp_path, manifest([{"id": "m", "node_type": "MultiplyNode", "params": {"factor": 3}}]),
                             [1, 2.5, [3, 4]], "local.json")
        remote = run_manifest(tmp_path, manifest([remote_node("m", server.address, "MultiplyNode", {"factor": 3})]),
                              [1, 2.5, [3, 4]], "remote.json")
        log = server.stop()
    assert local.returncode == 0, local.stderr
    assert remote.returncode == 0, remote.stderr
    assert json.loads(remote.stdout) == json.loads(local.stdout) == [3, 7.5, [9, 12]]
    assert "node 'm' (MultiplyNode): 3 in, 3 out" in log


def test_a_manifest_node_with_host_runs_on_that_server(tmp_path: Path) -> None:
    """The manifest form of docs/remote.md: the node keeps its node_type and
    params and gains "host"; the remote plugin's resolver claims it."""
    with NodeServer("--no-auth") as server:
        node = {"id": "m", "node_type": "MultiplyNode", "params": {"factor": 3}, "host": server.address}
        ran = run_manifest(tmp_path, manifest([node]), [1, 2.5], "host.json")
        node["params"] = {"factr": 3}
        bad = run_manifest(tmp_path, manifest([node]), [1], "bad.json")
        log = server.stop()
    assert ran.returncode == 0, ran.stderr
    assert json.loads(ran.stdout) == [3, 7.5]
    assert "node 'm' (MultiplyNode): 2 in, 2 out" in log
    assert bad.returncode == 3, bad.stderr
    assert f"remote {server.address}" in bad.stderr and 'unknown parameter "factr"' in bad.stderr
    assert 'did you mean "factor"' in bad.stderr


def demo_manifest(tmp_path: Path, tag: str, host: str | None) -> dict:
    m = json.loads((ROOT / "examples/demo/preprocess.json").read_text())
    for node in m["nodes"]:
        if node["id"] == "read":
            node["params"]["path"] = str(ROOT / "examples/data/sample.flac")
        if node["id"] == "write":
            node["params"]["path"] = str(tmp_path / f"{tag}.wav")
    if host:
        i = next(i for i, n in enumerate(m["nodes"]) if n["id"] == "resample")
        n = m["nodes"][i]
        m["nodes"][i] = remote_node("resample", host, n["node_type"], n["params"])
    return m


def test_demo_pipeline_with_the_resampler_remote_is_identical(tmp_path: Path) -> None:
    with NodeServer("--no-auth") as server:
        local = run_manifest(tmp_path, json.dumps(demo_manifest(tmp_path, "local", None)), name="l.json")
        remote = run_manifest(tmp_path, json.dumps(demo_manifest(tmp_path, "remote", server.address)),
                              name="r.json")
        log = server.stop()
    assert local.returncode == 0, local.stderr
    assert remote.returncode == 0, remote.stderr
    assert (tmp_path / "local.wav").read_bytes() == (tmp_path / "remote.wav").read_bytes()
    assert json.loads(remote.stdout)["speech"] == json.loads(local.stdout)["speech"]
    assert "(AudioResampleNode)" in log and ": ok" in log


@pytest.mark.parametrize("token", [None, "wrong-token-0123456789"])
def test_missing_or_wrong_token_is_unauthenticated_and_nothing_runs(tmp_path: Path, token: str | None) -> None:
    write_token(tmp_path / "token")
    options = {"token": token} if token else {}
    env = {k: v for k, v in os.environ.items() if not k.startswith("REMOTEMEDIA_REMOTE_")}
    with NodeServer("--token-file", str(tmp_path / "token")) as server:
        r = run_manifest(tmp_path, manifest([remote_node("m", server.address, "MultiplyNode", {"factor": 3},
                                                         **options)]), [1], env=env)
        log = server.stop()
    assert r.returncode != 0
    assert "UNAUTHENTICATED" in r.stderr and "'m'" in r.stderr
    assert "unauthenticated" in log and "MultiplyNode" not in log
    assert "s3cret" not in log + r.stderr  # the token is never printed


def test_right_token_from_param_or_environment(tmp_path: Path) -> None:
    token = write_token(tmp_path / "token")
    with NodeServer("--token-file", str(tmp_path / "token")) as server:
        by_param = run_manifest(tmp_path, manifest([remote_node("m", server.address, "AddNode", {"addend": 1},
                                                                token=token)]), [1])
        env = dict(os.environ, REMOTEMEDIA_REMOTE_TOKEN=token)
        by_env = run_manifest(tmp_path, manifest([remote_node("m", server.address, "AddNode", {"addend": 1})]),
                              [1], env=env)
        log = server.stop()
    assert by_param.returncode == 0, by_param.stderr
    assert by_env.returncode == 0, by_env.stderr
    assert json.loads(by_param.stdout) == json.loads(by_env.stdout) == [2]
    assert token not in log


def test_server_refuses_bad_options(tmp_path: Path) -> None:
    r = rmrun("serve", "--listen", "0.0.0.0:0", "--no-auth")
    assert r.returncode == 2 and "--no-auth is refused" in r.stderr
    r = rmrun("serve", "--listen", "127.0.0.1:0")
    assert r.returncode == 2 and "--token-file" in r.stderr
    (tmp_path / "short").write_text("abc\n")
    r = rmrun("serve", "--listen", "127.0.0.1:0", "--token-file", str(tmp_path / "short"))
    assert r.returncode == 2 and "at least 16" in r.stderr
    r = rmrun("serve", "--listen", "127.0.0.1:0", "--no-auth", "--max-streams", "0")
    assert r.returncode == 2 and "--max-streams" in r.stderr


def test_unknown_type_and_bad_params_are_errors_naming_the_node(tmp_path: Path) -> None:
    with NodeServer("--no-auth") as server:
        unknown = run_manifest(tmp_path, manifest([remote_node("far", server.address, "NoSuchNode", {})]), [1])
        bad = run_manifest(tmp_path, manifest([remote_node("far", server.address, "MultiplyNode", {"factr": 2})]),
                           [1])
        server.stop()
    assert unknown.returncode == 3 and "far" in unknown.stderr and "NoSuchNode" in unknown.stderr
    assert bad.returncode == 3 and "factr" in bad.stderr and "did you mean" in bad.stderr


def test_allow_list_and_python_refused_without_allow_python(tmp_path: Path) -> None:
    with NodeServer("--no-auth", "--allow", "MultiplyNode,PythonNode") as server:
        ok = run_manifest(tmp_path, manifest([remote_node("m", server.address, "MultiplyNode", {"factor": 2})]), [2])
        denied = run_manifest(tmp_path, manifest([remote_node("a", server.address, "AddNode", {"addend": 1})]), [2])
        python = run_manifest(tmp_path, manifest([remote_node(
            "py", server.address, "PythonNode", {"module": "remotemedia.nodes.base", "class": "PassThroughNode"})]),
            [2])
        server.stop()
    assert ok.returncode == 0 and json.loads(ok.stdout) == [4]
    assert denied.returncode == 3 and "not allowed on this server" in denied.stderr
    assert python.returncode == 3 and "--allow-python" in python.stderr and "'py'" in python.stderr


def test_connection_refused_is_transient_and_names_the_host(tmp_path: Path) -> None:
    with NodeServer("--no-auth") as server:
        address = server.address
    r = run_manifest(tmp_path, manifest([remote_node("m", address, "MultiplyNode", {"factor": 2})]), [1])
    assert r.returncode != 0
    assert f"remote {address}: UNAVAILABLE" in r.stderr


def test_fifty_concurrent_streams(tmp_path: Path) -> None:
    with NodeServer("--no-auth", "--max-streams", "64") as server:
        nodes = [remote_node(f"m{i}", server.address, "AddNode", {"addend": i}) for i in range(50)]
        r = run_manifest(tmp_path, manifest(nodes), [0, 1000])
        log = server.stop()
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out == {f"m{i}": [i, 1000 + i] for i in range(50)}
    assert log.count(": ok") == 50


def test_max_streams_refuses_the_next_stream(tmp_path: Path) -> None:
    with NodeServer("--no-auth", "--max-streams", "2") as server:
        nodes = [remote_node(f"m{i}", server.address, "AddNode", {"addend": i}) for i in range(3)]
        r = run_manifest(tmp_path, manifest(nodes), [0])
        server.stop()
    assert r.returncode != 0 and "RESOURCE_EXHAUSTED" in r.stderr


def test_batch_with_the_resampler_remote_writes_what_a_local_batch_writes(tmp_path: Path) -> None:
    with NodeServer("--no-auth") as server:
        for tag, host in (("local", None), ("remote", server.address)):
            m = demo_manifest(tmp_path, tag, host)
            path = tmp_path / f"{tag}.json"
            path.write_text(json.dumps(m))
            r = rmrun(str(path), "--batch", str(ROOT / "examples/data"), "--out", str(tmp_path / tag),
                      "--no-progress", "-q")
            assert r.returncode == 0, r.stderr
        log = server.stop()
    assert (tmp_path / "local/sample.wav").read_bytes() == (tmp_path / "remote/sample.wav").read_bytes()
    assert "(AudioResampleNode)" in log
