"""Every script in examples/ runs and prints what it should."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"

EXPECTED = {
    "basic_pipeline.py": [r"result: \[12, 14, 16\]", r"one item: 20", r"passthrough: \{'any': 'value'\}"],
    "math_chain.py": [r"first five: \[5, 7, 9, 11, 13\]", r"count: 100 last: 203",
                      r"element-wise on a list item: \[1, 1\.5, 2\.5\]"],
    "streaming_source.py": [r"run\(\): \[0, 10, 20, 30, 40\]", r"streamed: \[0, 10\]", r"streamed: \[20, 30\]",
                            r"streamed: \[40\]"],
    "custom_node.py": [r"mean: 2\.5", r"native \+ __main__ node: 5\.0 \['(native|python)', 'python'\]", r'"id": "avg_0", "node_type": "RunningMean"',
                       r'"python": \{"module": "__main__", "class": "RunningMean"\}',
                       r"error from node: inv_0 - ZeroDivisionError"],
    "audio_processing.py": [r"144000 frames @ 48000 Hz -> 48000 frames @ 16000 Hz", r"format: int16, shape \(1, 48000\)",
                            r"VADNode: speech frames 3[2-5] of 100",
                            r"per 0\.5 s chunk: \[False, False, True, True, False, False\]",
                            r"SpeechSegmenter segments: \[\(0\.[89]\d*, 2\.\d+\)\]",
                            r"streamed: 31 outputs, final segments: \[\(0\.[89]\d*, 2\.\d+\)\]"],
    "metrics.py": [r"total_duration_us: \d+", r"execution_order: \['AudioResampleNode_0', 'FormatConverterNode_1'\]",
                   r"AudioResampleNode_0: (native|python) calls=\d+ items 20->20", r"FormatConverterNode_1: (native|python) calls=20",
                   r'"p99_duration_us"'],
}


def test_every_example_is_covered() -> None:
    assert sorted(p.name for p in EXAMPLES.glob("*.py")) == sorted(EXPECTED)


@pytest.mark.parametrize("script", sorted(EXPECTED))
def test_example_output(script: str, subprocess_env: dict) -> None:
    proc = subprocess.run([sys.executable, str(EXAMPLES / script)], capture_output=True, text=True,
                          env=subprocess_env, timeout=120)
    assert proc.returncode == 0, proc.stderr
    for pattern in EXPECTED[script]:
        assert re.search(pattern, proc.stdout), f"{script}: /{pattern}/ not in:\n{proc.stdout}"
