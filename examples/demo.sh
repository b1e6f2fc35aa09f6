#!/usr/bin/env bash
# The demo `make run` ends with: the bundled 48 kHz stereo FLAC through the
# native pipeline in examples/demo/preprocess.json (read in chunks, down-mix,
# resample to 16 kHz, speech segments, write a WAV), then a short report.
set -euo pipefail
cd "$(dirname "$0")/.."
out=build/demo
mkdir -p "$out"
.venv/bin/rmrun examples/demo/preprocess.json \
  --output "$out/result.json" --metrics "$out/metrics.json"
.venv/bin/python - "$out" <<'PY'
import json, sys
out = sys.argv[1]
result = json.load(open(f"{out}/result.json"))
metrics = json.load(open(f"{out}/metrics.json"))
final = [item for item in result["speech"] if item.get("final")]
segments = final[-1]["segments"] if final else []
written = result["write"][-1]
print()
print("demo: examples/data/sample.flac (48 kHz stereo) -> mono 16 kHz")
print(f"  wrote        {written['path']} ({written['frames']} frames, {written['sample_rate']} Hz, {written['channels']} ch)")
print(f"  speech       {len(segments)} segment(s): " + ", ".join(f"{a:.2f}-{b:.2f} s" for a, b in segments))
print(f"  results      {out}/result.json")
print(f"  metrics      {out}/metrics.json (total {metrics['total_us'] / 1000:.1f} ms)")
for node in sorted(metrics["nodes"], key=lambda n: -n["total_us"]):
    print(f"    {node['id']:<10} {node['type']:<20} {node['calls']:>4} calls {node['total_us'] / 1000:8.2f} ms")
PY
