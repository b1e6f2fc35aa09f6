"""serialize() (the manifest) and get_metrics()."""

from __future__ import annotations

import json
from typing import Any, AsyncIterator

import numpy as np
import pytest

from remotemedia import Node, Pipeline, SerializationError
from remotemedia.nodes.audio import AudioResampleNode, VoiceActivityDetector
from remotemedia.nodes.base import PassThroughNode
from remotemedia.nodes.simple_math import AddNode, MultiplyNode


class ScriptNode(Node):
    """A user node defined in the test module."""

    def process(self, data: Any) -> Any:
        return data


def test_manifest_shape() -> None:
    pipeline = Pipeline([MultiplyNode(factor=2), AddNode(addend=10, name="plus"),
                         AudioResampleNode(target_sample_rate=8000, quality="low"),
                         VoiceActivityDetector(), ScriptNode(gain=3)], name="demo")
    manifest = json.loads(pipeline.serialize(description="a test"))
    assert manifest["version"] == "v1"
    assert manifest["metadata"]["name"] == "demo"
    assert manifest["metadata"]["description"] == "a test"
    assert isinstance(manifest["metadata"]["created_at"], str)
    ids = [n["id"] for n in manifest["nodes"]]
    assert ids == ["MultiplyNode_0", "plus_1", "AudioResampleNode_2", "VoiceActivityDetector_3", "ScriptNode_4"]
    types = [n["node_type"] for n in manifest["nodes"]]
    assert types == ["MultiplyNode", "AddNode", "AudioResampleNode", "VoiceActivityDetector", "ScriptNode"]
    assert manifest["nodes"][0]["params"] == {"factor": 2}
    assert manifest["nodes"][1]["params"] == {"addend": 10}
    assert manifest["nodes"][2]["params"] == {"target_sample_rate": 8000, "quality": "low"}
    assert manifest["nodes"][4]["params"] == {"gain": 3}
    assert [n["is_streaming"] for n in manifest["nodes"]] == [False, False, True, True, False]
    assert all(n["runtime_hint"] == "auto" for n in manifest["nodes"])
    assert manifest["nodes"][4]["python"] == {"module": __name__, "class": "ScriptNode"}
    assert manifest["nodes"][0]["python"] == {"module": "remotemedia.nodes.simple_math", "class": "MultiplyNode"}
    assert manifest["connections"] == [{"from": a, "to": b} for a, b in zip(ids, ids[1:])]


def test_manifest_converts_numpy_and_tuples() -> None:
    node = Node(name="n", gains=(np.float32(0.5), np.int64(3)), table=np.arange(3))
    manifest = json.loads(Pipeline([node]).serialize())
    assert manifest["nodes"][0]["params"] == {"gains": [0.5, 3], "table": [0, 1, 2]}


def test_manifest_rejects_unserialisable_params() -> None:
    with pytest.raises(SerializationError, match="node 'n_0' params.callback"):
        Pipeline([Node(name="n", callback=print)]).serialize()
    with pytest.raises(SerializationError, match="JSON form"):
        Pipeline([Node(name="n", x=float("nan"))]).serialize()


def test_manifest_runtime_hint_is_carried() -> None:
    manifest = json.loads(Pipeline([AudioResampleNode(runtime_hint="python")]).serialize())
    assert manifest["nodes"][0]["runtime_hint"] == "python"
    manifest = json.loads(Pipeline([AudioResampleNode(runtime_hint="rust")]).serialize())
    assert manifest["nodes"][0]["runtime_hint"] == "native"


def test_metrics_absent_without_enable(run) -> None:
    pipeline = Pipeline([PassThroughNode()])
    run(pipeline.run([1]))
    assert pipeline.get_metrics() is None


class Source(Node):
    async def process(self) -> AsyncIterator[np.ndarray]:
        for _ in range(3):
            yield np.zeros(10, dtype=np.float32)


class Dropper(Node):
    def process(self, data: Any) -> Any:
        return None


def test_metrics_schema(run) -> None:
    pipeline = Pipeline([Source(), PassThroughNode(), Dropper()], name="m", enable_metrics=True)
    run(pipeline.run(use_native=False))  # the native schema: test_native_execution.py
    metrics = pipeline.get_metrics()
    assert metrics["schema"] == "remotemedia.metrics/1"
    assert metrics["pipeline_id"] == "m"
    assert metrics["runtime"] == "python"
    assert metrics["status"] == "ok"
    assert isinstance(metrics["total_duration_us"], (int, float)) and metrics["total_duration_us"] >= 0
    assert metrics["execution_order"] == ["Source_0", "PassThroughNode_1", "Dropper_2"]
    nodes = {n["node_id"]: n for n in metrics["node_metrics"]}
    source, passthrough, dropper = nodes["Source_0"], nodes["PassThroughNode_1"], nodes["Dropper_2"]
    for node in nodes.values():
        assert node["implementation"] == "python"
        assert node["status"] == "ok"
        assert node["errors"] == 0 and node["retries"] == 0
        assert node["min_duration_us"] <= node["p50_duration_us"] <= node["p99_duration_us"] <= node["max_duration_us"]
        assert node["total_duration_us"] >= node["max_duration_us"]
        assert "peak_memory_bytes" in node
    assert source["items_out"] == 3 and source["bytes_out"] == 120
    assert passthrough["calls"] == 3 and passthrough["items_in"] == 3 and passthrough["items_out"] == 3
    assert passthrough["bytes_in"] == 120 and passthrough["bytes_out"] == 120
    assert dropper["items_in"] == 3 and dropper["items_out"] == 0 and dropper["bytes_out"] == 0
    assert dropper["avg_duration_us"] == pytest.approx(dropper["total_duration_us"] / 3)
    json.dumps(metrics)  # plain JSON types only


def test_metrics_record_failures(run) -> None:
    class Bad(Node):
        def process(self, data: Any) -> Any:
            raise RuntimeError("x")

    pipeline = Pipeline([PassThroughNode(), Bad()], enable_metrics=True)
    with pytest.raises(Exception):
        run(pipeline.run([1]))
    metrics = pipeline.get_metrics()
    assert metrics["status"] == "failed"
    bad = metrics["node_metrics"][1]
    assert bad["errors"] == 1 and bad["status"] == "failed"
    assert metrics["node_metrics"][0]["status"] == "ok"


def test_manifest_validates_against_the_published_schema() -> None:
    """What serialize() writes is a valid manifest for the native runtime
    (docs/manifest.schema.json)."""
    jsonschema = __import__("jsonschema")
    from pathlib import Path

    from remotemedia.nodes.audio import (AudioBuffer, AudioFileSink, AudioFileSource, FormatConverterNode,
                                         SpeechSegmenter, VADNode)

    schema_path = Path(__file__).resolve().parents[2] / "docs" / "manifest.schema.json"
    schema = json.loads(schema_path.read_text())
    pipeline = Pipeline([AudioFileSource("in.wav", chunk_seconds=0.5), AudioResampleNode(quality="very_high"),
                         FormatConverterNode("i16", runtime_hint="python"), VADNode(), VoiceActivityDetector(),
                         SpeechSegmenter(), AudioBuffer(buffer_size_samples=320), ScriptNode(),
                         AudioFileSink("out.flac")], name="schema-check")
    jsonschema.validate(json.loads(pipeline.serialize(description="checked")), schema)
