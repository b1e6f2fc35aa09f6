"""remotemedia.distributed side by side (issue #18). One command:

    .venv/bin/python bench/distributed/bench_distributed.py [--tiny 500] [--files 48] [--seconds 10]
                                                           [--repeats 3] [--big-gb 2.0]
                                                           [--sections 1,2,3,4,5]

1. Per-file overhead, 500 files of 0.1 s (48 kHz stereo -> 16 kHz mono WAV),
   interleaved per repeat, medians:
     rmrun --batch -j 1             the same work in one native thread (the floor)
     NativeStage, this process      the stage over all files on one thread
     rmrun --batch -j 2             local, two threads
     Dask 2 workers, stage          process_files (in-process stage per worker)
     Dask 2 workers, subprocess     the old path: one `rmrun --batch` per chunk
                                    (bench-local copy of the removed task)
   The stage's overhead per file = its ms/file - rmrun -j 1's ms/file.
2. Throughput, 48 x 10 s files (48 kHz stereo -> mono -> 16 kHz ->
   SpeechSegmenter: speech audio to a WAV + the segments to <stem>.json):
   rmrun --batch -j 2, Dask (2 workers, 1 thread each) and Ray Data with 2
   actors (RemoteMediaStage: a column of paths, files out); ratio = time /
   rmrun's. Ray Data starts its actors per dataset run: a run of 4x the
   files, against rmrun's, gives the rate without that fixed cost.
   2b. Ray Data tasks (RemoteMediaBatches, the same) run after run against
   rmrun --batch -j 2: the first run, and the later ones, whose Ray worker
   processes kept the stage.
3. Peak RSS of one worker process (a fresh Python running the stage on one
   file) while streaming a big WAV through the pipeline of 2.
4. What a fresh worker process spends before its first item (startup_cost.py).
5. A RemoteNode pipeline: one gRPC channel per process against one per
   file (remote_channel.py).

Dask runs a LocalCluster (processes, loopback, no dashboard); Ray runs
`ray.init(num_cpus=2)`. Both clusters are started once, outside the timing.
"""

from __future__ import annotations

import argparse
import functools
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# The installed SDK first: bench_batch puts the source tree's python/ on
# sys.path (no native runtime there).
from remotemedia import batch as _batch  # noqa: E402
from remotemedia.distributed import NativeStage, RemoteMediaPlugin, process_files  # noqa: E402
from remotemedia.distributed import ray_engine  # noqa: E402,F401

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tests" / "python"))
sys.path.insert(0, str(REPO / "bench" / "batch"))
sys.path.insert(0, str(REPO / "bench" / "distributed"))

from bench_batch import make_files  # noqa: E402
from interleave import interleaved  # noqa: E402
import remote_channel  # noqa: E402
import startup_cost  # noqa: E402
from test_batch import speechlike_block, trim_manifest, write_wav  # noqa: E402

# ... and off it again: Dask's worker processes start with this sys.path.
while str(REPO / "python") in sys.path:
    sys.path.remove(str(REPO / "python"))



def resample_manifest() -> dict:
    return {"version": "v1", "nodes": [
        {"id": "read", "node_type": "AudioFileSource", "params": {"path": "in.wav"}},
        {"id": "mono", "node_type": "FormatConverterNode", "params": {"target_format": "f32", "channels": 1}},
        {"id": "resample", "node_type": "AudioResampleNode", "params": {"target_sample_rate": 16000}},
        {"id": "write", "node_type": "AudioFileSink", "params": {"path": "out.wav"}}]}


def segments_manifest() -> dict:
    manifest = trim_manifest(1.0, subtype="pcm16")
    manifest["nodes"].append({"id": "segments", "node_type": "PassThroughNode", "params": {}})
    manifest["connections"].append({"from": "speech", "from_port": 0, "to": "segments"})
    return manifest


def rmrun_batch(rmrun: str, manifest: Path, files: list, out: Path, jobs: int, work: Path) -> None:
    listing = work / "list.txt"
    listing.write_text("".join(f"{f}\n" for f in files))
    subprocess.run([rmrun, str(manifest), "--batch", f"@{listing}", "--out", str(out), "-j", str(jobs),
                    "--no-progress", "-q"], check=True)


def old_subprocess_chunk(rmrun: str, text: str, files: list, out: str) -> int:
    """The task the old remotemedia.distributed ran: rmrun --batch per chunk."""
    results = _batch.run_native(rmrun, text, files, out, 1)
    return sum(r.status == "ok" for r in results)


def old_subprocess_path(client, rmrun: str, text: str, files: list, out: Path) -> None:
    slots = sum(client.nthreads().values())
    size = max(1, -(-len(files) // (4 * slots)))  # its default chunking
    chunks = [[str(f) for f in files[i:i + size]] for i in range(0, len(files), size)]
    futures = client.map(old_subprocess_chunk, [rmrun] * len(chunks), [text] * len(chunks), chunks,
                         [str(out)] * len(chunks), pure=False)
    assert sum(f.result() for f in futures) == len(files)


def ray_paths(files: list, manifest: dict, out: Path) -> None:
    import ray

    from remotemedia.distributed import RemoteMediaStage

    ds = ray.data.from_items([{"path": str(f)} for f in files])
    rows = ds.map_batches(RemoteMediaStage, fn_constructor_kwargs={"pipeline": manifest, "out_dir": str(out)},
                          batch_format="numpy", compute=ray.data.ActorPoolStrategy(size=2), num_cpus=0.5,
                          batch_size=4).take_all()
    assert all(row["status"] == "ok" for row in rows), [row["error"] for row in rows if row["error"]][:3]


def ray_tasks(files: list, manifest: dict, out: Path) -> None:
    """The task form, in 4 batches (a task costs Ray tens of ms: with files
    this quick, more batches cost more than they spread)."""
    import ray

    from remotemedia.distributed import RemoteMediaBatches

    ds = ray.data.from_items([{"path": str(f)} for f in files])
    rows = ds.map_batches(RemoteMediaBatches(manifest, out_dir=str(out)), batch_format="numpy",
                          batch_size=max(1, len(files) // 4)).take_all()
    assert all(row["status"] == "ok" for row in rows), [row["error"] for row in rows if row["error"]][:3]


def _vm(key: str) -> float:
    with open("/proc/self/status") as f:
        return next(int(line.split()[1]) / 1024 for line in f if line.startswith(key))


def all_ok(results: list) -> None:
    failed = [r for r in results if not r.ok]
    assert not failed, f"{len(failed)} failed, e.g. {failed[0].error}"


def timed(fn, *args) -> float:
    start = time.perf_counter()
    fn(*args)
    return time.perf_counter() - start


def timed_runs(runners: dict, repeats: int, out: Path, *clear: Path) -> dict:
    """interleaved() runs of ``runners`` (each called with ``out``), timed
    around the call; ``out`` and ``clear`` emptied before each run,
    outside the timing."""
    def empty(name: str) -> None:
        for folder in (out, *clear):
            shutil.rmtree(folder, ignore_errors=True)

    return interleaved({name: functools.partial(timed, run, out) for name, run in runners.items()}, repeats,
                       before=empty)


def table(title: str, rows: dict, per: int, unit: str, base: str, scale: dict = {}) -> None:
    """``per``: files (ms/file) or audio seconds (x realtime) of a run;
    ``scale``: runs of that many times more."""
    print(f"\n{title}\n")
    print(f"| runner | median s | {unit} | vs {base} |")
    print("|---|---|---|---|")
    base_med = statistics.median(rows[base])
    for name, times in rows.items():
        med = statistics.median(times)
        amount = per * scale.get(name, 1)
        value = med / amount * 1e3 if unit == "ms/file" else amount / med
        print(f"| {name} | {med:.3f} | {value:.2f} | {med / base_med:.2f}x |")


PEAK_CHILD = r"""
import json, sys
from remotemedia.distributed import NativeStage
def vm(key):
    for line in open("/proc/self/status"):
        if line.startswith(key):
            return int(line.split()[1]) / 1024
stage = NativeStage(json.loads(sys.argv[1]), out_dir=sys.argv[3]).build()
before = vm("VmRSS:")
[r] = stage([sys.argv[2]])
print(json.dumps({"status": r.status, "error": r.error, "before_mb": before, "peak_mb": vm("VmHWM:"),
                  "audio_s": r.audio_s, "wall_s": r.wall_s}))
"""


def per_file_overhead(args, rmrun: str, work: Path, client) -> None:
    """1. Per-file overhead (the module doc)."""
    tiny = make_files(work / "tiny", args.tiny, 0.1)
    manifest = resample_manifest()
    mpath = work / "resample.json"
    mpath.write_text(json.dumps(manifest))
    text = json.dumps(manifest)
    stage = NativeStage(manifest, out_dir=str(work / "o-stage")).build()
    all_ok(process_files(manifest, tiny[:4], work / "o-warm", client=client, progress=False))  # build on workers
    runners = {
        "rmrun --batch -j 1": lambda o: rmrun_batch(rmrun, mpath, tiny, o, 1, work),
        "NativeStage, 1 thread, in this process": lambda o: all_ok(stage(tiny)),
        "rmrun --batch -j 2": lambda o: rmrun_batch(rmrun, mpath, tiny, o, 2, work),
        "Dask 2 workers, in-process stage": lambda o: all_ok(process_files(manifest, tiny, o, client=client,
                                                                          progress=False)),
        "Dask 2 workers, rmrun subprocess per chunk (old)": lambda o: old_subprocess_path(client, rmrun, text,
                                                                                        tiny, o),
    }
    times = timed_runs(runners, args.repeats, work / "o-tiny", work / "o-stage")
    table(f"Per file, {args.tiny} files of 0.1 s (48 kHz stereo -> 16 kHz mono WAV)", times, args.tiny,
          "ms/file", "rmrun --batch -j 1")
    # Per file as each runner times it: rmrun's report (compile + run),
    # the stage's ItemResult.wall_s (the same plus its Python side).
    shutil.rmtree(work / "o-one", ignore_errors=True)
    rmrun_batch(rmrun, mpath, tiny, work / "o-one", 1, work)
    report = json.loads((work / "o-one" / "batch-report.json").read_text())
    native_ms = statistics.median(f["wall_s"] for f in report["files"]) * 1e3
    shutil.rmtree(work / "o-stage", ignore_errors=True)
    stage_ms = statistics.median(r.wall_s for r in stage(tiny)) * 1e3
    print(f"\nper file, median: rmrun -j 1 {native_ms:.3f} ms, NativeStage {stage_ms:.3f} ms: "
          f"the stage adds {stage_ms - native_ms:.3f} ms per file")



def throughput(args, rmrun: str, work: Path, client) -> None:
    """2. Throughput of the engines against rmrun --batch -j 2."""
    files = make_files(work / "big10", args.files, args.seconds)
    more = make_files(work / "big10x4", 4 * args.files, args.seconds)
    manifest = segments_manifest()
    mpath = work / "segments.json"
    mpath.write_text(json.dumps(manifest))
    all_ok(process_files(manifest, files[:2], work / "o-warm2", client=client, progress=False))
    ray_paths(files[:2], manifest, work / "o-warm3")
    runners = {
        "rmrun --batch -j 2": lambda o: rmrun_batch(rmrun, mpath, files, o, 2, work),
        "Dask 2 workers (process_files)": lambda o: all_ok(process_files(manifest, files, o, client=client,
                                                                        progress=False)),
        "Ray Data 2 actors (paths -> files)": lambda o: ray_paths(files, manifest, o),
        f"rmrun --batch -j 2, {4 * args.files} files": lambda o: rmrun_batch(rmrun, mpath, more, o, 2, work),
        f"Ray Data 2 actors, {4 * args.files} files": lambda o: ray_paths(more, manifest, o),
    }
    times = timed_runs(runners, args.repeats, work / "o-big")
    table(f"Throughput, {args.files} x {args.seconds:g} s (48 kHz stereo -> 16 kHz mono + segments)", times,
          int(args.files * args.seconds), "x realtime", "rmrun --batch -j 2",
          {name: 4 for name in runners if f"{4 * args.files} files" in name})
    # Ray Data starts its actor pool per dataset run: the extra files of
    # the 4x run against rmrun's extra time for them (the fixed costs
    # cancel out).
    med = {name: statistics.median(ts) for name, ts in times.items()}
    ray_extra = med[f"Ray Data 2 actors, {4 * args.files} files"] - med["Ray Data 2 actors (paths -> files)"]
    rmrun_extra = med[f"rmrun --batch -j 2, {4 * args.files} files"] - med["rmrun --batch -j 2"]
    print(f"\nWithout the fixed start-up (the {3 * args.files} files more of the 4x run): Ray Data "
          f"{ray_extra:.3f} s, rmrun --batch -j 2 {rmrun_extra:.3f} s: {ray_extra / rmrun_extra:.2f}x")
    ray_runs_in_a_row(args, rmrun, mpath, manifest, files, work)


def ray_runs_in_a_row(args, rmrun: str, mpath: Path, manifest: dict, files: list, work: Path) -> None:
    """2b. Ray Data tasks (RemoteMediaBatches) run after run in one Ray
    session, interleaved with rmrun only: an actor run in between takes
    Ray's idle worker processes for its actors (and they die with them),
    so the next task run would start cold again. The first run starts the
    worker processes and builds the stage in them; later ones find both."""
    out = work / "o-row"
    shutil.rmtree(out, ignore_errors=True)
    first = timed(ray_tasks, files, manifest, out)
    runners = {
        "rmrun --batch -j 2": lambda o: rmrun_batch(rmrun, mpath, files, o, 2, work),
        "Ray Data tasks, later runs (workers and stage kept)": lambda o: ray_tasks(files, manifest, o),
    }
    times = timed_runs(runners, args.repeats, out)
    base = statistics.median(times["rmrun --batch -j 2"])
    print(f"\nRay Data tasks (RemoteMediaBatches, batches of {max(1, len(files) // 4)} paths), run after run, "
          f"{len(files)} x {args.seconds:g} s:\n")
    print("| runner | median s | x realtime | vs rmrun --batch -j 2 |")
    print("|---|---|---|---|")
    audio = len(files) * args.seconds
    print(f"| Ray Data tasks, first run (1 sample: starts Ray's workers, builds the stage) | {first:.3f} | "
          f"{audio / first:.0f} | {first / base:.2f}x |")
    for name, ts in times.items():
        med = statistics.median(ts)
        print(f"| {name} | {med:.3f} | {audio / med:.0f} | {med / base:.2f}x |")


def peak_rss(args, work: Path) -> None:
    """3. Peak RSS of a worker streaming a big file."""
    from dask.distributed import Client, LocalCluster

    manifest = segments_manifest()
    big = work / "big.wav"
    block = speechlike_block(10.0)
    repeat = max(1, int(args.big_gb * 1e9 / block.nbytes))
    write_wav(big, block, repeat)
    done = subprocess.run([sys.executable, "-c", PEAK_CHILD, json.dumps(manifest), str(big),
                           str(work / "o-peak")], capture_output=True, text=True, check=True)
    peak = json.loads(done.stdout.strip().splitlines()[-1])
    assert peak["status"] == "ok", peak
    print(f"\nPeak RSS of one worker streaming {big.stat().st_size / 1e9:.2f} GB "
          f"({repeat * 10 / 3600:.2f} h of 48 kHz stereo) through the pipeline of 2:\n")
    print("| worker | RSS before the file (stage built) | peak RSS | wall s |")
    print("|---|---|---|---|")
    print(f"| a Python process with the stage | {peak['before_mb']:.0f} MB | {peak['peak_mb']:.0f} MB | "
          f"{peak['wall_s']:.1f} |")
    with LocalCluster(n_workers=1, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address=None) as one, Client(one) as solo:
        stage = NativeStage(manifest, out_dir=str(work / "o-peak2"))
        solo.register_plugin(RemoteMediaPlugin(stage))
        [before] = solo.run(_vm, "VmRSS:").values()
        [result] = solo.submit(stage, [str(big)], pure=False).result()
        assert result.status == "ok", result.error
        [after] = solo.run(_vm, "VmHWM:").values()
    print(f"| a Dask worker (LocalCluster, 1 worker) | {before:.0f} MB | {after:.0f} MB | {result.wall_s:.1f} |")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--tiny", type=int, default=500)
    ap.add_argument("--files", type=int, default=48)
    ap.add_argument("--seconds", type=float, default=10.0)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--big-gb", type=float, default=2.0)
    ap.add_argument("--sections", default="1,2,3,4,5", help="which of the module doc's sections to run")
    args = ap.parse_args()
    sections = {int(x) for x in args.sections.split(",")}
    rmrun = _batch.find_rmrun()
    assert rmrun, "no rmrun (make sdk)"
    work = Path(tempfile.mkdtemp(prefix="rm-bench-dist-", dir="/tmp"))
    try:
        if sections & {1, 2}:
            from dask.distributed import Client, LocalCluster

            import ray

            with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                              dashboard_address=None) as cluster, Client(cluster) as client:
                ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, logging_level="ERROR")
                ray.data.DataContext.get_current().enable_progress_bars = False
                try:
                    if 1 in sections:
                        per_file_overhead(args, rmrun, work, client)
                    if 2 in sections:
                        throughput(args, rmrun, work, client)
                finally:
                    ray.shutdown()
        if 3 in sections:
            peak_rss(args, work)
        if 4 in sections:
            startup_cost.measure(segments_manifest(), max(3, args.repeats))
        if 5 in sections:
            remote_channel.measure(rmrun, make_files(work / "tiny-remote", 200, 0.1), args.repeats, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
