#!/usr/bin/env python3
"""on_error across seeds (#21.8): how often a long stream with transient
failures completes, with "on_error": "fail" vs "skip".

A 3-node chain MultiplyNode -> Fault -> AddNode over 1,000 items; the Fault
node (tests/c/reliability/fault_nodes.c, mode "random", rate 0.10) fails
each call with a transient error with probability 0.10, seeded; retry
{"max_retries": 3, "initial_delay_ms": 0}. An item is lost when all 4 of
its attempts fail (p = 1e-4), so a run of 1,000 items stops under "fail"
with probability 1 - (1 - 1e-4)^1000 = 9.5 %. For each of SEEDS seeds and
each policy: does the run complete (rmrun exit 0), and how many items come
out. The same for the SDK's pure-Python executor (a Python node with the
same failure rate, seeded per run) unless --no-python.

Usage: bench_on_error.py RMRUN FAULT_PLUGIN_DIR [--seeds 200] [--items 1000]
"""
import argparse
import asyncio
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile


#: (label, on_error, breaker): the default breaker opens after 5
#: consecutive failed calls, and an open breaker refuses (so, under "skip",
#: drops) every item of its 30 s cool-down.
CONFIGS = [("fail", "fail", None), ("skip", "skip", None),
           ("skip, breaker off", "skip", {"failure_threshold": 0})]


def manifest(seed, policy, breaker):
    flaky = {"id": "flaky", "node_type": "Fault",
             "params": {"mode": "random", "rate": 0.1, "seed": seed},
             "retry": {"max_retries": 3, "initial_delay_ms": 0},
             "on_error": policy}
    if breaker:
        flaky["breaker"] = breaker
    return {"version": "v1", "nodes": [
        {"id": "mul", "node_type": "MultiplyNode", "params": {"factor": 1}},
        flaky,
        {"id": "add", "node_type": "AddNode", "params": {"addend": 0}}]}


def native_run(rmrun, plugins, seed, policy, breaker, items, workdir):
    path = os.path.join(workdir, f"m-{seed}.json")
    with open(path, "w") as f:
        json.dump(manifest(seed, policy, breaker), f)
    proc = subprocess.run([rmrun, "--plugins", plugins, path, "--input",
                           "@" + os.path.join(workdir, "input.json")],
                          capture_output=True, text=True)
    out = json.loads(proc.stdout) if proc.returncode == 0 else None
    if proc.returncode not in (0, 6):
        raise SystemExit(f"seed {seed} {policy}: exit {proc.returncode}: {proc.stderr[-400:]}")
    if out is None:  # stopped: how far did it get? rmrun names the first lost input
        marker = "input items "
        text = proc.stderr
        first = int(text[text.index(marker) + len(marker):].split("..")[0]) if marker in text else 0
        return False, first
    return True, len(out)


def python_runs(seeds, items, policy, breaker):
    from remotemedia import Node, Pipeline, TransientError

    class RandomFault(Node):
        def __init__(self, seed=1, **kwargs):
            super().__init__(**kwargs)
            self.rng = random.Random(seed)

        def process(self, data):
            if self.rng.random() < 0.1:
                raise TransientError("injected random transient failure")
            return data

    results = []
    for seed in seeds:
        node = RandomFault(seed=seed, on_error=policy, breaker=breaker,
                           retry={"max_retries": 3, "initial_delay_ms": 0})
        pipeline = Pipeline([node], enable_metrics=True)
        try:
            out = asyncio.run(pipeline.run(list(range(items)), use_native=False))
            results.append((True, len(out)))
        except Exception:
            processed = pipeline.get_metrics()["node_metrics"][0]["items_out"]
            results.append((False, processed))
    return results


def summarize(label, results, items):
    done = sum(1 for ok, _ in results if ok)
    processed = [n for _, n in results]
    print(f"| {label} | {len(results)} | {done} ({100.0 * done / len(results):.1f} %) | "
          f"{100.0 * sum(processed) / (items * len(results)):.3f} % | "
          f"{statistics.median(processed):.0f} | {min(processed)} |")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("rmrun")
    ap.add_argument("plugins")
    ap.add_argument("--seeds", type=int, default=200)
    ap.add_argument("--items", type=int, default=1000)
    ap.add_argument("--no-python", action="store_true")
    args = ap.parse_args()
    seeds = range(1, args.seeds + 1)
    print("| executor, on_error | runs | runs completed | items processed (all runs) | "
          "median items per run | fewest |")
    print("|---|---:|---:|---:|---:|---:|")
    with tempfile.TemporaryDirectory() as workdir:
        with open(os.path.join(workdir, "input.json"), "w") as f:
            json.dump(list(range(args.items)), f)
        for label, policy, breaker in CONFIGS:
            results = [native_run(args.rmrun, args.plugins, s, policy, breaker, args.items, workdir)
                       for s in seeds]
            summarize(f"native (rmrun), {label}", results, args.items)
    if not args.no_python:
        for label, policy, breaker in CONFIGS:
            summarize(f"pure Python, {label}", python_runs(seeds, args.items, policy, breaker), args.items)
    return 0


if __name__ == "__main__":
    sys.exit(main())
