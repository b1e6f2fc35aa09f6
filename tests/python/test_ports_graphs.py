"""Ports and graphs from Python: run(by_port=True), process(by_port=True),
Pipeline.connect() for DAGs, Pipeline.from_manifest(), and the VAD-trim
pipeline of docs/batch.md written in Python (docs/python-api.md)."""

from __future__ import annotations

import asyncio
import json
import wave
from pathlib import Path

import numpy as np
import pytest

import remotemedia
from remotemedia import ConfigurationError, Pipeline, PipelineError
from remotemedia.nodes.audio import (AudioFileSink, AudioFileSource, AudioResampleNode, FormatConverterNode,
                                     SpeechSegmenter)
from remotemedia.nodes.base import PassThroughNode
from remotemedia.nodes.simple_math import AddNode, MultiplyNode

if not remotemedia.is_native_runtime_available():
    pytest.skip("native runtime not installed (source-tree run)", allow_module_level=True)


def run(coro):
    return asyncio.run(coro)


def speech_wav(path: Path, rate: int = 48000) -> None:
    """3 s stereo: silence, 1.5 s of a modulated tone, silence."""
    t = np.arange(rate * 3) / rate
    voiced = (t >= 0.5) & (t < 2.0)
    sig = np.where(voiced, 0.5 * np.sin(2 * np.pi * 300 * t) * (1 + 0.5 * np.sin(2 * np.pi * 4 * t)), 0.0)
    pcm = (np.stack([sig, sig]).T * 32767).astype("<i2")
    with wave.open(str(path), "wb") as w:
        w.setnchannels(2)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(pcm.tobytes())


def test_by_port_on_a_chain_native_and_python():
    p = Pipeline([MultiplyNode(factor=2), PassThroughNode(name="out")])
    assert run(p.run([1, 2], by_port=True)) == {("out", 0): [2, 4]}
    assert run(p.run([1, 2], by_port=True, use_native=False)) == {("out", 0): [2, 4]}
    assert run(p.run([], by_port=True)) == {}


def test_connect_builds_a_dag_with_fan_out():
    src = PassThroughNode(name="src")
    double, plus = MultiplyNode(factor=2, name="double"), AddNode(addend=10, name="plus")
    p = Pipeline().connect(src, double).connect(src, plus)
    assert [n.name for n in p.nodes] == ["src", "double", "plus"]
    assert run(p.run([1, 2, 3], by_port=True)) == {("double", 0): [2, 4, 6], ("plus", 0): [11, 12, 13]}
    # Flat: every sink's items, in emission order.
    assert sorted(run(p.run([1]))) == [2, 11]
    connections = p.to_manifest()["connections"]
    assert connections == [{"from": "src_0", "to": "double_1"}, {"from": "src_0", "to": "plus_2"}]
    with pytest.raises(PipelineError, match="graph"):
        run(p.run([1], use_native=False))


def test_process_by_port_tags_each_item():
    src = PassThroughNode(name="src")
    p = Pipeline().connect(src, MultiplyNode(factor=3, name="x3")).connect(src, AddNode(addend=1, name="p1"))

    async def main():
        return [pair async for pair in p.process([1, 2], by_port=True)]

    pairs = run(main())
    assert sorted(pairs) == sorted([(("x3", 0), 3), (("p1", 0), 2), (("x3", 0), 6), (("p1", 0), 3)])


def test_multi_port_sink_results_per_port(tmp_path):
    path = tmp_path / "in.wav"
    speech_wav(path)
    p = Pipeline([AudioFileSource(path=str(path), chunk_seconds=1.0, name="read"),
                  FormatConverterNode(target_format="f32", channels=1, name="mono"),
                  AudioResampleNode(target_sample_rate=16000, name="resample")])
    speech = SpeechSegmenter(emit_audio=True, name="speech")
    p.connect("read", "mono").connect("mono", "resample").connect("resample", speech)
    results = run(p.run(by_port=True))
    assert set(results) == {("speech", 0), ("speech", 1)}
    audio = results[("speech", 1)]
    assert all(isinstance(a, tuple) and a[1] == 16000 for a in audio)
    speech_s = sum(a[0].shape[-1] for a in audio) / 16000
    assert 1.0 < speech_s < 2.5  # the voiced 1.5 s, give or take the detector's edges


def _vad_trim_manifest(src: Path, dst: Path) -> dict:
    return {"version": "v1",
            "nodes": [
                {"id": "read", "node_type": "AudioFileSource", "params": {"path": str(src), "chunk_seconds": 1.0}},
                {"id": "mono", "node_type": "FormatConverterNode", "params": {"target_format": "f32", "channels": 1}},
                {"id": "resample", "node_type": "AudioResampleNode", "params": {"target_sample_rate": 16000}},
                {"id": "speech", "node_type": "SpeechSegmenter", "params": {"emit_audio": True}},
                {"id": "write", "node_type": "AudioFileSink", "params": {"path": str(dst)}}],
            "connections": [
                {"from": "read", "to": "mono"}, {"from": "mono", "to": "resample"},
                {"from": "resample", "to": "speech"}, {"from": "speech", "from_port": 1, "to": "write"}]}


def test_vad_trim_pipeline_in_python_equals_the_manifest(tmp_path):
    src = tmp_path / "in.wav"
    speech_wav(src)
    # As written in docs/python-api.md.
    read = AudioFileSource(path=str(src), chunk_seconds=1.0, name="read")
    mono = FormatConverterNode(target_format="f32", channels=1, name="mono")
    resample = AudioResampleNode(target_sample_rate=16000, name="resample")
    speech = SpeechSegmenter(emit_audio=True, name="speech")
    write = AudioFileSink(path=str(tmp_path / "py.wav"), name="write")
    p = (Pipeline(name="vad-trim")
         .connect(read, mono).connect(mono, resample).connect(resample, speech)
         .connect(speech, write, from_port=1))
    written = run(p.run(by_port=True))[("write", 0)]
    assert written[0]["sample_rate"] == 16000 and written[0]["frames"] > 16000

    from_dict = Pipeline.from_manifest(_vad_trim_manifest(src, tmp_path / "dict.wav"))
    assert [n.name for n in from_dict.nodes] == ["read", "mono", "resample", "speech", "write"]
    assert run(from_dict.run(by_port=True))[("write", 0)][0]["frames"] == written[0]["frames"]
    manifest_path = tmp_path / "trim.json"
    manifest_path.write_text(json.dumps(_vad_trim_manifest(src, tmp_path / "file.wav")))
    run(Pipeline.from_manifest(manifest_path).run())
    data = [(tmp_path / name).read_bytes() for name in ("py.wav", "dict.wav", "file.wav")]
    assert data[0] == data[1] == data[2]


def test_from_manifest_round_trips_serialize():
    p = Pipeline([MultiplyNode(factor=2), AddNode(addend=0.5)])
    again = Pipeline.from_manifest(p.serialize())
    assert again.connections is None  # a plain chain stays a chain
    assert run(again.run([1, 2])) == run(p.run([1, 2])) == [2.5, 4.5]
    assert run(again.run([1, 2], use_native=False)) == [2.5, 4.5]
    native_only = Pipeline.from_manifest({"version": "v1", "nodes": [
        {"id": "g", "node_type": "MultiplyNode", "params": {"factor": 3}, "runtime_hint": "native"}]})
    assert run(native_only.run(2)) == 6


def test_connect_and_from_manifest_errors_name_the_problem():
    p = Pipeline([PassThroughNode(name="a")])
    with pytest.raises(PipelineError, match="no node named 'zz'"):
        p.connect("a", "zz")
    with pytest.raises(PipelineError, match="from_port"):
        p.connect("a", PassThroughNode(name="b"), from_port=-1)
    with pytest.raises(PipelineError, match="itself"):
        p.connect("a", "a")
    with pytest.raises(ConfigurationError, match="'to' names no node"):
        Pipeline.from_manifest({"version": "v1", "nodes": [{"id": "a", "node_type": "PassThroughNode"}],
                                "connections": [{"from": "a", "to": "b"}]})
    with pytest.raises(ConfigurationError, match="no 'nodes'"):
        Pipeline.from_manifest({"version": "v1"})
    with pytest.raises(ConfigurationError, match="cannot read manifest"):
        Pipeline.from_manifest("/no/such/manifest.json")
    with pytest.raises(ConfigurationError, match="manifest node 'm'"):
        Pipeline.from_manifest({"version": "v1", "nodes": [
            {"id": "m", "node_type": "FormatConverterNode", "params": {"target_format": "i8"}}]})


class Doubler(remotemedia.Node):
    def process(self, data):
        return 2 * data


def test_from_manifest_rebuilds_user_node_classes_it_can_import():
    p = Pipeline([Doubler(), AddNode(addend=1)])
    again = Pipeline.from_manifest(p.serialize())
    assert [type(n) for n in again.nodes] == [Doubler, AddNode]
    assert run(again.run([1, 2])) == [3, 5]
    broken = json.loads(p.serialize())
    broken["nodes"][0]["python"] = {"module": "no_such_module_xyz", "class": "Doubler"}
    broken["nodes"][0]["node_type"] = "Doubler"
    with pytest.raises(ConfigurationError, match="cannot import its Python class"):
        Pipeline.from_manifest(broken)
