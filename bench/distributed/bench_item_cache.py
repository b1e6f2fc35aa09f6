"""Pipelines run file after file inside one Python process — what a Dask or
Ray worker does through `NativeStage` — with the runtime's item block
cache on (the default) and off (REMOTEMEDIA_ITEM_CACHE_MB=0), and, for
reference, off but with glibc's malloc thresholds raised the way rmrun
raises them for itself (GLIBC_TUNABLES). Each case is a fresh process that
builds the stage, warms it on one file, then runs the files twice;
interleaved rounds, medians of CPU seconds (user + sys of the timed part),
minor page faults and wall seconds. Then the same files through the
installed `rmrun --batch` as shipped (it raises malloc's thresholds for
itself and so turns the item cache off) and with the cache forced on
(REMOTEMEDIA_ITEM_CACHE_MB=32), interleaved: why rmrun turns it off.

    .venv/bin/python bench/distributed/bench_item_cache.py [--files 24] [--seconds 10] [--repeats 7]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "bench" / "batch"))
sys.path.insert(0, str(REPO / "tests" / "python"))

from corpus import write_speechlike_wavs  # noqa: E402
from test_batch import trim_manifest  # noqa: E402

CHILD = r"""
import glob, json, resource, sys, time
from remotemedia.distributed import NativeStage
files = json.loads(sys.argv[2])
stage = NativeStage(json.loads(open(sys.argv[1]).read()), out_dir=sys.argv[3])
stage(files[:1])  # plugins loaded, first-run costs paid
r0 = resource.getrusage(resource.RUSAGE_SELF)
t0 = time.perf_counter()
for _ in range(2):
    for result in stage(files):
        if result.error:
            raise SystemExit(f"{result.input}: {result.error}")
wall = time.perf_counter() - t0
r1 = resource.getrusage(resource.RUSAGE_SELF)
print(json.dumps({"cpu": r1.ru_utime + r1.ru_stime - r0.ru_utime - r0.ru_stime,
                  "faults": r1.ru_minflt - r0.ru_minflt, "wall": wall}))
"""

TUNED = "glibc.malloc.mmap_threshold=33554432:glibc.malloc.trim_threshold=67108864"
CASES = {
    "item cache on (default)": {},
    "item cache off (REMOTEMEDIA_ITEM_CACHE_MB=0)": {"REMOTEMEDIA_ITEM_CACHE_MB": "0"},
    "cache off, rmrun's malloc thresholds (GLIBC_TUNABLES)": {"REMOTEMEDIA_ITEM_CACHE_MB": "0", "GLIBC_TUNABLES": TUNED},
}


def child_env(env: dict) -> dict:
    """This environment without the two switches, then `env`'s."""
    out = {k: v for k, v in os.environ.items() if k not in ("GLIBC_TUNABLES", "REMOTEMEDIA_ITEM_CACHE_MB")}
    out.update(env)
    return out


def cpu_model() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor() or "?"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--files", type=int, default=24)
    ap.add_argument("--seconds", type=float, default=10.0)
    ap.add_argument("--repeats", type=int, default=7)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="rm-bench-cache-") as work:
        work = Path(work)
        (work / "in").mkdir()
        files = [str(p) for p in write_speechlike_wavs(work / "in", args.files, args.seconds)]
        manifest = work / "trim.json"
        manifest.write_text(json.dumps(trim_manifest(1.0, "pcm16")))
        out = work / "out"
        out.mkdir()
        samples = {name: [] for name in CASES}
        rmrun_cpu = {"on": [], "off": []}
        rmrun = shutil.which("rmrun", path=str(Path(sys.executable).parent))
        if not rmrun:
            raise SystemExit(f"no rmrun beside {sys.executable}: install the SDK (make sdk)")
        listing = work / "files.list"
        listing.write_text("".join(f"{f}\n" for f in files))
        names = list(CASES)
        for rep in range(args.repeats):
            for name in names[rep % len(names):] + names[:rep % len(names)]:  # rotated: no position bias
                env = CASES[name]
                done = subprocess.run([sys.executable, "-c", CHILD, str(manifest), json.dumps(files), str(out)],
                                      capture_output=True, text=True, env=child_env(env), check=False)
                if done.returncode != 0:
                    raise SystemExit(f"{name}: {done.stderr[-800:]}")
                samples[name].append(json.loads(done.stdout.strip().splitlines()[-1]))
            for case, mb in (("on", "32"), ("off", None)):
                batch_out = work / f"batch-{case}"
                shutil.rmtree(batch_out, ignore_errors=True)
                proc = subprocess.Popen([rmrun, str(manifest), "--batch", f"@{listing}", "--out", str(batch_out), "-q"],
                                        env=child_env({"REMOTEMEDIA_ITEM_CACHE_MB": mb} if mb else {}))
                _, status, usage = os.wait4(proc.pid, 0)
                if status != 0:
                    raise SystemExit(f"rmrun --batch (cache {case}) failed")
                rmrun_cpu[case].append(usage.ru_utime + usage.ru_stime)
    print(f"\n{args.files} WAV files x {args.seconds:g} s (48 kHz stereo int16), the trim pipeline, "
          f"run twice per process after a warm-up file; CPU: {cpu_model()}; median of {args.repeats}, interleaved\n")
    base = statistics.median(s["cpu"] for s in samples[next(iter(CASES))])
    print("| case | CPU s | vs cache on | page faults | wall s |")
    print("|---|---:|---:|---:|---:|")
    for name, runs in samples.items():
        cpu = statistics.median(s["cpu"] for s in runs)
        print(f"| {name} | {cpu:.3f} | {cpu / base:.2f}× | {statistics.median(s['faults'] for s in runs):,.0f} | "
              f"{statistics.median(s['wall'] for s in runs):.3f} |")
    on, off = statistics.median(rmrun_cpu["on"]), statistics.median(rmrun_cpu["off"])
    print(f"\n`rmrun --batch` (default -j) over the same files: {off:.3f} CPU s as shipped (its malloc settings, "
          f"item cache off), {on:.3f} with the cache forced on (REMOTEMEDIA_ITEM_CACHE_MB=32): {on / off:.2f}×")


if __name__ == "__main__":
    main()
