"""remotemedia.distributed on a dask LocalCluster (2 worker processes on
127.0.0.1): the in-process stage gives the same outputs as the local
batch, is built once per worker, and takes arrays as well as files."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

pytest.importorskip("dask.distributed")

from remotemedia.batch import process_files as local_process_files  # noqa: E402
from remotemedia.distributed import NativeStage, RemoteMediaPlugin, map_items, process_files  # noqa: E402
from remotemedia.distributed.stage import built_stages  # noqa: E402

from distributed_engines import client  # noqa: E402,F401 - a fixture
from test_batch import RMRUN, _corpus, _pipeline  # noqa: E402

needs_native = pytest.mark.skipif(RMRUN is None, reason="the stage needs the native runtime (build it)")


@pytest.mark.parametrize("native", [pytest.param(None, id="native-if-available"), pytest.param(False, id="python")])
def test_dask_matches_local_batch(tmp_path: Path, client, native) -> None:
    files = _corpus(tmp_path, n=6, bad_index=3)
    local = local_process_files(_pipeline(), files, tmp_path / "local", workers=2, progress=False, native=native)
    remote = process_files(_pipeline(), files, tmp_path / "dask", client=client, chunk_size=2, progress=False,
                           native=native)
    assert [r.status for r in remote] == [r.status for r in local] == ["ok", "ok", "ok", "failed", "ok", "ok"]
    assert "AudioFileSource" in remote[3].error
    for a, b in zip(local, remote):
        if a.status != "ok":
            continue
        assert [Path(p).name for p in a.outputs] == [Path(p).name for p in b.outputs]
        assert Path(a.outputs[0]).read_bytes() == Path(b.outputs[0]).read_bytes()
    # both workers took part (chunks of 2 over 2 processes)
    assert len(client.scheduler_info()["workers"]) == 2
    report = json.loads((tmp_path / "dask" / "batch-report.json").read_text())
    assert report["failed"] == 1
    if native is None and RMRUN is not None:
        assert report["runtime"] == "dask"  # the stage, not rmrun (local is rmrun --batch itself)
        assert remote[0].audio_s == pytest.approx(1.0)


@needs_native
def test_stage_is_built_once_per_worker_and_tasks_are_named(tmp_path: Path, client) -> None:
    from dask.distributed import get_task_stream
    from dask.utils import key_split

    files = _corpus(tmp_path, n=8, bad_index=-1)
    # threads=2: a stage of its own (not the one the test above built)
    stage = NativeStage(_pipeline(), out_dir=str(tmp_path / "out"), threads=2)
    before = client.run(built_stages)
    client.register_plugin(RemoteMediaPlugin(stage))  # builds it on both workers now
    after_plugin = client.run(built_stages)
    assert all(after_plugin[w] == before[w] + 1 for w in before)
    with get_task_stream(client) as stream:  # what the dashboard's task stream shows
        results = process_files(_pipeline(), files, tmp_path / "out", client=client, chunk_size=1, progress=False,
                                threads_per_task=2)
    assert all(r.status == "ok" for r in results)
    assert client.run(built_stages) == after_plugin  # 8 tasks, no new build
    assert [key_split(task["key"]) for task in stream.data] == ["remotemedia-files"] * 8


@needs_native
def test_map_items_takes_arrays_and_returns_arrays(tmp_path: Path, client) -> None:
    files = _corpus(tmp_path, n=3, bad_index=1)
    local = local_process_files(_pipeline(), files, tmp_path / "local", workers=2, progress=False)
    items = []
    for path in files:
        try:
            samples, rate = sf.read(path, dtype="float32", always_2d=True)
            items.append((np.ascontiguousarray(samples.T), rate))
        except sf.LibsndfileError:
            items.append(Path(path).read_bytes())  # the corrupt file, as bytes
    results = map_items(NativeStage(_pipeline()), items, client=client, chunk_size=1)
    assert [r.status for r in results] == ["ok", "failed", "ok"]
    assert "AudioFileSource" in results[1].error
    for result, expected in zip(results, local):
        if result.ok:
            audio, rate = result.arrays["AudioFileSink_3"]
            reference, _ = sf.read(expected.outputs[0], dtype="float32")  # written as 16-bit PCM
            assert rate == 16000 and audio.shape == (1, len(reference))
            np.testing.assert_allclose(audio[0], reference, rtol=0, atol=1.01 / 32768)


@needs_native
def test_allow_python_false_refuses_python_nodes_on_the_workers(tmp_path: Path, client) -> None:
    files = _corpus(tmp_path, n=2, bad_index=-1)
    manifest = {"version": "v1", "nodes": [
        {"id": "read", "node_type": "AudioFileSource", "params": {"path": "x.wav"}},
        {"id": "evil", "node_type": "Anything", "params": {}, "python": {"module": "os", "class": "system"}},
        {"id": "write", "node_type": "AudioFileSink", "params": {"path": "x.wav"}}]}
    results = process_files(manifest, files, tmp_path / "out", client=client, progress=False, allow_python=False)
    assert [r.status for r in results] == ["failed", "failed"]
    assert all("nodes[1].python" in r.error and "would run Python code" in r.error for r in results), results[0].error
