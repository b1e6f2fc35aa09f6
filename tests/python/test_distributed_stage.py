"""remotemedia.distributed.NativeStage in this process: the same outputs as
rmrun --batch (byte for byte), arrays and encoded bytes in, per-item
errors, retries by the pipeline's policy, pickling without native state."""

from __future__ import annotations

import json
import pickle
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import soundfile as sf

from remotemedia import Node, Pipeline
from remotemedia.core.exceptions import ConfigurationError, PipelineError, TransientError
from remotemedia.distributed import NativeStage
from remotemedia.distributed import stage as stage_module
from remotemedia.nodes import AudioFileSink, AudioFileSource

from test_batch import RMRUN, _corpus, _pipeline, trim_manifest

pytestmark = pytest.mark.skipif(RMRUN is None, reason="the stage needs the native runtime (build it)")


def segments_manifest() -> dict:
    """read -> mono -> 16 kHz -> segmenter: speech audio to a file sink,
    the segments (port 0) to a second, non-file sink (the .json output)."""
    # 16-bit PCM: a float WAV carries libsndfile's PEAK chunk, whose
    # timestamp (seconds) differs between two runs a second apart.
    manifest = trim_manifest(0.5, subtype="pcm16")
    manifest["nodes"].append({"id": "segments", "node_type": "PassThroughNode", "params": {}})
    manifest["connections"].append({"from": "speech", "from_port": 0, "to": "segments"})
    return manifest


def rmrun_batch(tmp: Path, manifest: dict, files: list, out: Path) -> None:
    (tmp / "m.json").write_text(json.dumps(manifest))
    (tmp / "list.txt").write_text("".join(f"{f}\n" for f in files))
    subprocess.run([RMRUN, str(tmp / "m.json"), "--batch", f"@{tmp / 'list.txt'}", "--out", str(out), "-j", "2",
                    "--no-progress", "-q"], check=False, timeout=120)


def test_files_match_rmrun_batch_byte_for_byte(tmp_path: Path) -> None:
    files = _corpus(tmp_path, n=4, bad_index=2)
    manifest = segments_manifest()
    rmrun_batch(tmp_path, manifest, files, tmp_path / "rmrun")
    results = NativeStage(manifest, out_dir=str(tmp_path / "stage"))(files)
    assert [r.status for r in results] == ["ok", "ok", "failed", "ok"]
    bad = results[2]
    assert "AudioFileSource" in bad.error and "clip2.wav" in bad.error and bad.error.endswith("[EIO]")
    expected = sorted(p.name for p in (tmp_path / "rmrun").iterdir() if not p.name.startswith(("batch-", ".")))
    written = sorted(Path(p).name for r in results for p in r.outputs)
    assert written == expected and "clip1.wav" in written and "clip1.json" in written
    for name in expected:
        assert (tmp_path / "stage" / name).read_bytes() == (tmp_path / "rmrun" / name).read_bytes(), name
    assert results[1].audio_s == pytest.approx(1.25)


def test_outputs_are_what_this_run_wrote(tmp_path: Path) -> None:
    """An input that became silent (no frames: its sink writes no file)
    lists no output, though an earlier run's file is still there (as
    rmrun's report's "written")."""
    clip = tmp_path / "clip.wav"
    sf.write(clip, np.full((8000, 1), 0.1, dtype=np.float32), 16000)
    stage = NativeStage(_pipeline(), out_dir=str(tmp_path / "out"))
    [first] = stage([clip])
    assert first.status == "ok" and [Path(p).name for p in first.outputs] == ["clip.wav"]
    sf.write(clip, np.zeros((0, 1), dtype=np.float32), 16000)
    [again] = stage([clip])
    assert again.status == "ok" and again.outputs == [], again
    assert (tmp_path / "out" / "clip.wav").exists()


def test_arrays_and_bytes_in_arrays_out(tmp_path: Path) -> None:
    files = _corpus(tmp_path, n=2, bad_index=-1)
    manifest = segments_manifest()
    rmrun_batch(tmp_path, manifest, files, tmp_path / "rmrun")
    samples, rate = sf.read(files[1], dtype="float32", always_2d=True)
    stage = NativeStage(manifest)
    from_array, from_bytes, bad = stage([(samples.T, rate), files[1].read_bytes(), b"not audio"],
                                        names=[None, "clip1", None])
    assert from_array.status == from_bytes.status == "ok" and from_array.outputs == []
    expected, _ = sf.read(tmp_path / "rmrun" / "clip1.wav", dtype="float32")  # 16-bit PCM on disk
    for result in (from_array, from_bytes):
        audio, out_rate = result.arrays["write"]
        assert out_rate == 16000 and audio.dtype == np.float32 and audio.shape == (1, len(expected))
        np.testing.assert_allclose(audio[0], expected, rtol=0, atol=1.01 / 32768)
        assert result.arrays["segments"][-1].get("final") is True
    # the array pushed in the source's chunks = the file read by the source
    np.testing.assert_array_equal(from_array.arrays["write"][0], from_bytes.arrays["write"][0])
    assert from_array.audio_s == pytest.approx(1.25) and from_bytes.input == "clip1"
    assert bad.status == "failed" and bad.input == "item 2" and "<item 2: encoded bytes>" in bad.error
    assert not any(Path(stage_module._engines[stage.token].temp_dir()).iterdir())  # temporaries removed


def test_bad_items_fail_alone_with_the_reason(tmp_path: Path) -> None:
    files = _corpus(tmp_path, n=1, bad_index=-1)
    stage = NativeStage(trim_manifest(0.5))
    results = stage([(np.zeros(10, np.float32), 0), 42, (np.zeros((2, 2, 2), np.float32), 8000), files[0]])
    assert [r.status for r in results] == ["failed", "failed", "failed", "ok"]
    assert "sample_rate" in results[0].error and "got rate 0" in results[0].error
    assert "expected a file path, encoded audio bytes or (samples, sample_rate); got int" in results[1].error
    assert "of shape (2, 2, 2)" in results[2].error
    with pytest.raises(ValueError, match="2 items but 1 names"):
        stage([files[0], files[0]], names=["a"])


def test_int16_mono_array_is_read_as_the_source_would(tmp_path: Path) -> None:
    manifest = {"version": "v1", "nodes": [
        {"id": "read", "node_type": "AudioFileSource", "params": {"path": "x.wav", "chunk_seconds": 0.25}},
        {"id": "out", "node_type": "AudioFileSink", "params": {"path": "x.wav"}}]}
    pcm = (np.arange(4000, dtype=np.int16) - 2000) * 8
    [result] = NativeStage(manifest)([(pcm, 8000)])
    audio, rate = result.arrays["out"]
    assert rate == 8000 and audio.shape == (1, 4000)
    np.testing.assert_array_equal(audio[0], pcm.astype(np.float32) / 32768)


class FailsTwice(Node):
    """Raises TransientError on the first two calls (in this process), then
    passes items on; ``calls`` counts every call."""

    calls = 0

    def process(self, data: Any) -> Any:
        type(self).calls += 1
        if type(self).calls <= 2:
            raise TransientError(f"injected failure {type(self).calls}")
        return data


class AlwaysTransient(Node):
    def process(self, data: Any) -> Any:
        raise TransientError("the service is down")


def _python_pipeline(node: Node) -> Pipeline:
    return Pipeline([AudioFileSource("x.wav", chunk_seconds=5.0), node, AudioFileSink("x.wav")])


def test_transient_failures_are_retried_by_the_pipeline_policy(tmp_path: Path) -> None:
    files = _corpus(tmp_path, n=2, bad_index=-1)
    FailsTwice.calls = 0
    stage = NativeStage(_python_pipeline(FailsTwice(retry={"max_retries": 3, "initial_delay_ms": 1})),
                        out_dir=str(tmp_path / "out"))
    assert [r.status for r in stage(files)] == ["ok", "ok"]
    assert FailsTwice.calls == 4  # two failures retried, then one call per file
    down = NativeStage(_python_pipeline(AlwaysTransient(retry={"max_retries": 1, "initial_delay_ms": 1})))
    [result] = down([files[0]])
    assert result.status == "failed" and result.transient
    assert "the service is down" in result.error and "transient" in result.error


def test_allow_python_false_refuses_python_nodes(tmp_path: Path) -> None:
    files = _corpus(tmp_path, n=1, bad_index=-1)
    [result] = NativeStage(_python_pipeline(FailsTwice()), allow_python=False)([files[0]])
    assert result.status == "failed" and "python" in result.error.lower() and "EVALIDATE" in result.error


def test_pickles_as_manifest_and_builds_once_per_process(tmp_path: Path) -> None:
    files = _corpus(tmp_path, n=2, bad_index=-1)
    stage = NativeStage(_pipeline(), out_dir=str(tmp_path / "out"), threads=2)
    before = stage_module.built_stages()
    stage([files[0]])
    engine = stage_module._engines[stage.token]
    copy = pickle.loads(pickle.dumps(stage))
    assert set(vars(copy)) == {"manifest", "sink_ids", "other_sink_ids", "outputs", "out_dir", "threads", "resume",
                               "allow_python", "token"}
    results = copy(files)  # threads=2: both at once
    assert [r.status for r in results] == ["ok", "ok"]
    assert stage_module._engines[copy.token] is engine and stage_module.built_stages() == before + 1
    resumed = NativeStage(_pipeline(), out_dir=str(tmp_path / "out"), resume=True)(files)
    assert [r.status for r in resumed] == ["skipped", "skipped"]


def test_bad_stage_arguments_are_refused_up_front() -> None:
    with pytest.raises(PipelineError, match="the manifest is not JSON"):
        NativeStage("{not json")
    with pytest.raises(PipelineError, match="no AudioFileSource"):
        NativeStage({"version": "v1", "nodes": [{"id": "a", "node_type": "PassThroughNode"}]})
    with pytest.raises(ValueError, match="needs out_dir"):
        NativeStage(trim_manifest(0.5), outputs="files")
    with pytest.raises(ValueError, match="threads must be an int >= 1, got 0"):
        NativeStage(trim_manifest(0.5), threads=0)
    with pytest.raises(ConfigurationError, match="__main__"):
        manifest = trim_manifest(0.5)
        manifest["nodes"][1]["python"] = {"module": "__main__", "class": "Mine"}
        NativeStage(manifest)


def test_importing_the_stage_imports_neither_dask_nor_ray(subprocess_env) -> None:
    """A Ray worker (or any process running a stage) does not pay for
    importing Dask (~0.2-0.3 s), nor a Dask worker for Ray."""
    code = ("import sys\n"
            "from remotemedia.distributed import NativeStage, RemoteMediaBatches, RemoteMediaStage, process_files\n"
            "print(sorted(m for m in ('distributed', 'dask', 'ray') if m in sys.modules))\n")
    done = subprocess.run([sys.executable, "-c", code], env=subprocess_env, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
