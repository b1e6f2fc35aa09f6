#!/usr/bin/env python3
"""Performance fuzzing of manifest handling (#21.7): time and memory per
input byte.

For the manifest fuzzer's corpus (tests/fuzz/corpus/manifest), random
byte-level mutations of it, and generated families of growing size (the
shapes that were quadratic or unbounded: duplicate ids, many independent
nodes, a long chain, the Fibonacci ladder, deep nesting, long strings), run
`rmrun MANIFEST --input []` (parse, validate, compile, an empty run, print
the result) and measure wall time and peak RSS (wait4). Per family it
prints µs and bytes of RSS (GNU time's %M) per input byte at each size and the growth
exponent of time between the two largest sizes (1.0 = linear; above
PERF_FUZZ_MAX_EXPONENT, default 1.5, is reported as SUPERLINEAR and the
script exits 1).

Usage: perf_fuzz.py RMRUN [--sizes 1000,4000,16000] [--mutations N] [--seed S]
"""
import argparse
import json
import math
import os
import pathlib
import random
import subprocess
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parents[2]
CORPUS = ROOT / "tests/fuzz/corpus/manifest"


def node(i, node_id=None):
    return {"id": node_id or f"n{i}", "node_type": "PassThroughNode"}


def family_duplicates(n):
    return {"version": "v1", "nodes": [node(i, "same") for i in range(n)]}


def family_independent(n):
    return {"version": "v1", "nodes": [node(i) for i in range(n)]}


def family_chain(n):
    return {"version": "v1", "nodes": [node(i) for i in range(n)],
            "connections": [{"from": f"n{i}", "to": f"n{i + 1}"}
                            for i in range(n - 1)]}


def family_ladder(n):
    m = family_chain(n)
    m["connections"] += [{"from": f"n{i}", "to": f"n{i + 2}"}
                         for i in range(n - 2)]
    return m


def family_nesting(n):
    depth = min(n // 10, 900)  # cJSON's limit is 1000
    meta = 0
    for _ in range(depth):
        meta = [meta]
    return {"version": "v1", "metadata": {"deep": meta},
            "nodes": [node(i) for i in range(max(1, n // 100))]}


def family_long_string(n):
    return {"version": "v1", "metadata": {"note": "x" * (n * 50)},
            "nodes": [node(0)]}


FAMILIES = {"duplicate ids": family_duplicates,
            "independent nodes": family_independent,
            "chain": family_chain, "ladder (validation)": family_ladder,
            "nested metadata": family_nesting, "long string": family_long_string}


def measure(rmrun, data):
    """Wall time and peak RSS of one rmrun. RSS through GNU time: wait4's
    ru_maxrss of a child forked from this Python counts Python's own pages
    from before the exec."""
    with tempfile.NamedTemporaryFile("wb", suffix=".json", delete=False) as f:
        f.write(data)
        path = f.name
    try:
        start = time.perf_counter()
        proc = subprocess.run(["/usr/bin/time", "-f", "rss_kb=%M", rmrun, path,
                               "--input", "[]"], stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE, text=True, errors="replace")
        elapsed = time.perf_counter() - start
    finally:
        os.unlink(path)
    lines = proc.stderr.strip().splitlines()
    if not lines or not lines[-1].startswith("rss_kb="):
        raise SystemExit(f"no measurement for a {len(data)}-byte manifest: "
                         f"{proc.stderr[-300:]}")
    code = proc.returncode
    for line in lines:
        if line.startswith("Command terminated by signal"):
            raise SystemExit(f"rmrun died ({line}) on a {len(data)}-byte manifest")
    return elapsed, int(lines[-1][len("rss_kb="):]) * 1024, code


def mutate(data, rng):
    data = bytearray(data)
    for _ in range(rng.randint(1, 8)):
        op = rng.randrange(3)
        pos = rng.randrange(len(data) + 1)
        if op == 0 and data:
            data[min(pos, len(data) - 1)] = rng.randrange(256)
        elif op == 1:
            data[pos:pos] = data[rng.randrange(len(data)):][:rng.randint(1, 64)]
        elif data:
            del data[pos:pos + rng.randint(1, 16)]
    return bytes(data)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("rmrun")
    ap.add_argument("--sizes", default="1000,4000,16000")
    ap.add_argument("--mutations", type=int, default=200)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    max_exp = float(os.environ.get("PERF_FUZZ_MAX_EXPONENT", "1.5"))
    bad = 0

    print("| input | bytes | exit | time ms | µs/byte | peak RSS MB | RSS bytes/byte |")
    print("|---|---|---|---|---|---|---|")
    corpus = sorted(CORPUS.iterdir())
    worst = (0.0, "")
    for path in corpus:
        data = path.read_bytes()
        t, rss, code = measure(args.rmrun, data)
        print(f"| corpus/{path.name} | {len(data)} | {code} | {t * 1e3:.1f} | "
              f"{t * 1e6 / max(len(data), 1):.2f} | {rss / 2**20:.1f} | "
              f"{rss / max(len(data), 1):.0f} |")
    rng = random.Random(args.seed)
    mut_times = []
    for _ in range(args.mutations):
        data = mutate(rng.choice(corpus).read_bytes(), rng)
        t, rss, code = measure(args.rmrun, data)
        per = t * 1e6 / max(len(data), 1)
        mut_times.append(per)
        worst = max(worst, (per, f"{len(data)} bytes, exit {code}"))
    if mut_times:
        mut_times.sort()
        print(f"| {args.mutations} mutations (seed {args.seed}) | | | | "
              f"median {mut_times[len(mut_times) // 2]:.2f}, worst {worst[0]:.2f} "
              f"({worst[1]}) | | |")
    print()
    print("| family | nodes | bytes | exit | time ms | µs/byte | peak RSS MB | "
          "time growth exponent |")
    print("|---|---|---|---|---|---|---|---|")
    for name, make in FAMILIES.items():
        rows = []
        for n in sizes:
            data = json.dumps(make(n)).encode()
            t, rss, code = measure(args.rmrun, data)
            rows.append((n, len(data), t, rss, code))
        for k, (n, size, t, rss, code) in enumerate(rows):
            exp = ""
            if k:
                _, size0, t0, _, _ = rows[k - 1]
                exp = f"{math.log(t / t0) / math.log(size / size0):.2f}"
                if k == len(rows) - 1 and float(exp) > max_exp:
                    exp += " SUPERLINEAR"
                    bad += 1
            print(f"| {name} | {n} | {size} | {code} | {t * 1e3:.1f} | "
                  f"{t * 1e6 / size:.3f} | {rss / 2**20:.1f} | {exp} |")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
