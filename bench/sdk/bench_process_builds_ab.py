"""Two builds of the native runtime side by side under ``Pipeline.process()``
(streaming, 10 ms chunks of 48 kHz stereo): the per-chunk cost of an engine
change as a Python user sees it.

    .venv/bin/python bench/sdk/bench_process_builds_ab.py A_DIR B_DIR [--rounds 9]

A build DIR holds lib/ (libremotemedia and lib/remotemedia/plugins): a copy
of build/lib taken before the change (`mkdir A && cp -a build/bin build/lib
A/`), as for bench/batch/bench_builds_ab.py. Each round starts one Python
process per build with LD_LIBRARY_PATH=DIR/lib (it wins over the installed
SDK's RUNPATH; the child checks which libremotemedia it mapped), A B A B
...; a child warms up, then times 5 passes of process() over 1,000 chunks
and reports its median µs per chunk. Printed: the median over rounds per
build and pipeline, and B / A.

Pipelines: the streaming bench's resample 48→16 kHz → i16 → VAD
(bench_streaming.py), and 10 × PassThroughNode (the engine's own cost per
node call, nothing else to do).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

CHILD = r"""
import asyncio, json, statistics, sys, time
import numpy as np
from remotemedia import Pipeline
from remotemedia.nodes.audio import AudioResampleNode, FormatConverterNode, VADNode
from remotemedia.nodes.base import PassThroughNode

want = sys.argv[1]
chunks_n = 1000
rng = np.random.default_rng(0)
t = np.arange(480 * chunks_n) / 48000
x = np.stack([0.3 * np.sin(2 * np.pi * 440 * t), 0.2 * np.sin(2 * np.pi * 1000 * t)]).astype(np.float32)
x[:, (t % 2.0) > 1.2] *= 0.001
x += (rng.standard_normal(x.shape) * 0.002).astype(np.float32)
chunks = [(np.ascontiguousarray(x[:, i * 480:(i + 1) * 480]), 48000) for i in range(chunks_n)]
pipelines = {
    "resample-i16-vad": lambda: Pipeline([AudioResampleNode(target_sample_rate=16000),
                                          FormatConverterNode(target_format="i16"), VADNode()]),
    "10-passthrough": lambda: Pipeline([PassThroughNode() for _ in range(10)]),
}

async def once(p):
    n = 0
    async for _ in p.process(chunks):
        n += 1
    return n

out = {}
loop = asyncio.new_event_loop()
for name, make in pipelines.items():
    p = make()
    loop.run_until_complete(once(p))  # warm-up
    times = []
    for _ in range(5):
        start = time.perf_counter()
        n = loop.run_until_complete(once(p))
        times.append((time.perf_counter() - start) / chunks_n * 1e6)
    assert n > 0, name
    out[name] = statistics.median(times)
maps = open("/proc/self/maps").read()
lib = [line.split()[-1] for line in maps.splitlines() if "libremotemedia.so" in line]
if not lib or not lib[0].startswith(want):
    raise SystemExit(f"loaded {lib[:1]}, not from {want}")
print(json.dumps(out))
"""


def run_child(build: Path) -> dict:
    lib = str((build / "lib").resolve())
    env = dict(os.environ, LD_LIBRARY_PATH=lib)
    done = subprocess.run([sys.executable, "-c", CHILD, lib], env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{build}: {done.stderr[-600:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("a", type=Path)
    ap.add_argument("b", type=Path)
    ap.add_argument("--rounds", type=int, default=9)
    args = ap.parse_args()
    per: dict = {"A": {}, "B": {}}
    for _ in range(args.rounds):
        for key, build in (("A", args.a), ("B", args.b)):
            for name, us in run_child(build).items():
                per[key].setdefault(name, []).append(us)
    print(f"| pipeline (process(), 1,000 × 10 ms) | A µs/chunk | B µs/chunk | B / A |  ({args.rounds} rounds)")
    print("|---|---:|---:|---:|")
    for name in per["A"]:
        a = statistics.median(per["A"][name])
        b = statistics.median(per["B"][name])
        print(f"| {name} | {a:.2f} | {b:.2f} | {b / a:.3f} |")


if __name__ == "__main__":
    main()
