"""remotemedia.distributed on a dask LocalCluster (2 worker processes on
127.0.0.1) gives the same outputs as the local batch."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

pytest.importorskip("dask.distributed")

from remotemedia.batch import process_files as local_process_files  # noqa: E402
from remotemedia.distributed import process_files  # noqa: E402

from test_batch import RMRUN, _corpus, _pipeline  # noqa: E402


@pytest.fixture(scope="module")
def client():
    from dask.distributed import Client, LocalCluster

    env = {}
    if os.environ.get("REMOTEMEDIA_RMRUN"):
        env["REMOTEMEDIA_RMRUN"] = os.environ["REMOTEMEDIA_RMRUN"]
    with LocalCluster(n_workers=2, processes=True, threads_per_worker=1, host="127.0.0.1",
                      dashboard_address=None, env=env) as cluster, Client(cluster) as c:
        yield c


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
    assert (tmp_path / "dask" / "batch-report.json").exists()
    if native is None and RMRUN is not None:
        assert remote[0].audio_s == pytest.approx(1.0)
