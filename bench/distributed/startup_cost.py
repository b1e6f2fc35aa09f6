"""What a fresh worker process spends before its first item (issue #18:
Ray Data starts its actors per run): each import and the stage build,
timed inside a fresh Python (as a Ray actor or worker starts), medians of
several processes. Part of bench_distributed.py; alone:

    .venv/bin/python bench/distributed/startup_cost.py [--runs 5]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile

CHILD = r"""
import json, sys, time
t0 = time.perf_counter()
marks = []
def mark(name):
    marks.append((name, time.perf_counter() - t0))
import numpy; mark("import numpy")
import ray; mark("import ray")
import ray.data; mark("import ray.data (pyarrow, pandas)")
import remotemedia; mark("import remotemedia")
from remotemedia.distributed import RemoteMediaStage; mark("import remotemedia.distributed (RemoteMediaStage)")
stage = RemoteMediaStage(json.loads(sys.argv[1]), out_dir=sys.argv[2])
mark("RemoteMediaStage(...): native runtime, plugin registry, plan")
import distributed; mark("(not any more) import distributed: what remotemedia.distributed imported before")
print(json.dumps(marks))
"""


def measure(manifest: dict, runs: int) -> None:
    samples = []
    with tempfile.TemporaryDirectory(prefix="rm-bench-start-") as out:
        for _ in range(runs):
            done = subprocess.run([sys.executable, "-c", CHILD, json.dumps(manifest), out], capture_output=True,
                                  text=True, check=True)
            samples.append(json.loads(done.stdout.strip().splitlines()[-1]))
    print(f"\nA fresh Python process up to a built stage (what a Ray actor does before its first batch), "
          f"medians of {runs} processes:\n")
    print("| step | ms (this step) | ms (from the first import) |")
    print("|---|---|---|")
    before = 0.0
    for i, (name, _) in enumerate(samples[0]):
        at = statistics.median(s[i][1] for s in samples)
        print(f"| {name} | {(at - before) * 1e3:.0f} | {at * 1e3:.0f} |")
        before = at


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    sys.path.insert(0, str(__import__("pathlib").Path(__file__).resolve().parent))
    from bench_distributed import segments_manifest

    measure(segments_manifest(), args.runs)


if __name__ == "__main__":
    main()
