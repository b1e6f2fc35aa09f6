"""Live stream density (issue #13): N concurrent streams in one process,
pinned to one core, each pushing a 10 ms 48 kHz stereo chunk every 10 ms
(real-time pace) through resample 48→16 kHz + VAD. Reports, per N, the p99
added latency: from the moment a chunk was due to the moment the pipeline
was done with it (its outputs yielded, the next chunk asked for). The
largest N whose p99 stays under 10 ms is the density.

Compared: ``Pipeline.process()`` (one native session per stream) and the
same work hand-written in asyncio + numpy + python-soxr.

Run: .venv/bin/python bench/sdk/bench_density.py [N ...]   (default 50 100 200 400 800)
"""

from __future__ import annotations

import asyncio
import os
import sys
import time
from typing import Any, AsyncIterator, Callable, List

import numpy as np

import remotemedia
from remotemedia import Pipeline
from remotemedia.nodes.audio import AudioResampleNode, VADNode

sys.path.insert(0, __file__.rsplit("/", 1)[0])
from bench_sdk import cpu_model  # noqa: E402

SECONDS = 3.0
WARMUP_S = 0.5
CHUNK_S = 0.010


def chunk() -> Any:
    t = np.arange(480) / 48000
    x = np.stack([0.3 * np.sin(2 * np.pi * 440 * t), 0.2 * np.sin(2 * np.pi * 1000 * t)]).astype(np.float32)
    return np.ascontiguousarray(x), 48000


def paced(item: Any, start: float, latencies: List[float]) -> AsyncIterator[Any]:
    """Yield ``item`` every 10 ms from ``start``; record, for each, how long
    after it was due the consumer came back for the next one."""

    async def gen() -> AsyncIterator[Any]:
        loop = asyncio.get_running_loop()
        count = int(SECONDS / CHUNK_S)
        for k in range(count):
            due = start + k * CHUNK_S
            delay = due - loop.time()
            if delay > 0:
                await asyncio.sleep(delay)
            yield item
            if k * CHUNK_S >= WARMUP_S:
                latencies.append(loop.time() - due)

    return gen()


async def native_stream(p: Pipeline, start: float, latencies: List[float]) -> None:
    async for _ in p.process(paced(chunk(), start, latencies)):
        pass


async def hand_stream(_p: Any, start: float, latencies: List[float]) -> None:
    import soxr

    resampler = soxr.ResampleStream(48000, 16000, 2, dtype="float32", quality="HQ")
    async for samples, _rate in paced(chunk(), start, latencies):
        out = resampler.resample_chunk(samples.T).T
        mono = out.mean(axis=0)
        n = mono.shape[0] // 480
        if n:
            energies = np.sqrt(np.mean(mono[: n * 480].reshape(n, 480) ** 2, axis=1))
            _ = bool((energies > 0.02).any())


def p99_ms(streams: int, fn: Callable[..., Any]) -> float:
    p = Pipeline([AudioResampleNode(target_sample_rate=16000), VADNode()])

    async def main() -> List[float]:
        loop = asyncio.get_running_loop()
        latencies: List[float] = []
        start = loop.time() + 0.2
        # Streams start spread over one chunk period, as live calls would.
        await asyncio.gather(*(fn(p, start + (i % 10) * CHUNK_S / 10, latencies) for i in range(streams)))
        return latencies

    latencies = asyncio.run(main())
    return float(np.percentile(latencies, 99)) * 1e3 if latencies else float("nan")


def main() -> None:
    if not remotemedia.is_native_runtime_available():
        sys.exit("native runtime not installed: run `make sdk` first")
    try:
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
        pinned = "pinned to one core"
    except (AttributeError, OSError):
        pinned = "NOT pinned"
    os.environ.setdefault("REMOTEMEDIA_WORKERS", "1")
    counts = [int(a) for a in sys.argv[1:]] or [50, 100, 200, 400, 800]
    print(f"# Live density — {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, CPU: {cpu_model()}, {pinned}")
    print("# command: .venv/bin/python bench/sdk/bench_density.py " + " ".join(map(str, counts)) + "\n")
    print("| streams | `process()` p99 added latency | hand-written asyncio + numpy + soxr p99 |\n|---:|---:|---:|")
    for n in counts:
        native = p99_ms(n, native_stream)
        hand = p99_ms(n, hand_stream)
        print(f"| {n} | {native:.2f} ms | {hand:.2f} ms |", flush=True)


if __name__ == "__main__":
    main()
