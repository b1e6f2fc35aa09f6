"""Streaming benchmarks (issue #13): the paths a user takes, side by side.

1. ``Pipeline.process()`` over 1,000 chunks of 10 ms, 48 kHz stereo, through
   resample 48→16 kHz → i16 → VAD: native session vs the pure-Python path vs
   a hand-written asyncio + numpy + python-soxr loop doing the same work.
2. ``await pipeline.run()`` of a cached 3-node math pipeline (3 numbers).
3. A direct ``FormatConverterNode("i16").process((x, sr))`` on 1 M samples
   vs numpy's clip-and-astype (and the pure-Python node).
4. 4K frames (uint8 2160×3840×3) through Python → native → Python node →
   out, in run() and process(): frames/s and µs of overhead per frame, and
   whether the output is the input's memory (zero copy).

Run: .venv/bin/python bench/sdk/bench_streaming.py   (or bench/run.sh streaming)

Method (BENCHMARKS.md): warm up, interleave the compared cases (A B C A B
C ...), report medians and ratios from the same run.
"""

from __future__ import annotations

import asyncio
import platform
import statistics
import sys
import time
from typing import Any, AsyncIterator, Awaitable, Callable, Dict, List

import numpy as np

import remotemedia
from remotemedia import Node, Pipeline
from remotemedia.nodes.audio import AudioResampleNode, FormatConverterNode, VADNode
from remotemedia.nodes.base import PassThroughNode
from remotemedia.nodes.simple_math import AddNode, MultiplyNode

sys.path.insert(0, __file__.rsplit("/", 1)[0])
from bench_sdk import cpu_model, interleaved  # noqa: E402


def interleaved_async(loop: asyncio.AbstractEventLoop, cases: Dict[str, Callable[[], Awaitable[Any]]],
                      rounds: int, warmup: int = 2) -> Dict[str, float]:
    """Median seconds per round of each case, measured A B C A B C ..."""
    for _ in range(warmup):
        for fn in cases.values():
            loop.run_until_complete(fn())
    samples: Dict[str, List[float]] = {name: [] for name in cases}
    for _ in range(rounds):
        for name, fn in cases.items():
            start = time.perf_counter()
            loop.run_until_complete(fn())
            samples[name].append(time.perf_counter() - start)
    return {name: statistics.median(v) for name, v in samples.items()}



# -- 1. process() over 10 ms chunks ------------------------------------------

CHUNKS = 1000


def make_chunks() -> List[Any]:
    rng = np.random.default_rng(0)
    t = np.arange(480 * CHUNKS) / 48000
    x = np.stack([0.3 * np.sin(2 * np.pi * 440 * t), 0.2 * np.sin(2 * np.pi * 1000 * t)]).astype(np.float32)
    x[:, (t % 2.0) > 1.2] *= 0.001  # pauses, so the VAD has something to decide
    x += (rng.standard_normal(x.shape) * 0.002).astype(np.float32)
    return [(np.ascontiguousarray(x[:, i * 480:(i + 1) * 480]), 48000) for i in range(CHUNKS)]


async def hand_written(chunks: List[Any]) -> int:
    """The same work as resample → i16 → VAD, written the usual way: an
    async generator per chunk, python-soxr's stream resampler, numpy."""
    import soxr

    async def source() -> AsyncIterator[Any]:
        for chunk in chunks:
            yield chunk

    async def pipeline(stream: AsyncIterator[Any]) -> AsyncIterator[Any]:
        resampler = soxr.ResampleStream(48000, 16000, 2, dtype="float32", quality="HQ")
        frame = 480  # 30 ms at 16 kHz
        async for samples, rate in stream:
            out = resampler.resample_chunk(samples.T).T  # (2, n)
            pcm = np.clip(np.rint(out * 32768.0), -32768, 32767).astype(np.int16)
            mono = pcm.astype(np.float32).mean(axis=0) / 32768.0
            n = mono.shape[0] // frame
            energies = np.sqrt(np.mean(mono[: n * frame].reshape(n, frame) ** 2, axis=1)) if n else np.zeros(0)
            speech = int((energies > 0.02).sum())
            yield pcm, 16000, {"is_speech": speech > 0, "speech_frames": speech, "total_frames": n}

    count = 0
    async for _ in pipeline(source()):
        count += 1
    return count


def bench_process(loop: asyncio.AbstractEventLoop) -> None:
    chunks = make_chunks()
    p = Pipeline([AudioResampleNode(target_sample_rate=16000), FormatConverterNode(target_format="i16"), VADNode()])

    async def native() -> None:
        async for _ in p.process(chunks):
            pass

    async def python() -> None:
        async for _ in p.process(chunks, use_native=False):
            pass

    async def manual() -> None:
        await hand_written(chunks)

    t = interleaved_async(loop, {"native": native, "python": python, "hand": manual}, rounds=7)
    per = {k: v / CHUNKS * 1e6 for k, v in t.items()}
    print("| `process()` over 1,000 × 10 ms 48 kHz stereo, resample → i16 → VAD | µs per chunk (median) |")
    print("|---|---:|")
    print(f"| native session (`p.process(chunks)`) | {per['native']:.1f} |")
    print(f"| pure Python (`use_native=False`) | {per['python']:.1f} |")
    print(f"| hand-written asyncio + numpy + python-soxr loop | {per['hand']:.1f} |")
    print(f"| native / pure Python (target ≤ 0.20) | {per['native'] / per['python']:.3f} |")
    print(f"| native / hand-written (target ≤ 0.50) | {per['native'] / per['hand']:.3f} |")
    print()


# -- 2. await run() of a cached 3-node math pipeline -------------------------

def bench_run(loop: asyncio.AbstractEventLoop) -> None:
    p = Pipeline([MultiplyNode(factor=2), AddNode(addend=10), PassThroughNode()])
    n = 2000

    async def native() -> None:
        for _ in range(n):
            await p.run([1, 2, 3])

    async def python() -> None:
        for _ in range(n):
            await p.run([1, 2, 3], use_native=False)

    t = interleaved_async(loop, {"native": native, "python": python}, rounds=9)
    print("| `await p.run([1, 2, 3])`, cached 3-node math pipeline | µs per run (median) |\n|---|---:|")
    print(f"| native (target ≤ 10 µs; 51 µs before) | {t['native'] / n * 1e6:.1f} |")
    print(f"| pure Python | {t['python'] / n * 1e6:.1f} |")
    print()


# -- 3. direct FormatConverterNode call --------------------------------------

def bench_direct() -> None:
    x = (np.random.default_rng(1).standard_normal((1, 1_000_000)) * 0.3).astype(np.float32)
    native = FormatConverterNode(target_format="i16")
    python = FormatConverterNode(target_format="i16", runtime_hint="python")
    native.process((x, 48000))
    assert native.last_runtime == "native"
    t = interleaved({
        "native": lambda: native.process((x, 48000)),
        "numpy": lambda: np.clip(x * 32768.0, -32768, 32767).astype(np.int16),
        "python": lambda: python.process((x, 48000)),
    }, rounds=41)
    print("| `FormatConverterNode('i16').process((x, 48000))`, 1 M samples | ms (median) |\n|---|---:|")
    print(f"| direct call, native session | {t['native'] * 1e3:.3f} |")
    print(f"| numpy `clip(x * 32768).astype(int16)` | {t['numpy'] * 1e3:.3f} |")
    print(f"| direct call, `runtime_hint='python'` | {t['python'] * 1e3:.3f} |")
    print(f"| native / numpy (target ≤ 1.5) | {t['native'] / t['numpy']:.2f} |")
    print()


# -- 4. 4K frames ----------------------------------------------------------------

class Keep(Node):
    """A Python node that returns its input."""

    def process(self, data):
        return data


def bench_frames(loop: asyncio.AbstractEventLoop) -> None:
    frame = np.random.default_rng(2).integers(0, 255, (2160, 3840, 3), dtype=np.uint8)
    frames = [frame] * 100
    through = Pipeline([PassThroughNode(), Keep(), PassThroughNode()])
    pointer = frame.__array_interface__["data"][0]
    same = loop.run_until_complete(through.run(frame)).__array_interface__["data"][0] == pointer

    async def process_frames() -> None:
        async for out in through.process(frames):
            assert out.__array_interface__["data"][0] == pointer

    async def run_frames() -> None:
        for f in frames:
            await through.run(f)

    async def python_loop() -> None:  # the floor: the same hand-offs in plain Python
        async def gen():
            for f in frames:
                yield f
        async for f in gen():
            Keep().process(f)

    t = interleaved_async(loop, {"process": process_frames, "run": run_frames, "floor": python_loop}, rounds=9)
    per = {k: v / len(frames) * 1e6 for k, v in t.items()}
    print("| 4K frames (uint8 2160×3840×3, 24.9 MB) Python → native → Python node → out | value |\n|---|---:|")
    print(f"| output is the input's memory (zero copy) | {'yes' if same else 'NO'} |")
    print(f"| `process()`: frames/s | {1e6 / per['process']:.0f} |")
    print(f"| `process()`: µs per frame (aim ≤ 20) | {per['process']:.1f} |")
    print(f"| `await run(frame)` per frame: µs | {per['run']:.1f} |")
    print(f"| plain async-generator + Python call per frame (floor): µs | {per['floor']:.1f} |")
    print()


def main() -> None:
    if not remotemedia.is_native_runtime_available():
        sys.exit("native runtime not installed: run `make sdk` first")
    print(f"# Streaming benchmarks — {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, CPU: {cpu_model()}")
    print(f"# python {platform.python_version()}, numpy {np.__version__}; "
          f"command: .venv/bin/python bench/sdk/bench_streaming.py\n")
    loop = asyncio.new_event_loop()
    which = set(sys.argv[1:]) or {"process", "run", "direct", "frames"}
    if "process" in which:
        bench_process(loop)
    if "run" in which:
        bench_run(loop)
    if "direct" in which:
        bench_direct()
    if "frames" in which:
        bench_frames(loop)
    loop.close()


if __name__ == "__main__":
    main()
