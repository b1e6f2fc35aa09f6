#!/usr/bin/env python3
"""The metrics documents of both executors against docs/metrics.schema.json,
and rmrun's --metrics / --trace / --summary end to end.

Usage: check_metrics_schema.py <source-dir> <rmrun> <plugin-dir> <test-plugin-dir>
Exit 0 = ok, 1 = failures, 77 = jsonschema not installed (ctest: skipped).

Checks:
  * the schema is a valid draft 2020-12 schema and rejects broken documents;
  * the example in docs/metrics.md validates;
  * rmrun --metrics on native pipelines (ok and failing runs) validates, and
    its numbers are consistent (a 20 ms sleeper shows ~20 ms, p50 <= p99);
  * rmrun --trace is trace-event JSON: one "X" event per node call, every
    tid named, timestamps within the run;
  * rmrun --summary prints the table on stderr, slowest node first;
  * a Python node run by the native runtime (CPython adapter, when built)
    reports implementation "python" and its module.Class;
  * the pure-Python SDK's get_metrics() validates against the same schema.
"""
import copy
import json
import os
import pathlib
import re
import subprocess
import sys
import tempfile

try:
    import jsonschema
except ImportError:
    print("jsonschema is not installed: skipped")
    sys.exit(77)

root = pathlib.Path(sys.argv[1])
rmrun, plugin_dir, test_plugin_dir = sys.argv[2], sys.argv[3], sys.argv[4]
schema = json.loads((root / "docs/metrics.schema.json").read_text())
jsonschema.Draft202012Validator.check_schema(schema)
validator = jsonschema.Draft202012Validator(
    schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)
failures = 0


def fail(message):
    global failures
    print("FAIL:", message)
    failures += 1


def check_valid(doc, what):
    errors = sorted(validator.iter_errors(doc), key=lambda e: list(e.path))
    for e in errors[:10]:
        fail(f"{what}: {e.json_path}: {e.message}")
    return not errors


def check_consistent(doc, what):
    """Numbers that must hold in any valid run."""
    for n in doc["node_metrics"]:
        where = f"{what} node {n['node_id']}"
        if n["calls"]:
            chain = [n["min_duration_us"], n["avg_duration_us"], n["max_duration_us"]]
            if not chain[0] <= chain[1] <= chain[2] + 1e-3:
                fail(f"{where}: min <= avg <= max broken: {chain}")
            if n["p50_duration_us"] is not None and not (
                    n["min_duration_us"] <= n["p50_duration_us"] <= n["p99_duration_us"]
                    <= n["max_duration_us"]):
                fail(f"{where}: min <= p50 <= p99 <= max broken")
            if abs(n["avg_duration_us"] * n["calls"] - n["total_duration_us"]) > 0.001 * n["calls"] + 1e-6:
                fail(f"{where}: avg * calls != total")
            if n["first_start_us"] is not None and not (
                    0 <= n["first_start_us"] <= n["last_end_us"] <= doc["total_duration_us"]):
                fail(f"{where}: timestamps outside the run")
        if n["total_duration_us"] > doc["total_duration_us"] + 1:
            fail(f"{where}: busier than the run lasted")
    ids = [n["node_id"] for n in doc["node_metrics"]]
    if not set(doc["execution_order"]) <= set(ids):
        fail(f"{what}: execution_order names unknown nodes")


def rmrun_run(manifest, args, env=None, expect=0):
    with tempfile.TemporaryDirectory() as tmp:
        path = pathlib.Path(tmp) / "m.json"
        path.write_text(json.dumps(manifest))
        metrics, trace = pathlib.Path(tmp) / "metrics.json", pathlib.Path(tmp) / "trace.json"
        cmd = [rmrun, "--plugins", plugin_dir, "--plugins", test_plugin_dir, str(path),
               "--metrics", str(metrics), "--trace", str(trace), "--summary"] + args
        full_env = dict(os.environ, REMOTEMEDIA_PLUGIN_PATH="")
        full_env.update(env or {})
        proc = subprocess.run(cmd, capture_output=True, text=True, env=full_env, timeout=120)
        if proc.returncode != expect:
            fail(f"rmrun exit {proc.returncode} (expected {expect}): {proc.stderr[-2000:]}")
            return None, None, proc.stderr
        return json.loads(metrics.read_text()), json.loads(trace.read_text()), proc.stderr


def check_trace(trace, metrics, what):
    events = trace.get("traceEvents")
    if not isinstance(events, list):
        fail(f"{what}: no traceEvents list")
        return
    named = {e["tid"] for e in events if e.get("ph") == "M" and e.get("name") == "thread_name"}
    calls = {}
    for e in events:
        if e.get("ph") not in ("X", "i", "M"):
            fail(f"{what}: unexpected phase {e.get('ph')}")
        for key in ("name", "ph", "pid", "tid"):
            if key not in e:
                fail(f"{what}: event without {key}: {e}")
        if e.get("ph") == "X":
            if not (isinstance(e.get("ts"), (int, float)) and isinstance(e.get("dur"), (int, float))):
                fail(f"{what}: X event without ts/dur: {e}")
                continue
            if e["tid"] not in named:
                fail(f"{what}: tid {e['tid']} has no thread_name")
            if e["ts"] < 0 or e["ts"] > metrics["total_duration_us"] + 1:
                fail(f"{what}: event outside the run: {e}")
            if e.get("cat") in ("process", "generate", "flush"):
                node = e["args"]["node_id"]
                calls[node] = calls.get(node, 0) + 1
    for n in metrics["node_metrics"]:
        if calls.get(n["node_id"], 0) != n["calls"]:
            fail(f"{what}: node {n['node_id']}: {calls.get(n['node_id'], 0)} X events "
                 f"for {n['calls']} calls")


# ---- the schema rejects broken documents -----------------------------------

NODE = {"node_id": "a", "node_type": "T", "implementation": "native", "plugin": "/p.so",
        "python_class": None, "status": "ok", "calls": 1, "total_duration_us": 1.5,
        "min_duration_us": 1.5, "max_duration_us": 1.5, "avg_duration_us": 1.5,
        "p50_duration_us": 1.5, "p99_duration_us": 1.5, "first_start_us": 0.5,
        "last_end_us": 2.0, "items_in": 1, "items_out": 1, "bytes_in": 8, "bytes_out": 8,
        "peak_memory_bytes": 0, "errors": 0, "retries": 0, "circuit_state": None,
        "timeouts": 0, "abandoned_calls": 0, "workers_replaced": 0, "skipped_items": 0,
        "retry_wait_us": 0.0, "breaker_rejections": 0, "queue_high_water": 1, "inline_calls": 1}
DOC = {"schema": "remotemedia.metrics/1", "pipeline_id": "p", "runtime": "native",
       "status": "ok", "error": None, "started_at": "2026-11-22T12:00:00.000001Z",
       "started_at_us": 1795348800000001, "finished_at": "2026-11-22T12:00:00.000004Z",
       "total_duration_us": 3.0, "detailed": True, "execution_order": ["a"],
       "node_metrics": [NODE]}
check_valid(DOC, "hand-written valid document")


def mutated(change):
    doc = copy.deepcopy(DOC)
    change(doc)
    return doc


bad = {
    "wrong schema id": mutated(lambda d: d.update(schema="remotemedia.metrics/2")),
    "unknown runtime": mutated(lambda d: d.update(runtime="rust")),
    "missing node_metrics": mutated(lambda d: d.pop("node_metrics")),
    "unknown top-level key": mutated(lambda d: d.update(nodes=[])),
    "timestamp without microseconds": mutated(lambda d: d.update(started_at="2026-11-22T12:00:00Z")),
    "node without node_id": mutated(lambda d: d["node_metrics"][0].pop("node_id")),
    "negative calls": mutated(lambda d: d["node_metrics"][0].update(calls=-1)),
    "fractional calls": mutated(lambda d: d["node_metrics"][0].update(calls=1.5)),
    "unknown implementation": mutated(lambda d: d["node_metrics"][0].update(implementation="gpu")),
    "unknown node status": mutated(lambda d: d["node_metrics"][0].update(status="done")),
    "unknown circuit state": mutated(lambda d: d["node_metrics"][0].update(circuit_state="broken")),
    "old rmrun key": mutated(lambda d: d["node_metrics"][0].update(peak_bytes=1)),
    "error without message": mutated(lambda d: d.update(status="failed", error={"code": "EIO"})),
}
for name, doc in bad.items():
    if validator.is_valid(doc):
        fail(f"schema accepts a broken document: {name}")

# ---- the example in docs/metrics.md is a valid document ---------------------

examples = re.findall(r"```json\n(.*?)```", (root / "docs/metrics.md").read_text(), re.S)
if not examples:
    fail("docs/metrics.md has no ```json example")
for i, text in enumerate(examples):
    doc = json.loads(text)
    if check_valid(doc, f"docs/metrics.md example {i + 1}"):
        check_consistent(doc, f"docs/metrics.md example {i + 1}")

# ---- native runs through rmrun --------------------------------------------

chain = {"version": "v1", "metadata": {"name": "metrics-check"}, "nodes": [
    {"id": "pass", "node_type": "PassThroughNode"},
    {"id": "sleep", "node_type": "MetSleep", "params": {"ms": 20}},
    {"id": "alloc", "node_type": "MetAlloc", "params": {"bytes": 8388608}},
    {"id": "mul", "node_type": "MultiplyNode", "params": {"factor": 2}}]}
for policy in ("auto", "pool", "inline"):
    what = f"rmrun chain --exec {policy}"
    metrics, trace, stderr = rmrun_run(chain, ["--input", "[1, 2, 3]", "--exec", policy])
    if metrics is None:
        continue
    if check_valid(metrics, what):
        check_consistent(metrics, what)
    check_trace(trace, metrics, what)
    nodes = {n["node_id"]: n for n in metrics["node_metrics"]}
    if metrics["execution_order"] != ["pass", "sleep", "alloc", "mul"]:
        fail(f"{what}: execution_order {metrics['execution_order']}")
    # Lower bounds only (a sleep never ends early; how late it ends depends on
    # the machine's load); the upper bound is the run's own total, checked by
    # check_consistent.
    if not 3 * 18000 <= nodes["sleep"]["total_duration_us"]:
        fail(f"{what}: sleeper total {nodes['sleep']['total_duration_us']} us for 3 x 20 ms")
    if not 18000 <= nodes["sleep"]["p50_duration_us"]:
        fail(f"{what}: sleeper p50 {nodes['sleep']['p50_duration_us']}")
    if nodes["alloc"]["peak_memory_bytes"] < 8388608:
        fail(f"{what}: allocator peak {nodes['alloc']['peak_memory_bytes']} < 8 MiB")
    if "rm_math" not in (nodes["mul"]["plugin"] or ""):
        fail(f"{what}: mul plugin {nodes['mul']['plugin']}")
    table = [line for line in stderr.splitlines() if line.strip()]
    header = next((i for i, line in enumerate(table) if line.startswith("node ")), None)
    # Sorted by measured time: usually the sleeper, but on a loaded machine the
    # 8 MiB allocator can take longer; compare with the run's own numbers.
    slowest = max(nodes.values(), key=lambda n: n["total_duration_us"])["node_id"]
    if header is None or not table[header + 1].startswith(slowest + " "):
        fail(f"{what}: --summary should list the slowest node ({slowest}) first:\n{stderr}")

failing = {"version": "v1", "nodes": [
    {"id": "a", "node_type": "PassThroughNode"},
    {"id": "f", "node_type": "MetFail", "params": {"at": 1}}]}
# MetFail fails with EIO, which rmrun reports as an I/O failure: exit 5.
metrics, trace, _ = rmrun_run(failing, ["--input", "[1, 2, 3]"], expect=5)
if metrics is not None:
    if check_valid(metrics, "rmrun failing run"):
        check_consistent(metrics, "rmrun failing run")
    if metrics["status"] != "failed" or metrics["error"]["node_id"] != "f":
        fail(f"failing run: status {metrics['status']}, error {metrics['error']}")
    check_trace(trace, metrics, "rmrun failing run")

# A Python node through the CPython adapter (when the adapter is built).
if any(p.name.startswith("python") for p in pathlib.Path(plugin_dir).glob("*.so")):
    mixed = {"version": "v1", "nodes": [
        {"id": "mul", "node_type": "MultiplyNode", "params": {"factor": 3}},
        {"id": "py", "node_type": "Halve",
         "python": {"module": "metrics_py_nodes", "class": "Halve"}}]}
    env = {"PYTHONPATH": f"{root / 'python'}:{pathlib.Path(__file__).parent}",
           "PYTHONDONTWRITEBYTECODE": "1"}
    metrics, trace, _ = rmrun_run(mixed, ["--input", "[2, 4]"], env=env)
    if metrics is not None and check_valid(metrics, "rmrun with a Python node"):
        py = metrics["node_metrics"][1]
        if (py["implementation"], py["python_class"], py["items_in"]) != \
                ("python", "metrics_py_nodes.Halve", 2):
            fail(f"Python node through the adapter: {py}")
        if "python" not in (py["plugin"] or ""):
            fail(f"Python node's plugin should be the adapter: {py['plugin']}")
else:
    print("note: the CPython adapter plugin is not built; Python-node check skipped")

# ---- the pure-Python SDK ----------------------------------------------------

sdk = r'''
import asyncio, json, sys, time
from remotemedia import Pipeline, Node
from remotemedia.nodes.base import PassThroughNode

class Sleepy(Node):
    def process(self, data):
        time.sleep(0.02)
        return data

class Bad(Node):
    def process(self, data):
        raise RuntimeError("nope")

class Flaky(Node):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.failed = 0
    def process(self, data):
        if self.failed < 2:
            self.failed += 1
            raise TimeoutError("slow")
        return data

async def main():
    docs = []
    p = Pipeline([PassThroughNode(), Sleepy()], name="sdk-check", enable_metrics=True)
    await p.run([1, 2], use_native=False)
    docs.append(p.get_metrics())
    p = Pipeline([PassThroughNode(), Bad()], name="sdk-fail", enable_metrics=True)
    try:
        await p.run([1], use_native=False)
    except Exception:
        pass
    docs.append(p.get_metrics())
    p = Pipeline([Flaky(retry={"initial_delay_ms": 1})], name="sdk-retry", enable_metrics=True)
    await p.run([1], use_native=False)
    docs.append(p.get_metrics())
    print(json.dumps(docs))

asyncio.run(main())
'''
proc = subprocess.run([sys.executable, "-c", sdk], capture_output=True, text=True, timeout=120,
                      env=dict(os.environ, PYTHONPATH=str(root / "python"),
                               PYTHONDONTWRITEBYTECODE="1"))
if proc.returncode != 0:
    fail(f"SDK script failed: {proc.stderr[-2000:]}")
else:
    ok_doc, failed_doc, retry_doc = json.loads(proc.stdout.strip().splitlines()[-1])
    for doc, what in ((ok_doc, "SDK pure-Python run"), (failed_doc, "SDK failing run"),
                      (retry_doc, "SDK run with retries")):
        if check_valid(doc, what):
            check_consistent(doc, what)
    if ok_doc["runtime"] != "python" or ok_doc["node_metrics"][1]["implementation"] != "python":
        fail("SDK run should say runtime/implementation python")
    sleepy = ok_doc["node_metrics"][1]
    if not 2 * 18000 <= sleepy["total_duration_us"]:
        fail(f"SDK sleeper total {sleepy['total_duration_us']}")
    if not sleepy["python_class"].endswith(".Sleepy"):
        fail(f"SDK python_class {sleepy['python_class']}")
    if failed_doc["status"] != "failed" or failed_doc["error"]["node_id"] != "Bad_1":
        fail(f"SDK failing run: {failed_doc['status']} {failed_doc['error']}")
    flaky = retry_doc["node_metrics"][0]
    if (flaky["status"], flaky["retries"], flaky["errors"], flaky["circuit_state"]) != \
            ("ok", 2, 2, "closed") or flaky["retry_wait_us"] < 2000:
        fail(f"SDK retries: {flaky}")

print("ok" if not failures else f"{failures} failure(s)")
sys.exit(1 if failures else 0)
