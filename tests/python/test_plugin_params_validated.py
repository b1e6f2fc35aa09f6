"""The audio plugins no longer re-check what plugin.h promises: the host
validates every parameter against its spec before create. These are the
values the plugins used to refuse themselves; the host must refuse them,
naming the node and the parameter (exit 3, an invalid manifest)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from rmrun_cli import RMRUN, needs_rmrun

pytestmark = needs_rmrun


@pytest.mark.parametrize("node, param", [
    ("FormatConverterNode target_format=u8", "target_format"),
    ("FormatConverterNode layout=diagonal", "layout"),
    ("FormatConverterNode channels=65", "channels"),
    ("AudioResampleNode quality=ultra", "quality"),
    ("AudioResampleNode target_sample_rate=0", "target_sample_rate"),
    ("AudioResampleNode emit=sometimes", "emit"),
    ("VADNode energy_threshold=-1", "energy_threshold"),
    ("SpeechSegmenter max_segment_ms=-5", "max_segment_ms"),
    ("SpeechSegmenter threshold=2", "threshold"),
])
def test_host_refuses_bad_params_before_create(tmp_path: Path, node: str, param: str) -> None:
    run = subprocess.run([RMRUN, "--no-env-plugins", "launch", f"AudioFileSource path=x.wav ! {node}"],
                         cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert run.returncode == 3, run.stderr
    assert "invalid manifest" in run.stderr
    assert f"params.{param}" in run.stderr


def test_segmenter_frame_ms_only_10_20_30(tmp_path: Path) -> None:
    # In the spec's range (10..30) but not a frame size: the node's own check.
    from rmrun_cli import tiny_wav

    tiny_wav(tmp_path / "x.wav")
    run = subprocess.run([RMRUN, "--no-env-plugins", "launch", "AudioFileSource path=x.wav ! SpeechSegmenter frame_ms=25"],
                         cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert run.returncode != 0
    assert "frame_ms 25 is not 10, 20 or 30" in run.stderr
