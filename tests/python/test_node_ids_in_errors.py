"""Errors about a node's params name the node by its id on the pure-Python
path as the native runtime does (QA): ``node 'vad' (SpeechSegmenter): ...``
rather than ``SpeechSegmenter: ...``. The same manifest goes through rmrun
(the native loader and the plugin's create) and through the SDK's
``Pipeline.from_manifest`` (the Python twins); both messages name node
'vad', its type and the param. A node built without a name is still
named by its type alone."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from remotemedia import ConfigurationError, Node, Pipeline
from remotemedia.nodes import MultiplyNode, SpeechSegmenter
from rmrun_cli import RMRUN, needs_rmrun  # noqa: E402

# (params of node "vad", what both paths must say about them)
CASES = [
    ({"frame_ms": 25}, ["frame_ms", "25"]),
    ({"threshold": 2}, ["threshold", "[0, 1]"]),
    ({"thresold": 1}, ["unknown parameter", "thresold", "threshold"]),
]


def manifest(params: dict) -> dict:
    return {"version": "v1", "nodes": [{"id": "vad", "node_type": "SpeechSegmenter", "params": params}]}


def python_message(params: dict) -> str:
    with pytest.raises(ConfigurationError) as error:
        Pipeline.from_manifest(manifest(params))
    return str(error.value)


@pytest.mark.parametrize("params, words", CASES)
def test_pure_python_names_the_node_id(params: dict, words: list) -> None:
    text = python_message(params)
    assert text.startswith("manifest node 'vad' (SpeechSegmenter): "), text
    assert "SpeechSegmenter: " not in text  # named once, not "(SpeechSegmenter): SpeechSegmenter: ..."
    for word in words:
        assert word in text, text


@needs_rmrun
@pytest.mark.parametrize("params, words", CASES)
def test_native_names_the_same_node_for_the_same_manifest(tmp_path: Path, params: dict, words: list) -> None:
    (tmp_path / "m.json").write_text(json.dumps(manifest(params)))
    r = subprocess.run([RMRUN, "--no-env-plugins", "m.json", "--input", "[1]"], cwd=tmp_path, capture_output=True,
                       text=True, timeout=60)
    assert r.returncode != 0
    # native: node 'vad' (SpeechSegmenter) / ... of node "vad", type SpeechSegmenter / ... (node "vad")
    assert "'vad' (SpeechSegmenter)" in r.stderr or 'node "vad"' in r.stderr, r.stderr
    assert "SpeechSegmenter" in r.stderr
    for word in words:
        assert word in r.stderr, r.stderr
    text = python_message(params)
    assert "node 'vad' (SpeechSegmenter)" in text


def test_a_named_node_built_directly_says_its_name() -> None:
    with pytest.raises(ConfigurationError, match=r"^node 'vad' \(SpeechSegmenter\): threshold must be in \[0, 1\], got 2$"):
        SpeechSegmenter(name="vad", threshold=2)
    with pytest.raises(ConfigurationError, match=r"^node 'mul' \(MultiplyNode\): factor must be a finite number"):
        MultiplyNode(name="mul", factor=float("inf"))
    with pytest.raises(ConfigurationError, match=r"^node 'n' \(Node\): runtime_hint must be one of"):
        Node(name="n", runtime_hint="gpu")


def test_a_node_without_a_name_is_named_by_its_type() -> None:
    with pytest.raises(ConfigurationError, match=r"^SpeechSegmenter: frame_ms must be 10, 20 or 30; got 25$"):
        SpeechSegmenter(frame_ms=25)
    with pytest.raises(ConfigurationError, match=r"^Node: runtime_hint must be one of"):
        Node(runtime_hint="gpu")
