#!/usr/bin/env bash
# The demo `make run` ends with: the bundled sample(s) in examples/data/
# through the native pipeline in examples/demo/preprocess.json as a batch
# (read in chunks, down-mix, resample to 16 kHz, speech segments, write a
# WAV per input), then a short report. See docs/batch.md.
set -euo pipefail
cd "$(dirname "$0")/.."
out=build/demo
mkdir -p "$out"
.venv/bin/rmrun examples/demo/preprocess.json --batch examples/data --out "$out" --no-progress -q
.venv/bin/python - "$out" <<'PY'
import json, os, sys
out = sys.argv[1]
report = json.load(open(f"{out}/batch-report.json"))
print()
print(f"demo: {report['total']} file(s) from examples/data -> mono 16 kHz, "
      f"{report['audio_s']:.1f} s of audio in {report['wall_s'] * 1000:.0f} ms "
      f"({report['realtime_factor']:.0f}x realtime, peak {report['peak_rss_mb']:.0f} MB)")
for f in report["files"]:
    name = os.path.basename(f["input"])
    if f["status"] != "ok":
        print(f"  {name}: {f['status']}: {f['error']}")
        continue
    wav = [p for p in f["written"] if p.endswith(".wav")]
    seg = [p for p in f["written"] if p.endswith(".json")]
    final = [i for i in json.load(open(seg[0]))["speech"] if i.get("final")] if seg else []
    segments = final[-1]["segments"] if final else []
    print(f"  {name}: audio    {', '.join(wav)}")
    print(f"  {' ' * len(name)}  segments {seg[0] if seg else '-'}: {len(segments)}: "
          + ", ".join(f"{a:.2f}-{b:.2f} s" for a, b in segments))
print(f"  metrics      {out}/batch-report.json (per file and per node):")
for node in sorted(report["nodes"], key=lambda n: -n["total_ms"]):
    print(f"    {node['id']:<10} {node['type']:<20} {node['total_ms']:8.2f} ms")
PY
