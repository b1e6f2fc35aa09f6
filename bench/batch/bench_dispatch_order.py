"""rmrun --batch on a dataset of uneven lengths: does a long file that
sorts last run alone at the end?

    .venv/bin/python bench/batch/bench_dispatch_order.py [--rmrun A --rmrun B ...] [--repeats 7]

The dataset: --short files of --short-s seconds (f000.wav, ...) and --long
files of --long-s seconds named to sort last (z000.wav, ...), 48 kHz
stereo, through the VAD-trim job of bench_peers.py. Each rmrun given is
run with no flags but the job's (its default -j) and with -j 1,
interleaved, medians; printed: wall, the -j 1 -> default scaling, and
each rmrun's wall against the first one's. Run with an rmrun from before
and after a change to compare dispatch orders side by side.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from corpus import write_speechlike_wav, write_speechlike_wavs  # noqa: E402
from test_batch import trim_manifest  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rmrun", action="append", default=None,
                    help="an rmrun to time (repeatable); default: the one beside this Python")
    ap.add_argument("--short", type=int, default=40)
    ap.add_argument("--short-s", type=float, default=2.0)
    ap.add_argument("--long", type=int, default=2)
    ap.add_argument("--long-s", type=float, default=30.0)
    ap.add_argument("--repeats", type=int, default=7)
    args = ap.parse_args()
    rmruns = args.rmrun or [shutil.which("rmrun", path=str(Path(sys.executable).parent)) or "rmrun"]
    work = Path(tempfile.mkdtemp(prefix="rm-bench-order-", dir="/tmp"))
    try:
        inputs = work / "in"
        inputs.mkdir()
        write_speechlike_wavs(inputs, args.short, args.short_s)
        for i in range(args.long):
            write_speechlike_wav(inputs / f"z{i:03d}.wav", args.long_s, 1000 + i)
        manifest = work / "trim.json"
        manifest.write_text(json.dumps(trim_manifest(1.0, "pcm16")))
        cases = [(r, j) for r in rmruns for j in ("default", "1")]
        wall = {c: [] for c in cases}
        for rep in range(args.repeats + 1):  # round 0 warms the page cache
            for rmrun, jobs in cases:
                out = work / "out"
                shutil.rmtree(out, ignore_errors=True)
                cmd = [rmrun, str(manifest), "--batch", str(inputs), "--out", str(out)]
                if jobs != "default":
                    cmd += ["-j", jobs]
                t = time.perf_counter()
                subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                if rep:
                    wall[(rmrun, jobs)].append(time.perf_counter() - t)
        cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo")
                    if line.startswith("model name")), "unknown")
        print(f"{args.short} x {args.short_s:g} s + {args.long} x {args.long_s:g} s (sorting last), "
              f"48 kHz stereo WAV; CPU {cpu}; median of {args.repeats}, interleaved\n")
        print("| rmrun | wall, default -j | wall, -j 1 | scaling | wall vs the first |")
        print("|---|---:|---:|---:|---:|")
        first = statistics.median(wall[(rmruns[0], "default")])
        for rmrun in rmruns:
            w, w1 = statistics.median(wall[(rmrun, "default")]), statistics.median(wall[(rmrun, "1")])
            print(f"| {rmrun} | {w:.3f} | {w1:.3f} | {w1 / w:.2f}× | {w / first:.2f}× |")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
