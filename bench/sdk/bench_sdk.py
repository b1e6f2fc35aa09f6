"""SDK benchmarks: the bridge's call overhead, `await pipeline.run()` on the
native runtime vs the pure-Python path, and the cost of crossing into a
Python node inside a native pipeline.

Run: .venv/bin/python bench/sdk/bench_sdk.py   (or `make bench`)

Method (shared BENCHMARKS.md): warm up, then interleave the compared cases
(A B A B ...) and report medians and ratios from the same run.
"""

from __future__ import annotations

import asyncio
import platform
import statistics
import subprocess
import sys
import time
from typing import Callable, Dict, List

import numpy as np

import remotemedia
from remotemedia import Node, Pipeline
from remotemedia.nodes.audio import AudioResampleNode, FormatConverterNode, VADNode
from remotemedia.nodes.base import PassThroughNode
from remotemedia.nodes.simple_math import AddNode, MultiplyNode


def cpu_model() -> str:
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True).stdout
        for line in out.splitlines():
            if line.startswith("Model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def interleaved(cases: Dict[str, Callable[[], None]], rounds: int, warmup: int = 3) -> Dict[str, float]:
    """Median seconds per call of each case, measured A B A B ..."""
    for _ in range(warmup):
        for fn in cases.values():
            fn()
    samples: Dict[str, List[float]] = {name: [] for name in cases}
    for _ in range(rounds):
        for name, fn in cases.items():
            start = time.perf_counter()
            fn()
            samples[name].append(time.perf_counter() - start)
    return {name: statistics.median(values) for name, values in samples.items()}


class PyPass(Node):
    """A Python node that returns its input (runs through the adapter)."""

    def process(self, data):
        return data


def main() -> None:
    if not remotemedia.is_native_runtime_available():
        sys.exit("native runtime not installed: run `make sdk` first")
    bridge = remotemedia.get_native_runtime()
    print(f"# SDK benchmarks — {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, CPU: {cpu_model()}")
    print(f"# python {platform.python_version()}, numpy {np.__version__}\n")

    # 1. Python -> C call overhead (METH_O that returns its argument).
    n = 200_000
    def noop_loop():
        f = bridge.noop
        for _ in range(n):
            f(1)
    def py_loop():
        f = lambda x: x  # noqa: E731 - the same call made to a Python function
        for _ in range(n):
            f(1)
    t = interleaved({"bridge.noop": noop_loop, "python lambda": py_loop}, rounds=7)
    print("| call | ns per call |\n|---|---:|")
    for name, seconds in t.items():
        print(f"| {name} | {seconds / n * 1e9:.0f} |")
    print()

    loop = asyncio.new_event_loop()
    run = loop.run_until_complete

    # 2. await pipeline.run(): native vs pure Python.
    rng = np.random.default_rng(0)
    t_axis = np.arange(48000 * 10) / 48000
    ten_s = np.stack([0.3 * np.sin(2 * np.pi * 440 * t_axis), 0.2 * np.sin(2 * np.pi * 1000 * t_axis)]).astype(np.float32)
    ten_s += (rng.standard_normal(ten_s.shape) * 0.01).astype(np.float32)
    frame = np.ascontiguousarray(ten_s[:, :1440])  # 30 ms at 48 kHz
    audio = Pipeline([AudioResampleNode(target_sample_rate=16000), FormatConverterNode(target_format="i16"), VADNode()])
    math3 = Pipeline([MultiplyNode(factor=2), AddNode(addend=10), PassThroughNode()])
    rows = []
    for label, pipeline, data, rounds in [
        ("3 math nodes, list of 3 numbers", math3, [1, 2, 3], 300),
        ("resample+i16+VAD, one 30 ms frame", audio, (frame, 48000), 200),
        ("resample+i16+VAD, 10 s stereo 48 kHz", audio, (ten_s, 48000), 15),
    ]:
        t = interleaved({
            "native": lambda p=pipeline, d=data: run(p.run(d)),
            "python": lambda p=pipeline, d=data: run(p.run(d, use_native=False)),
        }, rounds=rounds)
        rows.append((label, t["native"], t["python"]))
    print("| `await pipeline.run()` | native (median) | pure Python (median) | speed-up |\n|---|---:|---:|---:|")
    for label, native, python in rows:
        print(f"| {label} | {native * 1e6:.0f} µs | {python * 1e6:.0f} µs | {python / native:.1f}× |")
    print()

    # 3. Crossing into a Python node inside a native pipeline, per item.
    json_items = list(range(200))
    without = Pipeline([PassThroughNode(), PassThroughNode()])
    with_py = Pipeline([PassThroughNode(), PyPass(), PassThroughNode()])
    t_json = interleaved({
        "native only": lambda: run(without.run(json_items)),
        "with Python node": lambda: run(with_py.run(json_items)),
    }, rounds=30)
    t_audio = interleaved({
        "native only": lambda: run(without.run((ten_s, 48000))),
        "with Python node": lambda: run(with_py.run((ten_s, 48000))),
    }, rounds=30)
    per_json = (t_json["with Python node"] - t_json["native only"]) / len(json_items)
    per_audio = t_audio["with Python node"] - t_audio["native only"]
    print("| crossing into a Python node | µs per item |\n|---|---:|")
    print(f"| json item (an int) | {per_json * 1e6:.1f} |")
    print(f"| 10 s stereo f32 audio (3.8 MB, zero-copy) | {per_audio * 1e6:.1f} |")
    loop.close()


if __name__ == "__main__":
    main()
