#!/usr/bin/env python3
"""How rmrun's manifest handling grows with the manifest (issue #21.7).

For each shape — duplicate ids (validation must report them), independent
nodes (each prints a result) and a chain — runs the installed ``rmrun`` on
n = 12.5k, 25k, 50k and 100k nodes and prints the median wall time and
the growth factor per doubling (2.0 = linear, 4.0 = quadratic).

    .venv/bin/python bench/manifest/bench_manifest_scaling.py [--rmrun PATH] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import tempfile
import time

SIZES = (12_500, 25_000, 50_000, 100_000)


def manifest(shape: str, n: int) -> dict:
    ids = ["a"] * n if shape == "duplicate ids" else [f"n{i}" for i in range(n)]
    doc = {"version": "v1", "nodes": [{"id": i, "node_type": "PassThroughNode"} for i in ids]}
    if shape == "chain":
        doc["connections"] = [{"from": f"n{i}", "to": f"n{i + 1}"} for i in range(n - 1)]
    return doc


def run_once(rmrun: str, path: str) -> float:
    start = time.perf_counter()
    subprocess.run([rmrun, "run", path, "--input", "[1]"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rmrun", default=shutil.which("rmrun") or "rmrun")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        print(f"{'shape':<15} {'nodes':>8} {'median s':>9} {'µs/node':>8} {'growth x2':>9}")
        for shape in ("duplicate ids", "independent", "chain"):
            previous = None
            for n in SIZES:
                path = os.path.join(tmp, f"{shape.replace(' ', '_')}_{n}.json")
                with open(path, "w") as handle:
                    json.dump(manifest(shape, n), handle)
                times = [run_once(args.rmrun, path) for _ in range(args.repeat)]
                median = statistics.median(times)
                growth = f"{median / previous:9.2f}" if previous else f"{'':>9}"
                print(f"{shape:<15} {n:>8} {median:9.3f} {median / n * 1e6:8.2f} {growth}")
                previous = median


if __name__ == "__main__":
    main()
