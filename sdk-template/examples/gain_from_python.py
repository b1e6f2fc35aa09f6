"""GainNode from Python: a manifest written in Python, run by the native
runtime that ships in the ``remotemedia`` wheel (``remotemedia._native``).

    python examples/gain_from_python.py build/plugins

The plugin directory is passed explicitly here; setting
REMOTEMEDIA_PLUGIN_PATH=build/plugins works for every runtime the SDK opens.
"""

import json
import sys

import numpy as np

from remotemedia._native import _bridge
from remotemedia.core.native_runner import from_native, to_native

plugin_dir = sys.argv[1] if len(sys.argv) > 1 else "build/plugins"

# Exactly the manifest rmrun reads (docs/manifest.md).
manifest = {
    "version": "v1",
    "nodes": [
        {"id": "gain", "node_type": "GainNode",
         "params": {"gain_db": 6.0206, "clip": True}},
    ],
    "connections": [],
}

runtime = _bridge.Runtime(plugin_dirs=[plugin_dir])
if "GainNode" not in runtime.node_types():
    sys.exit(f"GainNode not found; searched {runtime.search_dirs()}, "
             f"failures: {runtime.failures()}")
compiled = runtime.compile(json.dumps(manifest))

# SDK audio convention: float32 (channels, samples) in [-1, 1], plus the rate.
audio = np.array([[0.1, 0.2, 0.6, -0.3]], dtype=np.float32)
status, sinks, error, stats, total_ns = compiled.run([to_native((audio, 48000))])
if status != 0:
    sys.exit(f"run failed: {error}")
sink_id, items = sinks[0]
samples, rate = from_native(*items[0])
print(sink_id, rate, [round(float(x), 4) for x in samples.ravel()])
# gain 48000 [0.2, 0.4, 1.0, -0.6]  (x2, then clipped to 1.0)
