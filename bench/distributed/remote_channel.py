"""A RemoteNode pipeline through NativeStage, one channel per process
(the pool of plugins/remote/channel_pool.c) against one per file
(REMOTEMEDIA_REMOTE_CHANNEL_POOL=0, as before the pool), interleaved,
medians; the server's log counts the TCP connections. Part of
bench_distributed.py; alone:

    .venv/bin/python bench/distributed/remote_channel.py [--files 200] [--repeats 5]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable, Dict, List

from remotemedia import batch as _batch

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tests" / "python"))

from interleave import interleaved  # noqa: E402
from remote_pipeline import remote_manifest  # noqa: E402

POOL_ENV = "REMOTEMEDIA_REMOTE_CHANNEL_POOL"


def serve(rmrun: str, log: Path) -> "tuple[subprocess.Popen, int]":
    """`rmrun serve` on a free loopback port, its log in a file (a pipe
    would fill up with one line per stream)."""
    with open(log, "w") as f:
        proc = subprocess.Popen([rmrun, "serve", "--listen", "127.0.0.1:0", "--no-auth"], stderr=f,
                                stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        found = re.search(r"listening on 127\.0\.0\.1:(\d+)", log.read_text())
        if found:
            return proc, int(found.group(1))
        time.sleep(0.05)
    proc.kill()
    raise RuntimeError(f"rmrun serve did not start: {log.read_text()}")


CHILD = r"""
import json, sys, time
from remotemedia.distributed import NativeStage
manifest, out, files = json.loads(sys.argv[1]), sys.argv[2], sys.argv[3:]
stage = NativeStage(manifest, out_dir=out).build()
assert all(r.status == "ok" for r in stage(files[:5]))  # warm-up: runtime, plugins, gRPC
start = time.perf_counter()
results = stage(files)
print(json.dumps({"s": time.perf_counter() - start, "failed": [r.error for r in results if r.status != "ok"][:1]}))
"""


def measure(rmrun: str, files: List[Path], repeats: int, work: Path) -> None:
    """Each run in a fresh process: an idle pooled channel left alive in
    the same process would let gRPC share its connection with the
    pool-off channels (gRPC shares a connected subchannel between live
    channels to the same target)."""
    log = work / "serve.log"
    proc, port = serve(rmrun, log)
    manifest = json.dumps(remote_manifest(f"127.0.0.1:{port}"))

    def run(pool: str) -> Callable[[], float]:
        def go() -> float:
            shutil.rmtree(work / "o-remote", ignore_errors=True)
            done = subprocess.run([sys.executable, "-c", CHILD, manifest, str(work / "o-remote"),
                                   *map(str, files)], env=dict(os.environ, **{POOL_ENV: pool}),
                                  capture_output=True, text=True, check=True)
            row = json.loads(done.stdout.strip().splitlines()[-1])
            assert not row["failed"], row["failed"]
            return row["s"]
        return go

    runners = {"one channel per process (pool)": run("1"), "a channel per file (pool off)": run("0")}
    peers: Dict[str, int] = {}
    logged = [0]  # lines of the log before the run

    def mark(name: str) -> None:
        logged[0] = len(log.read_text().splitlines())

    def count_peers(name: str) -> None:
        lines = "\n".join(log.read_text().splitlines()[logged[0]:])
        peers[name] = len(set(re.findall(r"stream \d+ from (\S+): node", lines)))

    try:
        times = interleaved(runners, repeats, before=mark, after=count_peers)
    finally:
        proc.terminate()
        proc.wait(timeout=60)
    base = statistics.median(times["a channel per file (pool off)"])
    print(f"\nRemoteNode (the resampler on `rmrun serve`, loopback) through NativeStage in one process, "
          f"{len(files)} files of 0.1 s, {repeats} interleaved repeats (a fresh process each), medians:\n")
    print("| channels | median s | ms/file | TCP connections per run | vs pool off |")
    print("|---|---|---|---|---|")
    for name, ts in times.items():
        med = statistics.median(ts)
        print(f"| {name} | {med:.3f} | {med / len(files) * 1e3:.2f} | {peers[name]} | {med / base:.2f}x |")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--files", type=int, default=200)
    ap.add_argument("--repeats", type=int, default=5)
    args = ap.parse_args()
    repo = Path(__file__).resolve().parents[2]
    sys.path.insert(0, str(repo / "bench" / "batch"))
    from bench_batch import make_files

    rmrun = _batch.find_rmrun()
    assert rmrun, "no rmrun (make sdk)"
    work = Path(tempfile.mkdtemp(prefix="rm-bench-remote-", dir="/tmp"))
    try:
        measure(rmrun, make_files(work / "tiny", args.files, 0.1), args.repeats, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
