"""GainNode from Python: a third-party native node in an SDK pipeline.

    python examples/gain_from_python.py build/plugins

The plugin directory goes into REMOTEMEDIA_PLUGIN_PATH before the SDK first
opens the native runtime; ``NativeNode`` names the node type and its params
(validated by the runtime, which names a bad param and its valid range).
"""

import asyncio
import os
import sys

import numpy as np

plugin_dir = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else "build/plugins")
os.environ["REMOTEMEDIA_PLUGIN_PATH"] = plugin_dir + os.pathsep + os.environ.get("REMOTEMEDIA_PLUGIN_PATH", "")

from remotemedia import Pipeline  # noqa: E402  (after the environment is set)
from remotemedia.nodes import NativeNode  # noqa: E402

# SDK audio convention: float32 (channels, samples) in [-1, 1], plus the rate.
audio = np.array([[0.1, 0.2, 0.6, -0.3]], dtype=np.float32)
pipeline = Pipeline([NativeNode("GainNode", gain_db=6.0206, clip=True)])
samples, rate = asyncio.run(pipeline.run((audio, 48000)))
print("gain", rate, [round(float(x), 4) for x in samples.ravel()])
# gain 48000 [0.2, 0.4, 1.0, -0.6]  (x2, then clipped to 1.0)
