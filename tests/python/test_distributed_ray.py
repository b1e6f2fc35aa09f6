"""remotemedia.distributed.RemoteMediaStage on Ray Data (local, 2 CPUs, no
dashboard): read_audio rows, read_binary_files bytes and a column of paths
through two actors; outputs identical to rmrun --batch; a corrupt file is
an error row while the rest complete."""

from __future__ import annotations

import pickle
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

ray = pytest.importorskip("ray")

from remotemedia.batch import process_files as local_process_files  # noqa: E402
from remotemedia.distributed import RemoteMediaStage  # noqa: E402

from distributed_engines import ray_local  # noqa: E402,F401 - a fixture
from test_batch import RMRUN, _corpus, _pipeline  # noqa: E402

pytestmark = pytest.mark.skipif(RMRUN is None, reason="the stage needs the native runtime (build it)")

# Two actors of half a CPU each: with num_cpus=2 the read tasks keep a CPU.
ACTORS = {"batch_format": "numpy", "num_cpus": 0.5, "batch_size": 2}


def actors() -> dict:
    return dict(ACTORS, compute=ray.data.ActorPoolStrategy(size=2))


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    """5 clips (the third corrupt) and what rmrun --batch makes of them."""
    tmp = tmp_path_factory.mktemp("ray")
    files = _corpus(tmp, n=5, bad_index=2)
    pipeline = _pipeline()
    local = local_process_files(pipeline, files, tmp / "rmrun", workers=2, progress=False, native=True)
    assert [r.status for r in local] == ["ok", "ok", "failed", "ok", "ok"]
    return tmp, files, pipeline.serialize(), local


def test_binary_files_to_files_match_rmrun_batch(ray_local, corpus) -> None:
    tmp, files, manifest, local = corpus
    ds = ray.data.read_binary_files([str(f) for f in files], include_paths=True)
    rows = ds.map_batches(RemoteMediaStage, fn_constructor_kwargs={"pipeline": manifest, "out_dir": str(tmp / "ray")},
                          **actors()).take_all()
    by_name = {Path(row["path"]).name: row for row in rows}
    assert [by_name[f.name]["status"] for f in files] == ["ok", "ok", "failed", "ok", "ok"]
    bad = by_name["clip2.wav"]
    assert "AudioFileSource" in bad["error"] and bad["outputs"] == ""
    for result in local:
        if result.ok:
            [written] = by_name[Path(result.input).name]["outputs"].split("\n")
            assert Path(written).name == Path(result.outputs[0]).name
            assert Path(written).read_bytes() == Path(result.outputs[0]).read_bytes()


def test_paths_column_to_arrays_with_an_error_row(ray_local, corpus) -> None:
    tmp, files, manifest, local = corpus
    ds = ray.data.from_items([{"path": str(f)} for f in files])
    rows = ds.map_batches(RemoteMediaStage, fn_constructor_kwargs={"pipeline": manifest}, **actors()).take_all()
    rows.sort(key=lambda row: row["path"])
    assert [row["status"] for row in rows] == ["ok", "ok", "failed", "ok", "ok"]
    assert rows[2]["error"] and rows[2]["audio"].shape == (1, 0) and rows[2]["audio_rate"] == 0
    for row, result in zip(rows, local):
        if result.ok:
            reference, _ = sf.read(result.outputs[0], dtype="float32")  # 16-bit PCM on disk
            assert row["audio_rate"] == 16000 and row["error"] == ""
            np.testing.assert_allclose(row["audio"][0], reference, rtol=0, atol=1.01 / 32768)


def test_read_audio_rows(ray_local, corpus) -> None:
    tmp, files, manifest, local = corpus
    good = [str(f) for f, r in zip(files, local) if r.ok]
    ds = ray.data.read_audio(good, include_paths=True)  # amplitude (channels, frames) + sample_rate
    rows = ds.map_batches(RemoteMediaStage, fn_constructor_kwargs={"pipeline": manifest}, **actors()).take_all()
    assert sorted(row["path"] for row in rows) == sorted(good)
    expected = {r.input: r for r in local}
    for row in rows:
        assert row["status"] == "ok" and "amplitude" not in row
        reference, _ = sf.read(expected[row["path"]].outputs[0], dtype="float32")
        np.testing.assert_allclose(row["audio"][0], reference, rtol=0, atol=1.01 / 32768)


def test_a_batch_without_a_known_column_says_which_it_needs() -> None:
    stage = RemoteMediaStage(_pipeline())
    with pytest.raises(KeyError, match="none of the columns amplitude"):
        stage({"x": np.array([1, 2])})
    with pytest.raises(KeyError, match="no 'sample_rate' column"):
        RemoteMediaStage(_pipeline(), column="pcm")({"pcm": np.zeros((1, 1, 8), np.float32)})


def test_batches_travel_unbuilt_and_build_once_per_process(corpus) -> None:
    """RemoteMediaBatches (the task form) pickles as its manifest, builds
    nothing where it is made, and builds the stage on its first batch in a
    process: later copies of the same pipeline (later tasks, later runs)
    find it built."""
    from remotemedia.distributed import RemoteMediaBatches
    from remotemedia.distributed.stage import built_stages

    tmp, files, manifest, local = corpus
    batches = RemoteMediaBatches(manifest, threads=3)  # options of its own: a stage no other test built
    before = built_stages()
    copies = [pickle.loads(pickle.dumps(batches)) for _ in range(2)]
    assert built_stages() == before
    good = [str(f) for f, r in zip(files, local) if r.ok]
    for copy in copies:
        out = copy({"path": np.array(good)})
        assert list(out["status"]) == ["ok"] * len(good) and list(out["audio_rate"]) == [16000] * len(good)
    assert built_stages() == before + 1


def test_batches_parse_the_manifest_once_where_they_are_made(monkeypatch, corpus) -> None:
    """The stage's parse gives the sinks the output columns are named
    after; the batch function does not parse the manifest again."""
    from remotemedia.distributed import RemoteMediaBatches
    from remotemedia.distributed.plan import Plan

    parses = []
    parse = Plan.__init__

    def counted(self, text: str) -> None:
        parses.append(text)
        parse(self, text)

    monkeypatch.setattr(Plan, "__init__", counted)
    tmp, files, manifest, local = corpus
    batches = RemoteMediaBatches(manifest)
    assert len(parses) == 1
    assert batches.stage.sink_ids == ["AudioFileSink_3"] and batches.stage.other_sink_ids == []


def test_tasks_match_actors(ray_local, corpus) -> None:
    from remotemedia.distributed import RemoteMediaBatches

    tmp, files, manifest, local = corpus
    ds = ray.data.from_items([{"path": str(f)} for f in files])
    by_tasks = ds.map_batches(RemoteMediaBatches(manifest), batch_format="numpy", num_cpus=0.5,
                              batch_size=2).take_all()
    by_actors = ds.map_batches(RemoteMediaStage, fn_constructor_kwargs={"pipeline": manifest}, **actors()).take_all()
    by_tasks.sort(key=lambda row: row["path"])
    by_actors.sort(key=lambda row: row["path"])
    assert [row["status"] for row in by_tasks] == ["ok", "ok", "failed", "ok", "ok"]
    assert [row["error"] for row in by_tasks] == [row["error"] for row in by_actors]
    for a, b in zip(by_tasks, by_actors):
        np.testing.assert_array_equal(a["audio"], b["audio"])
