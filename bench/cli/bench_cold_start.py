"""`rmrun --version` on a cold page cache (issue #14: under 10 ms), next to
`sox --version` and `/bin/true`: before each cold run the kernel's page
cache is dropped (`sync; echo 3 > /proc/sys/vm/drop_caches`, so root
only), then the same command runs again warm. Interleaved, medians. Each
time includes Python's own process spawn (subprocess.run): the `/bin/true`
row is that floor.

    sudo .venv/bin/python bench/cli/bench_cold_start.py [--rounds 7] [--rmrun PATH]...

Several --rmrun (two builds) are timed side by side in the same rounds.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path


def timed(cmd: list) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    return time.perf_counter() - start


def drop_caches() -> None:
    os.sync()
    Path("/proc/sys/vm/drop_caches").write_text("3\n")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("--rmrun", action="append", help="an rmrun to time (repeatable); default: the one beside this Python")
    args = ap.parse_args()
    if os.geteuid() != 0:
        raise SystemExit("bench_cold_start: dropping the page cache needs root")
    rmruns = args.rmrun or [shutil.which("rmrun", path=str(Path(sys.executable).parent)) or "rmrun"]
    commands = {f"{r} --version" if len(rmruns) > 1 else "rmrun --version": [r, "--version"] for r in rmruns}
    commands["/bin/true"] = ["/bin/true"]
    if shutil.which("sox"):
        commands["sox --version"] = ["sox", "--version"]
    cold = {name: [] for name in commands}
    warm = {name: [] for name in commands}
    for _ in range(args.rounds):
        for name, cmd in commands.items():
            drop_caches()
            cold[name].append(timed(cmd))
            warm[name].append(timed(cmd))
    print(f"\n{', '.join(rmruns)}; median of {args.rounds}, interleaved\n")
    print("| command | cold page cache, ms | max | warm, ms |")
    print("|---|---:|---:|---:|")
    for name in commands:
        print(f"| `{name}` | {statistics.median(cold[name]) * 1e3:.1f} | {max(cold[name]) * 1e3:.1f} | "
              f"{statistics.median(warm[name]) * 1e3:.1f} |")


if __name__ == "__main__":
    main()
