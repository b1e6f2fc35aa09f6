"""A pipeline with a RemoteNode (gRPC to `rmrun serve` on 127.0.0.1, a
free port) run through remotemedia.distributed on Dask (2 worker
processes) and Ray Data (2 CPUs): outputs identical to the same pipeline
run locally without the remote hop; each worker process keeps one
connection to the server for all its files (not one per file or task); an
unreachable server fails each file with the node and the address, fast,
and the workers live on."""

from __future__ import annotations

import re
import socket
from pathlib import Path
from typing import List

import numpy as np
import pytest
import soundfile as sf

pytest.importorskip("dask.distributed")
ray = pytest.importorskip("ray")

from remotemedia.batch import process_files as local_process_files  # noqa: E402
from remotemedia.distributed import NativeStage, RemoteMediaBatches, RemoteMediaStage, map_items  # noqa: E402
from remotemedia.distributed import process_files  # noqa: E402

from distributed_engines import client, ray_local, within  # noqa: E402,F401 - fixtures
from remote_pipeline import remote_manifest  # noqa: E402
from remote_server import NodeServer  # noqa: E402
from test_batch import RMRUN, _corpus, _pipeline  # noqa: E402

pytestmark = pytest.mark.skipif(RMRUN is None, reason="the stage needs the native runtime (build it)")

STATUSES = ["ok", "ok", "failed", "ok", "ok", "ok"]  # clip2 is corrupt


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    """6 clips (the third corrupt) and the local run of the pipeline
    without a remote node (rmrun --batch)."""
    tmp = tmp_path_factory.mktemp("remote")
    files = _corpus(tmp, n=6, bad_index=2)
    local = local_process_files(_pipeline(), files, tmp / "local", workers=2, progress=False, native=True)
    assert [r.status for r in local] == STATUSES
    return files, local


@pytest.fixture
def server():
    with NodeServer("--no-auth") as node_server:
        yield node_server


def connections(log: str) -> List[str]:
    """The client address of each stream the server logged."""
    return re.findall(r"stream \d+ from (\S+): node", log)


def free_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def check_unreachable(errors: List[str], address: str, node_id: str) -> None:
    assert errors and all(f"node '{node_id}'" in e and address in e and "UNAVAILABLE" in e for e in errors), errors


# ---- Dask ----


def test_dask_files_through_a_remote_node_match_local_and_reuse_one_connection(
        tmp_path: Path, client, corpus, server) -> None:
    files, local = corpus
    manifest = remote_manifest(server.address)
    results = within(lambda: process_files(manifest, files, tmp_path / "out", client=client, chunk_size=1,
                                           progress=False))
    assert [r.status for r in results] == STATUSES
    for mine, theirs in zip(results, local):
        if theirs.ok:
            assert Path(mine.outputs[0]).read_bytes() == Path(theirs.outputs[0]).read_bytes()
    peers = connections(server.stop())
    # one stream per good file (the corrupt one fails before the remote
    # node is created, or right after), over one connection per worker
    # process: the channel outlives the file (it used to be one per file)
    assert len(peers) >= 5
    assert len(set(peers)) <= len(client.scheduler_info()["workers"]), peers


def test_dask_arrays_through_a_remote_node(tmp_path: Path, client, corpus, server) -> None:
    files, local = corpus
    items = [Path(f).read_bytes() if not r.ok else (np.ascontiguousarray(sf.read(f, dtype="float32",
                                                                                  always_2d=True)[0].T), 48000)
             for f, r in zip(files, local)]
    stage = NativeStage(remote_manifest(server.address))
    results = within(lambda: map_items(stage, items, client=client, chunk_size=2))
    assert [r.status for r in results] == STATUSES
    for result, expected in zip(results, local):
        if expected.ok:
            audio, rate = result.arrays["AudioFileSink_3"]
            reference, _ = sf.read(expected.outputs[0], dtype="float32")  # written as 16-bit PCM
            assert rate == 16000 and audio.shape == (1, len(reference))
            np.testing.assert_allclose(audio[0], reference, rtol=0, atol=1.01 / 32768)
    peers = connections(server.stop())
    assert len(set(peers)) <= len(client.scheduler_info()["workers"]) < len(peers), peers


def test_dask_unreachable_remote_fails_each_file_naming_node_and_address(tmp_path: Path, client, corpus) -> None:
    files, _ = corpus
    address = f"127.0.0.1:{free_port()}"
    workers_before = client.run(lambda: __import__("os").getpid())
    results = within(lambda: process_files(remote_manifest(address), files, tmp_path / "out", client=client,
                                           chunk_size=2, progress=False))
    assert [r.status for r in results] == ["failed"] * len(files)
    good = [r.error for r in results if not r.input.endswith("clip2.wav")]
    check_unreachable(good, address, "AudioResampleNode_2")
    assert client.run(lambda: __import__("os").getpid()) == workers_before  # no worker died or restarted


# ---- Ray Data ----


def test_ray_tasks_through_a_remote_node_match_local(tmp_path: Path, ray_local, corpus, server) -> None:
    files, local = corpus
    batches = RemoteMediaBatches(remote_manifest(server.address), out_dir=str(tmp_path / "ray"))
    ds = ray.data.from_items([{"path": str(f)} for f in files])
    rows = within(lambda: ds.map_batches(batches, batch_format="numpy", batch_size=2, num_cpus=0.5).take_all())
    by_name = {Path(row["path"]).name: row for row in rows}
    assert [by_name[f.name]["status"] for f in files] == STATUSES
    for result in local:
        if result.ok:
            [written] = by_name[Path(result.input).name]["outputs"].split("\n")
            assert Path(written).read_bytes() == Path(result.outputs[0]).read_bytes()
    peers = connections(server.stop())
    assert len(peers) >= 5 and len(set(peers)) < len(peers), peers


def test_ray_actors_unreachable_remote_gives_error_rows(ray_local, corpus) -> None:
    files, _ = corpus
    address = f"127.0.0.1:{free_port()}"
    ds = ray.data.from_items([{"path": str(f)} for f in files])
    rows = within(lambda: ds.map_batches(RemoteMediaStage, fn_constructor_kwargs={"pipeline": remote_manifest(address)},
                                         batch_format="numpy", batch_size=2, num_cpus=0.5,
                                         compute=ray.data.ActorPoolStrategy(size=2)).take_all())
    assert sorted(row["status"] for row in rows) == ["failed"] * len(files)
    check_unreachable([row["error"] for row in rows if not row["path"].endswith("clip2.wav")], address,
                      "AudioResampleNode_2")
    assert all(row["audio"].shape == (1, 0) for row in rows)
