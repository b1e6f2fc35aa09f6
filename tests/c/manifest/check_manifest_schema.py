#!/usr/bin/env python3
"""Check docs/manifest.schema.json: a valid draft 2020-12 schema that accepts
every ```json example in docs/manifest.md and rejects known-bad shapes.

Usage: check_manifest_schema.py <source-dir>. Exit 0 = ok, 1 = failures,
77 = jsonschema not installed (ctest: skipped).
"""
import json
import pathlib
import re
import sys

try:
    import jsonschema
except ImportError:
    print("jsonschema is not installed: skipped")
    sys.exit(77)

root = pathlib.Path(sys.argv[1])
schema = json.loads((root / "docs/manifest.schema.json").read_text())
jsonschema.Draft202012Validator.check_schema(schema)
validator = jsonschema.Draft202012Validator(schema)
failures = 0

doc = (root / "docs/manifest.md").read_text()
examples = re.findall(r"```json\n(.*?)```", doc, re.S)
if len(examples) < 2:
    print(f"expected at least 2 ```json examples in manifest.md, found {len(examples)}")
    failures += 1
for i, text in enumerate(examples):
    errors = list(validator.iter_errors(json.loads(text)))
    for e in errors:
        print(f"manifest.md example {i + 1}: {e.json_path}: {e.message}")
    failures += bool(errors)

NODE = {"id": "a", "node_type": "T"}
bad = {
    "wrong version": {"version": "v2", "nodes": [NODE]},
    "no nodes": {"version": "v1"},
    "empty nodes": {"version": "v1", "nodes": []},
    "unknown top-level field": {"version": "v1", "nodes": [NODE], "x": 1},
    "unknown node field": {"version": "v1", "nodes": [dict(NODE, colour=1)]},
    "bad hint": {"version": "v1", "nodes": [dict(NODE, runtime_hint="gpu")]},
    "python without class": {"version": "v1",
                             "nodes": [dict(NODE, python={"module": "m"})]},
    "jitter > 1": {"version": "v1",
                   "nodes": [dict(NODE, retry={"jitter": 2})]},
    "negative port": {"version": "v1", "nodes": [NODE],
                      "connections": [{"from": "a", "to": "a", "to_port": -1}]},
    "connection without to": {"version": "v1", "nodes": [NODE],
                              "connections": [{"from": "a"}]},
}
for name, manifest in bad.items():
    if validator.is_valid(manifest):
        print(f"schema accepts a bad manifest: {name}")
        failures += 1
good = {"version": "v1", "metadata": {"anything": [1]}, "nodes": [
    dict(NODE, python={"instance": "k"}, timeout_ms=5, params={"p": None})],
    "connections": [{"from": "a", "to": "a", "from_port": "out", "to_port": 0}]}
for e in validator.iter_errors(good):
    print(f"schema rejects a good manifest: {e.json_path}: {e.message}")
    failures += 1

print(f"{len(examples)} examples, {len(bad)} bad and 1 good shape checked: "
      f"{'FAILED' if failures else 'ok'}")
sys.exit(1 if failures else 0)
