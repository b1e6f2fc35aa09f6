"""Numbers in rmrun's JSON output print as the shortest text that reads back
as the same double (0.03, not 0.029999999999999999): the demo's results were
2.6 kB of 17-digit floats (issue 19)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def _rmrun() -> str | None:
    build = os.environ.get("RM_BUILD_DIR")
    if build and os.path.exists(os.path.join(build, "bin", "rmrun")):
        return os.path.join(build, "bin", "rmrun")
    return shutil.which("rmrun", path=str(Path(sys.executable).parent))


def test_segmenter_json_numbers_are_shortest(tmp_path: Path) -> None:
    rmrun = _rmrun()
    if rmrun is None:
        pytest.skip("no rmrun (make build, RM_BUILD_DIR)")
    (tmp_path / "examples").symlink_to(REPO / "examples")
    (tmp_path / "build" / "demo").mkdir(parents=True)
    proc = subprocess.run([rmrun, "examples/demo/preprocess.json"], cwd=tmp_path, capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    numbers = re.findall(r"-?\d+\.?\d*(?:e[-+]?\d+)?", proc.stdout)
    long = [n for n in numbers if len(re.sub(r"e.*|[-.]", "", n).lstrip("0")) > 15]
    for text in long:  # more digits only when fewer do not round-trip
        value = float(text)
        assert all(float(f"{value:.{d}g}") != value for d in range(1, 16)), text
    result = json.loads(proc.stdout)
    assert '"frame_s":0.03' in proc.stdout.replace(" ", ""), proc.stdout[:300]
    assert result["speech"][0]["frame_s"] == 0.03
