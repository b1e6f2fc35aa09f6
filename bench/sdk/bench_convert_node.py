"""FormatConverterNode i16 -> f32 the way a script calls it — a direct
`node.process((x, rate))` on the native runtime — against a memcpy of the
output (numpy `copyto` into a reused 4 MB array) and numpy's own
`astype(float32) * (1/32768)`, at 1,000,000 samples (issue #14's target:
<= 1.0x the memcpy) and at smaller sizes, where the call's fixed cost shows.

    .venv/bin/python bench/sdk/bench_convert_node.py [--rounds 301]

Interleaved (A B C A B C ...), medians; prints the CPU model and the
kernel variant the runtime's resolver picks on this CPU.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_sdk import cpu_model, interleaved  # noqa: E402

from remotemedia.nodes.audio import FormatConverterNode  # noqa: E402


def dispatched_variant() -> str:
    """What plugins/common/convert.c's target_clones resolver picks for
    integer -> float (avx2 where the CPU has it)."""
    flags = set()
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("flags"):
            flags = set(line.split(":", 1)[1].split())
            break
    return "avx2 clone" if "avx2" in flags else "x86-64 baseline"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", type=int, default=301)
    args = ap.parse_args()
    node = FormatConverterNode(target_format="f32")
    print(f"\nCPU: {cpu_model()}; i16->f32 kernel: {dispatched_variant()}; median of {args.rounds}, interleaved\n")
    print("| samples | node.process() µs | memcpy of the output µs | numpy astype µs | node / memcpy |")
    print("|---:|---:|---:|---:|---:|")
    for n in (1_000, 100_000, 1_000_000):
        x = ((np.arange(n) * 7919) % 65536 - 32768).astype(np.int16).reshape(1, -1)
        src = np.zeros(n, np.float32)
        dst = np.empty_like(src)
        out = node.process((x, 48000))
        if node.last_runtime != "native":
            raise SystemExit("FormatConverterNode did not run natively: is the native runtime installed?")
        expected = x.astype(np.float32) / 32768.0
        if not np.array_equal(np.asarray(out[0]).reshape(1, -1), expected):
            raise SystemExit("node output differs from x / 32768")
        t = interleaved({
            "node": lambda: node.process((x, 48000)),
            "memcpy": lambda: np.copyto(dst, src),
            "numpy": lambda: x.astype(np.float32) * np.float32(1 / 32768),
        }, args.rounds)
        print(f"| {n:,} | {t['node'] * 1e6:.1f} | {t['memcpy'] * 1e6:.1f} | {t['numpy'] * 1e6:.1f} | "
              f"{t['node'] / t['memcpy']:.2f}× |")


if __name__ == "__main__":
    main()
