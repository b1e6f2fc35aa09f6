"""Two builds side by side on the engine's per-node-call cost: `bench_session
calls N` (N items streamed through a session of 10 x PassThroughNode) with
LD_LIBRARY_PATH=A/lib, then B/lib, interleaved A B A B ..., median CPU
seconds (user + sys, wait4) per run, and ns per node call.

    python3 bench/session/bench_calls_ab.py A_DIR B_DIR [--items 300000] [--rounds 11]

A build DIR holds lib/ (a copy of build/lib taken before the change: `mkdir
A && cp -a build/bin build/lib A/`); the bench binary is this tree's
build/bench/bench_session (only its library differs between the runs).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def cpu_of(build: Path, items: int) -> float:
    env = dict(os.environ, LD_LIBRARY_PATH=str(build.resolve() / "lib"))
    proc = subprocess.Popen([str(REPO / "build" / "bench" / "bench_session"), "calls", str(items)],
                            env=env, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    if status != 0:
        raise RuntimeError(f"{build}: bench_session calls {items} failed ({status})")
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("a", type=Path)
    ap.add_argument("b", type=Path)
    ap.add_argument("--items", type=int, default=300000)
    ap.add_argument("--rounds", type=int, default=11)
    args = ap.parse_args()
    runs: dict = {"A": [], "B": []}
    for _ in range(args.rounds):
        runs["A"].append(cpu_of(args.a, args.items))
        runs["B"].append(cpu_of(args.b, args.items))
    a, b = statistics.median(runs["A"]), statistics.median(runs["B"])
    calls = args.items * 10
    print(f"| A CPU s | B CPU s | A ns/call | B ns/call | B / A |  ({args.rounds} rounds, {calls} node calls)")
    print("|---:|---:|---:|---:|---:|")
    print(f"| {a:.3f} | {b:.3f} | {a / calls * 1e9:.0f} | {b / calls * 1e9:.0f} | {b / a:.3f} |")


if __name__ == "__main__":
    main()
