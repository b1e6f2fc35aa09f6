"""Two builds side by side on the same batch, per chunk size (A/B of a
runtime + plugin change, e.g. the per-item cost at small chunks): the trim
pipeline of bench_jobs_cpu.py (read -> mono f32 -> 16 kHz -> SpeechSegmenter
emit_audio -> AudioFileSink pcm16) over N x S s stereo 48 kHz WAV,
`rmrun --batch -j 1`, interleaved A B A B ..., median CPU seconds (user +
sys, wait4) per run, and whether both builds wrote byte-identical files.

    .venv/bin/python bench/batch/bench_builds_ab.py A_DIR B_DIR [--chunk-seconds 1.0,0.1,0.02]
        [--files 48] [--seconds 10] [--repeats 9]

A build DIR holds bin/rmrun and lib/ (libremotemedia and
lib/remotemedia/plugins): a copy of build/bin and build/lib taken before
the change (`mkdir A && cp -a build/bin build/lib A/`). rmrun's RUNPATH
names the tree it was built in, so each run gets LD_LIBRARY_PATH=DIR/lib,
which wins over RUNPATH; the plugins are found beside that libremotemedia.
"""

from __future__ import annotations

import argparse
import filecmp
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tests" / "python"))

from test_batch import trim_manifest  # noqa: E402
from corpus import write_speechlike_wavs  # noqa: E402


def cpu_of(build: Path, manifest: Path, listing: Path, out: Path) -> float:
    shutil.rmtree(out, ignore_errors=True)
    env = dict(os.environ, LD_LIBRARY_PATH=str(build / "lib"))
    with tempfile.TemporaryFile() as errors:  # a pipe could fill before wait4 returns
        proc = subprocess.Popen([str(build / "bin" / "rmrun"), str(manifest), "--batch", f"@{listing}",
                                 "--out", str(out), "-q", "-j", "1"], env=env,
                                stdout=subprocess.DEVNULL, stderr=errors)
        _, status, usage = os.wait4(proc.pid, 0)
        errors.seek(0)
        err = errors.read().decode(errors="replace")
    if status != 0:
        raise RuntimeError(f"{build}: {err[:400]}")
    return usage.ru_utime + usage.ru_stime


def same_outputs(a: Path, b: Path) -> bool:
    names = sorted(p.name for p in a.iterdir() if p.suffix == ".wav")
    if names != sorted(p.name for p in b.iterdir() if p.suffix == ".wav") or not names:
        return False
    return all(filecmp.cmp(a / n, b / n, shallow=False) for n in names)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("a", type=Path)
    ap.add_argument("b", type=Path)
    ap.add_argument("--chunk-seconds", default="1.0,0.1,0.02")
    ap.add_argument("--files", type=int, default=48)
    ap.add_argument("--seconds", type=float, default=10.0)
    ap.add_argument("--repeats", type=int, default=9)
    args = ap.parse_args()
    for build in (args.a, args.b):
        if not (build / "bin" / "rmrun").exists() or not (build / "lib").is_dir():
            sys.exit(f"{build}: expected bin/rmrun and lib/ (a copy of build/bin and build/lib)")
    work = Path(tempfile.mkdtemp(prefix="rm-bench-ab-", dir="/tmp"))
    try:
        files = write_speechlike_wavs(work, args.files, args.seconds)
        listing = work / "list"
        listing.write_text("".join(f"{f}\n" for f in files))
        chunks = [float(c) for c in args.chunk_seconds.split(",")]
        manifests = {}
        for chunk in chunks:
            manifests[chunk] = work / f"trim-{chunk:g}.json"
            manifests[chunk].write_text(json.dumps(trim_manifest(chunk, "pcm16")))
        builds = {"A": args.a, "B": args.b}
        cpu = {(name, c): [] for c in chunks for name in builds}
        for rep in range(args.repeats + 1):  # round 0 warms up
            for chunk in chunks:
                for name, build in builds.items():
                    c = cpu_of(build, manifests[chunk], listing, work / f"out-{name}-{chunk:g}")
                    if rep:
                        cpu[(name, chunk)].append(c)
        print(f"\n{args.files} WAV files x {args.seconds:g} s; A = {args.a}, B = {args.b}; "
              f"median of {args.repeats}, interleaved; load average {os.getloadavg()[0]:.1f}\n")
        print("| chunk s | A CPU s | B CPU s | B / A | outputs identical |")
        print("|---:|---:|---:|---:|---|")
        for chunk in chunks:
            a, b = (statistics.median(cpu[(n, chunk)]) for n in builds)
            same = same_outputs(work / f"out-A-{chunk:g}", work / f"out-B-{chunk:g}")
            print(f"| {chunk:g} | {a:.3f} | {b:.3f} | {b / a:.3f} | {'yes' if same else 'NO'} |")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
