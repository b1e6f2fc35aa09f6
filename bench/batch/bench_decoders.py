"""AudioFileSource's three FLAC routes on the same file, side by side: libFLAC
directly (`decoder: auto`), libsndfile (`sndfile`) and FFmpeg (`ffmpeg`) —
which should `auto` take (issue #14 asked)? Also the start-up cost
(`rmrun --list`, cold and warm plugin-scan cache).

    .venv/bin/python bench/batch/bench_decoders.py [--minutes 10] [--repeats 5]

A 48 kHz stereo FLAC (pink noise, sox) through AudioFileSource (1 s
chunks) -> FormatConverterNode (mono): the installed rmrun, interleaved
(auto, sndfile, ffmpeg, auto, ...), median wall and CPU seconds (wait4).
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


def timed(cmd: list, env: dict | None = None) -> tuple:
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    _, status, ru = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    err = proc.stderr.read().decode(errors="replace")
    proc.stderr.close()
    if status != 0:
        raise RuntimeError(f"{cmd}: {err[:400]}")
    return wall, ru.ru_utime + ru.ru_stime


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--minutes", type=float, default=10.0)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--rmrun", default=shutil.which("rmrun", path=str(Path(sys.executable).parent)) or "rmrun")
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="rm-bench-dec-", dir="/tmp"))
    try:
        flac = work / "long.flac"
        subprocess.run(["sox", "-n", "-r", "48000", "-c", "2", "-b", "16", str(flac), "synth",
                        str(args.minutes * 60), "pinknoise", "vol", "0.3"], check=True)
        manifests = {}
        for decoder in ("auto", "sndfile", "ffmpeg"):
            path = work / f"{decoder}.json"
            path.write_text(json.dumps({"version": "v1", "nodes": [
                {"id": "read", "node_type": "AudioFileSource",
                 "params": {"path": str(flac), "chunk_seconds": 1.0, "decoder": decoder}},
                {"id": "mono", "node_type": "FormatConverterNode", "params": {"target_format": "f32", "channels": 1}},
                {"id": "done", "node_type": "VADNode", "params": {}}],
                "connections": [{"from": "read", "to": "mono"}, {"from": "mono", "to": "done"}]}))
            manifests[decoder] = path
        results = {d: ([], []) for d in manifests}
        for rep in range(args.repeats + 1):
            for decoder, path in manifests.items():
                wall, cpu = timed([args.rmrun, str(path), "--output", os.devnull])
                if rep:
                    results[decoder][0].append(wall)
                    results[decoder][1].append(cpu)
        audio = args.minutes * 60
        print(f"\nFLAC {args.minutes:g} min 48 kHz stereo -> mono -> VADNode; {args.rmrun}; "
              f"median of {args.repeats}, interleaved\n")
        print("| decoder | wall s | CPU s | audio s / CPU s |")
        print("|---|---:|---:|---:|")
        for decoder, (walls, cpus) in results.items():
            w, c = statistics.median(walls), statistics.median(cpus)
            name = "auto (libFLAC)" if decoder == "auto" else decoder
            print(f"| {name} | {w:.3f} | {c:.3f} | {audio / c:.0f} |")

        cache = work / "cache"
        cold, warm = [], []
        for _ in range(args.repeats):
            shutil.rmtree(cache, ignore_errors=True)
            env = {**os.environ, "REMOTEMEDIA_CACHE_DIR": str(cache)}
            cold.append(timed([args.rmrun, "--list"], env)[0])
            warm.append(timed([args.rmrun, "--list"], env)[0])
        off = [timed([args.rmrun, "--list"], {**os.environ, "REMOTEMEDIA_SCAN": "0"})[0]
               for _ in range(args.repeats)]
        print(f"\n`rmrun --list` (6 plugins): cold scan cache {statistics.median(cold) * 1e3:.1f} ms, "
              f"warm {statistics.median(warm) * 1e3:.1f} ms, scanning off {statistics.median(off) * 1e3:.1f} ms "
              f"(median of {args.repeats})")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
