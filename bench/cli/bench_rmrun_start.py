"""What an rmrun start costs: `rmrun --version` and `rmrun --list` of two
rmrun binaries, interleaved A B A B ..., over the same plugin directory;
median wall and CPU (user + sys of the child, wait4) per command, and B/A.

    .venv/bin/python bench/cli/bench_rmrun_start.py RMRUN_A RMRUN_B [--plugins DIR] [--repeats 30]

DIR defaults to build/lib/remotemedia/plugins; each rmrun reads only it
(--no-env-plugins --no-default-plugins). Round 0 warms up (page cache,
the plugin scan cache) and is not counted.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "bench" / "batch"))

from bench_decoders import timed  # noqa: E402  (wall s, CPU s of one command)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("a")
    ap.add_argument("b")
    ap.add_argument("--plugins", default=str(REPO / "build" / "lib" / "remotemedia" / "plugins"))
    ap.add_argument("--repeats", type=int, default=30)
    args = ap.parse_args()
    plugins = ["--no-env-plugins", "--no-default-plugins", "--plugins", args.plugins]
    commands = {"--version": ["--version"], "--list": [*plugins, "--list"]}
    results = {(name, which): ([], []) for name in commands for which in "ab"}
    load = os.getloadavg()[0]
    for rep in range(args.repeats + 1):
        for name, tail in commands.items():
            for which, rmrun in (("a", args.a), ("b", args.b)):
                wall, cpu = timed([rmrun, *tail])
                if rep:
                    results[(name, which)][0].append(wall)
                    results[(name, which)][1].append(cpu)
    print(f"\nA = {args.a}\nB = {args.b}\nplugins {args.plugins}; median of {args.repeats}, interleaved; "
          f"load average {load:.1f} -> {os.getloadavg()[0]:.1f}\n")
    print("| command | A wall ms | B wall ms | B/A | A CPU ms | B CPU ms | B/A |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for name in commands:
        aw, ac = (statistics.median(v) * 1e3 for v in results[(name, "a")])
        bw, bc = (statistics.median(v) * 1e3 for v in results[(name, "b")])
        print(f"| `rmrun {name}` | {aw:.2f} | {bw:.2f} | {bw / aw:.2f}× | {ac:.2f} | {bc:.2f} | {bc / ac:.2f}× |")


if __name__ == "__main__":
    main()
