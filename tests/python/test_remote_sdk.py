"""The SDK's remote names (API_CONTRACT.md, "Remote execution"):
RemoteExecutorConfig, its factory, remote_config, `remotemedia serve`.
Runs go through the native RemoteNode plugin against a loopback server."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import sdk_pythonpath
from remote_server import NodeServer
from rmrun_cli import needs_rmrun

import remotemedia
from remotemedia import ConfigurationError, Pipeline, RemoteExecutorConfig
from remotemedia.nodes import MultiplyNode
from remotemedia.nodes.remote import RemoteExecutionNode, RemoteObjectExecutionNode

HERE = Path(__file__).resolve().parent


def plaintext(server: NodeServer, **kwargs) -> RemoteExecutorConfig:
    return RemoteExecutorConfig("127.0.0.1", server.port, ssl_enabled=False, **kwargs)


def test_config_is_exported_and_checks_its_fields() -> None:
    from remotemedia.core.node import RemoteExecutorConfig as from_core

    assert from_core is RemoteExecutorConfig
    config = RemoteExecutorConfig("gpu", 50051, auth_token="secret-token-value")
    assert (config.protocol, config.timeout, config.max_retries, config.ssl_enabled) == ("grpc", 30.0, 3, True)
    assert "secret-token-value" not in repr(config)
    for bad in [dict(protocol="http"), dict(port=0), dict(port=70000), dict(port="1"), dict(timeout=0),
                dict(timeout=-1.0), dict(max_retries=-1)]:
        with pytest.raises(ConfigurationError):
            RemoteExecutorConfig(**{"host": "gpu", "port": 1, **bad})
    with pytest.raises(ConfigurationError):
        RemoteExecutorConfig("gpu:1", 1)
    assert RemoteExecutorConfig("[::1]", 50051).address == "[::1]:50051"


def test_factory_makes_remote_nodes_that_serialize_with_host() -> None:
    config = RemoteExecutorConfig("gpu", 50051, auth_token="secret-token-value")
    by_type = config("AudioResampleNode", node_config={"target_sample_rate": 16000})
    by_object = config(MultiplyNode(factor=2))
    assert isinstance(by_type, RemoteExecutionNode) and isinstance(by_object, RemoteObjectExecutionNode)
    manifest = json.loads(Pipeline([by_type, by_object]).serialize())
    first, second = manifest["nodes"]
    assert first["node_type"] == "AudioResampleNode" and first["host"] == "gpu:50051"
    assert first["params"] == {"target_sample_rate": 16000} and "python" not in first
    assert second["host"] == "gpu:50051" and second["params"] == {"factor": 2}
    assert second["python"]["class"] == "MultiplyNode"
    assert "secret-token-value" not in json.dumps(manifest)
    plain = MultiplyNode(factor=3)
    plain.remote_config = config
    assert json.loads(Pipeline([plain]).serialize())["nodes"][0]["host"] == "gpu:50051"


@needs_rmrun
def test_remote_execution_node_runs_on_the_server(run) -> None:
    with NodeServer("--no-auth") as server:
        config = plaintext(server)
        pipeline = Pipeline([config("MultiplyNode", node_config={"factor": 3}), MultiplyNode(factor=2)])
        result = run(pipeline.run([1, 2, 3]))
        log = server.stop()
    assert result == [6, 12, 18]
    assert "(MultiplyNode): 3 in, 3 out" in log


@needs_rmrun
def test_a_node_with_remote_config_runs_remotely_with_the_token(run, tmp_path: Path) -> None:
    (tmp_path / "token").write_text("a-token-of-some-length\n")
    with NodeServer("--token-file", str(tmp_path / "token")) as server:
        node = MultiplyNode(factor=5)
        node.remote_config = plaintext(server, auth_token="a-token-of-some-length")
        ok = run(Pipeline([node]).run([1, 2]))
        wrong = MultiplyNode(factor=5)
        wrong.remote_config = plaintext(server, auth_token="not-the-right-token", max_retries=0)
        with pytest.raises(Exception) as failure:
            run(Pipeline([wrong]).run([1]))
        log = server.stop()
    assert ok == [5, 10]
    assert "UNAUTHENTICATED" in str(failure.value)
    assert "a-token-of-some-length" not in log


@needs_rmrun
def test_a_local_python_node_runs_on_a_server_that_allows_python(run) -> None:
    from remote_py_nodes import Tripler

    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(HERE), sdk_pythonpath()]))
    with NodeServer("--no-auth", "--allow-python", env=env) as server:
        remote = plaintext(server)(Tripler())
        result = run(Pipeline([remote]).run([1, 2]))
        log = server.stop()
    assert result == [3, 6]
    assert "(PythonNode): 2 in, 2 out" in log


@needs_rmrun
def test_remotemedia_serve_starts_the_native_server(tmp_path: Path) -> None:
    code = ("import sys; from remotemedia._cli import remotemedia_main; "
            "sys.exit(remotemedia_main(['serve', '--listen', '127.0.0.1:0', '--no-auth', '--max-streams', 'x']))")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                       env=dict(os.environ, PYTHONPATH=sdk_pythonpath()))
    assert r.returncode == 2 and "--max-streams takes a number" in r.stderr  # rmrun serve's own check
    r = subprocess.run([sys.executable, "-c", "import sys; from remotemedia._cli import remotemedia_main; "
                        "sys.exit(remotemedia_main(['bogus']))"], capture_output=True, text=True, timeout=60,
                       env=dict(os.environ, PYTHONPATH=sdk_pythonpath()))
    assert r.returncode == 2 and "serve" in r.stderr


@needs_rmrun
def test_process_streams_through_a_remote_node_in_order(run) -> None:
    import numpy as np

    async def feed():
        for i in range(20):
            yield np.full(160, i, dtype=np.float32)

    async def collect(pipeline):
        return [out async for out in pipeline.process(feed())]

    with NodeServer("--no-auth") as server:
        pipeline = Pipeline([plaintext(server)("PassThroughNode")])
        outputs = run(collect(pipeline))
        log = server.stop()
    assert [int(o[0]) for o in outputs] == list(range(20))
    assert all(o.shape == (160,) and o.dtype == np.float32 for o in outputs)
    assert "(PassThroughNode): 20 in, 20 out" in log
    assert server.proc.returncode == 0  # SIGTERM: a clean stop


def test_a_remote_node_never_runs_locally_instead(run) -> None:
    node = MultiplyNode(factor=2)
    node.remote_config = RemoteExecutorConfig("127.0.0.1", 9, ssl_enabled=False)
    with pytest.raises(ConfigurationError, match="remote_config"):
        run(Pipeline([node]).run([1], use_native=False))
