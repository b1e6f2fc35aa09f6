"""What arming Ctrl-C costs a native run called on the main thread
(python/src/bridge_cancel.c: one sigaction query and two atomic stores per
call) against the same run on another thread (not armed): the cheapest
run there is, one PassThroughNode item inline (exec_policy 2), interleaved
rounds, medians.

    .venv/bin/python bench/sdk/bench_cancel_overhead.py [--rounds 9] [--runs 20000]
"""

from __future__ import annotations

import argparse
import json
import statistics
import threading
import time

from remotemedia._native import _bridge


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=9)
    ap.add_argument("--runs", type=int, default=20000)
    args = ap.parse_args()
    manifest = {"version": "v1", "nodes": [{"id": "p", "node_type": "PassThroughNode", "params": {}}]}
    compiled = _bridge.Runtime().compile(json.dumps(manifest))
    items = [(3, "[1]", None)]

    def loop(out: list) -> None:
        start = time.perf_counter()
        for _ in range(args.runs):
            compiled.run(items, exec_policy=2)
        out.append((time.perf_counter() - start) / args.runs * 1e6)

    armed: list = []
    plain: list = []
    for _ in range(args.rounds):
        loop(armed)
        thread = threading.Thread(target=loop, args=(plain,))
        thread.start()
        thread.join()
    a, p = statistics.median(armed), statistics.median(plain)
    print(f"main thread (Ctrl-C armed): {a:.2f} us/run; other thread: {p:.2f} us/run; "
          f"difference {a - p:+.2f} us ({a / p:.2f}x)")


if __name__ == "__main__":
    main()
