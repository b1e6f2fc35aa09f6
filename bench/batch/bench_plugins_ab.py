"""Two plugin directories side by side on the same batch (A/B of a plugin
change): the VAD trim pipeline (AudioFileSource -> mono f32 -> soxr 16 kHz
-> SpeechSegmenter emit_audio -> AudioFileSink) over N files x S s stereo
48 kHz WAV, `rmrun --batch -j 1`, interleaved A B A B ..., median wall and
CPU (user + sys) seconds per run. One command:

    python bench/batch/bench_plugins_ab.py DIR_A DIR_B [--files 16] [--seconds 10] [--repeats 7]

Each DIR is a complete plugin directory (copy build/lib/remotemedia/plugins
and swap the .so under test). Needs rmrun (RM_BUILD_DIR or
REMOTEMEDIA_RMRUN)."""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import wave
from pathlib import Path

import numpy as np

MANIFEST = {"version": "v1", "nodes": [
    {"id": "read", "node_type": "AudioFileSource", "params": {"path": "x.wav"}},
    {"id": "mono", "node_type": "FormatConverterNode", "params": {"target_format": "f32", "channels": 1}},
    {"id": "rs", "node_type": "AudioResampleNode", "params": {"target_sample_rate": 16000}},
    {"id": "seg", "node_type": "SpeechSegmenter", "params": {"emit_audio": True}},
    {"id": "write", "node_type": "AudioFileSink", "params": {"path": "x.wav"}}],
    "connections": [{"from": "read", "to": "mono"}, {"from": "mono", "to": "rs"}, {"from": "rs", "to": "seg"},
                    {"from": "seg", "from_port": 1, "to": "write"}]}


def speechlike(path: Path, seconds: float, seed: int) -> None:
    rate = 48000
    t = np.arange(int(rate * seconds)) / rate
    sig = sum(np.sin(2 * np.pi * 180 * h * t) / h for h in range(1, 10))
    env = ((t % 1.0) < 0.6).astype(float)
    x = 0.2 * sig * env + 0.003 * np.random.default_rng(seed).standard_normal(len(t))
    data = (np.clip(np.stack([x, 0.8 * x], 1), -1, 1) * 32767).astype("<i2")
    with wave.open(str(path), "wb") as w:
        w.setnchannels(2)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(data.tobytes())


def run(rmrun: str, plugins: str, work: Path, out: str) -> tuple[float, float]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run([rmrun, "--no-env-plugins", "--no-default-plugins", "--plugins", plugins, "m.json",
                    "--batch", "in", "--out", out, "-j", "1", "--no-progress", "-q"],
                   cwd=work, check=True, capture_output=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("dir_a")
    ap.add_argument("dir_b")
    ap.add_argument("--files", type=int, default=16)
    ap.add_argument("--seconds", type=float, default=10.0)
    ap.add_argument("--repeats", type=int, default=7)
    args = ap.parse_args()
    build = os.environ.get("RM_BUILD_DIR")
    rmrun = os.environ.get("REMOTEMEDIA_RMRUN") or (os.path.join(build, "bin", "rmrun") if build else "rmrun")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        (work / "in").mkdir()
        for i in range(args.files):
            speechlike(work / "in" / f"f{i:03d}.wav", args.seconds, i)
        (work / "m.json").write_text(json.dumps(MANIFEST))
        results: dict[str, list[tuple[float, float]]] = {"A": [], "B": []}
        run(rmrun, args.dir_a, work, "warm")  # page cache, scanner cache
        run(rmrun, args.dir_b, work, "warm")
        for _ in range(args.repeats):
            for name, d in (("A", args.dir_a), ("B", args.dir_b)):
                results[name].append(run(rmrun, d, work, f"out{name}"))
        audio = args.files * args.seconds
        print(f"{args.files} files x {args.seconds:g} s, -j 1, {args.repeats} repeats interleaved; medians")
        print("| plugins | wall s | CPU s | audio s per wall s |")
        print("|---|---|---|---|")
        for name, d in (("A", args.dir_a), ("B", args.dir_b)):
            wall = statistics.median(r[0] for r in results[name])
            cpu = statistics.median(r[1] for r in results[name])
            print(f"| {name} ({d}) | {wall:.3f} | {cpu:.3f} | {audio / wall:.0f} |")
        wa = statistics.median(r[0] for r in results["A"])
        wb = statistics.median(r[0] for r in results["B"])
        ca = statistics.median(r[1] for r in results["A"])
        cb = statistics.median(r[1] for r in results["B"])
        print(f"B/A: wall {wb / wa:.3f}, CPU {cb / ca:.3f}")


if __name__ == "__main__":
    sys.exit(main())
