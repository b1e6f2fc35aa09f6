"""Where the extra CPU of `rmrun --batch -j 2` goes (issue #14): the same
files, interleaved, median CPU seconds (wait4) of

  -j 1              one process, one file at a time
  -j 2              one process, two files at a time (two workers)
  2 x -j 1          two processes at once, each -j 1 on half the files

If `-j 2` costs more CPU than `-j 1` but no more than two independent
processes doing the same at once, the extra is the hardware's (two cores
sharing caches, memory bandwidth and, in a VM, the host), not a lock, an
allocator or per-file set-up inside rmrun. The 2-process row pays one
extra process start-up (see `start-up`, a one-file run).

The machine's own ceiling, in the same interleaved rounds: build/bench/
bench_cpu_pair (cpu_pair.c), an arithmetic loop that lives in registers and
L1, run alone and two copies at once. If each of two copies needs X times
the CPU of one alone, the cores share something underneath (SMT siblings on
the host, a clock budget) and no program can scale -j 1 -> -j 2 by more
than 2 / X here.

    .venv/bin/python bench/batch/bench_jobs_cpu.py [--files 48] [--repeats 9] [--format wav|flac]
        [--chunk-seconds 1.0[,0.1,...]]   (several: each -j case per chunk size, interleaved)
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tests" / "python"))

from test_batch import trim_manifest  # noqa: E402
from corpus import to_flac, write_speechlike_wavs  # noqa: E402


def run_all(commands: list) -> tuple:
    """Start every command at once; (wall s, CPU s of all of them)."""
    start = time.perf_counter()
    # stderr to files: a pipe could fill before wait4 returns
    errors = [tempfile.TemporaryFile() for _ in commands]
    procs = [subprocess.Popen(c, stdout=subprocess.DEVNULL, stderr=e) for c, e in zip(commands, errors)]
    cpu = 0.0
    for proc, errs in zip(procs, errors):
        _, status, ru = os.wait4(proc.pid, 0)
        errs.seek(0)
        err = errs.read().decode(errors="replace")
        errs.close()
        if status != 0:
            raise RuntimeError(f"{proc.args}: {err[:400]}")
        cpu += ru.ru_utime + ru.ru_stime
    return time.perf_counter() - start, cpu


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--files", type=int, default=48)
    ap.add_argument("--seconds", type=float, default=10.0)
    ap.add_argument("--repeats", type=int, default=9)
    ap.add_argument("--format", choices=("wav", "flac"), default="wav")
    ap.add_argument("--chunk-seconds", default="1.0",
                    help="AudioFileSource chunk_seconds; a comma list compares several")
    ap.add_argument("--cpu-pair", default=str(Path(os.environ.get("RM_BUILD_DIR", REPO / "build")) / "bench" / "bench_cpu_pair"),
                    help="the arithmetic probe (cpu_pair.c); skipped if missing")
    ap.add_argument("--rmrun", default=shutil.which("rmrun", path=str(Path(sys.executable).parent)) or "rmrun")
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="rm-bench-jobs-", dir="/tmp"))
    try:
        files = write_speechlike_wavs(work, args.files, args.seconds)
        if args.format == "flac":
            flacs = to_flac(files, work)
            for wav in files:
                wav.unlink()
            files = flacs
        chunks = [float(c) for c in args.chunk_seconds.split(",")]
        manifests = {}
        for chunk in chunks:
            manifests[chunk] = work / f"trim-{chunk:g}.json"
            manifests[chunk].write_text(json.dumps(trim_manifest(chunk, "pcm16")))

        def listing(name: str, chosen: list) -> str:
            path = work / name
            path.write_text("".join(f"{f}\n" for f in chosen))
            return f"@{path}"

        every, first, second, one = (listing("all", files), listing("a", files[0::2]),
                                     listing("b", files[1::2]), listing("one", files[:1]))

        def batch(chunk: float, lst: str, out: str, jobs: int) -> list:
            return [args.rmrun, str(manifests[chunk]), "--batch", lst, "--out", str(work / out), "-q",
                    "-j", str(jobs)]

        cases = {}
        for chunk in chunks:
            tag = f" (chunk {chunk:g} s)" if len(chunks) > 1 else ""
            cases.update({
                "-j 1" + tag: lambda c=chunk: [batch(c, every, "o1", 1)],
                "-j 2" + tag: lambda c=chunk: [batch(c, every, "o2", 2)],
                "2 x -j 1 (two processes)" + tag: lambda c=chunk: [batch(c, first, "oa", 1), batch(c, second, "ob", 1)],
                "start-up (a one-file run)" + tag: lambda c=chunk: [batch(c, one, "os", 1)],
            })
        probe = Path(args.cpu_pair)
        if probe.exists():
            cases["arithmetic probe, one copy"] = lambda: [[str(probe)]]
            cases["arithmetic probe, two at once"] = lambda: [[str(probe)], [str(probe)]]
        else:
            print(f"(no {probe}: build it with `cmake --build build --target bench_cpu_pair` for the machine's ceiling)")
        cpu = {name: [] for name in cases}
        wall = {name: [] for name in cases}
        load = os.getloadavg()[0]
        for rep in range(args.repeats + 1):  # round 0 warms up
            for name, commands in cases.items():
                for out in ("o1", "o2", "oa", "ob", "os"):
                    shutil.rmtree(work / out, ignore_errors=True)
                w, c = run_all(commands())
                if rep:
                    cpu[name].append(c)
                    wall[name].append(w)
        base = statistics.median(cpu[next(iter(cases))])
        print(f"\n{args.files} {args.format.upper()} files x {args.seconds:g} s; {args.rmrun}; "
              f"median of {args.repeats}, interleaved; load average {load:.1f} -> {os.getloadavg()[0]:.1f}\n")
        print(f"| run | CPU s | vs {next(iter(cases))} | wall s |")
        print("|---|---:|---:|---:|")
        for name in cases:
            c = statistics.median(cpu[name])
            print(f"| {name} | {c:.3f} | {c / base:.2f}× | {statistics.median(wall[name]):.3f} |")
        if "arithmetic probe, one copy" in cpu:
            one = statistics.median(cpu["arithmetic probe, one copy"])
            two = statistics.median(cpu["arithmetic probe, two at once"]) / 2
            j1 = statistics.median(wall[next(iter(cases))])
            j2 = statistics.median(wall["-j 2" + (f" (chunk {chunks[0]:g} s)" if len(chunks) > 1 else "")])
            print(f"\narithmetic probe: each of two copies at once uses {two / one:.3f}× the CPU of one alone, "
                  f"so -j 2 can scale at most {2 * one / two:.2f}× here; rmrun -j 1 -> -j 2 wall: {j1 / j2:.2f}×")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
