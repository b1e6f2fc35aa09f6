"""Pipeline.process() on native sessions: the same results as the
pure-Python path, item by item, for every kind of input stream; mixed
native/Python nodes; sources; many sessions at once; errors; zero copy.

Skipped when run from a source tree without the native build (as
test_native_execution.py)."""

from __future__ import annotations

import asyncio
import wave
from pathlib import Path

import numpy as np
import pytest

import remotemedia
from remotemedia import Node, NodeError, Pipeline
from remotemedia.nodes.audio import AudioResampleNode, FormatConverterNode, VADNode, VoiceActivityDetector
from remotemedia.nodes.base import PassThroughNode
from remotemedia.nodes.simple_math import AddNode, MultiplyNode

if not remotemedia.is_native_runtime_available():
    pytest.skip("native runtime not installed (source-tree run)", allow_module_level=True)


def run(coro):
    return asyncio.run(coro)


async def collect(pipeline, stream=None, **kw):
    return [item async for item in pipeline.process(stream, **kw)]


def both(pipeline, make_stream):
    """(native outputs, pure-Python outputs, implementations of the native run)."""
    pipeline.enable_metrics = True
    native = run(collect(pipeline, make_stream()))
    impls = [n["implementation"] for n in pipeline.get_metrics()["node_metrics"]]
    runtime = pipeline.get_metrics()["runtime"]
    python = run(collect(pipeline, make_stream(), use_native=False))
    assert pipeline.get_metrics()["runtime"] == "python"
    return native, python, (runtime, impls)


class RunningSum(Node):
    """A streaming Python node: the running sum of its input stream."""

    is_streaming = True

    async def process(self, stream):
        total = 0
        async for x in stream:
            total += x
            yield total


class AsyncPlusOne(Node):
    async def process(self, data):
        await asyncio.sleep(0)
        return data + 1


class Counter(Node):
    """A source: 0..count-1."""

    def __init__(self, count=5, **kw):
        super().__init__(count=count, **kw)
        self.count = count

    async def process(self):
        for i in range(self.count):
            yield i


class FailAt(Node):
    def __init__(self, at=3, **kw):
        super().__init__(at=at, **kw)
        self.at = at

    def process(self, data):
        if data == self.at:
            raise ValueError(f"cannot take {data}")
        return data


def test_math_chain_runs_natively_with_every_stream_kind():
    p = Pipeline([MultiplyNode(factor=2.5), AddNode(addend=1)])

    async def agen():
        for i in range(6):
            yield i

    class AsyncIterable:
        def __aiter__(self):
            return agen()

    for make in (lambda: [0, 1, 2, 3, 4, 5], lambda: iter(range(6)), lambda: (i for i in range(6)),
                 agen, AsyncIterable):
        native, python, (runtime, impls) = both(p, make)
        assert native == python == [1, 3.5, 6, 8.5, 11, 13.5]
        assert runtime == "native" and impls == ["native", "native"]


def test_mixed_native_and_python_nodes_streaming_node_honoured():
    p = Pipeline([MultiplyNode(factor=2), RunningSum(), AsyncPlusOne(), AddNode(addend=10)])
    native, python, (runtime, impls) = both(p, lambda: list(range(1, 6)))
    assert native == python == [13, 17, 23, 31, 41]
    assert impls == ["native", "python", "python", "native"]


def test_outputs_are_yielded_as_each_item_is_processed():
    p = Pipeline([MultiplyNode(factor=3)])
    seen = []

    async def feed():
        for i in range(4):
            # Everything pushed before this item has come out already.
            assert seen == [3 * k for k in range(i)]
            yield i

    async def main():
        async for out in p.process(feed()):
            seen.append(out)

    run(main())
    assert seen == [0, 3, 6, 9]


def test_source_first_pipeline_with_none():
    p = Pipeline([Counter(count=40), MultiplyNode(factor=2)])
    native, python, (runtime, impls) = both(p, lambda: None)
    assert native == python == [2 * i for i in range(40)]
    assert impls == ["python", "native"]


def test_managed_execution_and_process():
    p = Pipeline([AddNode(addend=1), PassThroughNode()])

    async def main():
        async with p.managed_execution():
            first = [x async for x in p.process([1, 2])]
            second = [x async for x in p.process([3])]
        return first, second

    assert run(main()) == ([2, 3], [4])


def test_audio_chain_in_10ms_chunks_matches_python():
    t = np.arange(48000) / 48000
    x = np.stack([0.3 * np.sin(2 * np.pi * 440 * t), 0.25 * np.sin(2 * np.pi * 1000 * t)]).astype(np.float32)
    chunks = [(x[:, i:i + 480].copy(), 48000) for i in range(0, 48000, 480)]
    p = Pipeline([AudioResampleNode(target_sample_rate=16000), FormatConverterNode(target_format="i16"), VADNode()])
    native, python, (runtime, impls) = both(p, lambda: list(chunks))
    assert impls == ["native", "native", "native"]
    assert len(native) == len(python) > 0
    for a, b in zip(native, python):
        assert a[0].dtype == b[0].dtype == np.int16 and a[0].shape == b[0].shape and a[1] == b[1]
        assert np.abs(a[0].astype(np.int32) - b[0].astype(np.int32)).max() <= 1
        assert a[2]["speech_frames"] == b[2]["speech_frames"] and a[2]["total_frames"] == b[2]["total_frames"]
    # The session's resampler kept its state across chunks: as one run().
    whole = run(p.run(list(chunks)))
    assert all(np.array_equal(a[0], b[0]) for a, b in zip(native, whole))


def test_voice_activity_detector_streams_natively_as_last_node():
    rng = np.random.default_rng(1)
    chunks = [((0.3 if i % 3 else 0.001) * rng.standard_normal((1, 480))).astype(np.float32) for i in range(30)]
    p = Pipeline([VoiceActivityDetector(frame_duration_ms=10)])
    native, python, (runtime, impls) = both(p, lambda: [(c, 16000) for c in chunks])
    assert impls == ["native"]
    assert len(native) == len(python) == 30
    for (audio_n, info_n), (audio_p, info_p) in zip(native, python):
        assert np.array_equal(audio_n[0], audio_p[0]) and audio_n[1] == audio_p[1]
        assert info_n["is_speech"] == info_p["is_speech"]
        assert info_n["speech_ratio"] == pytest.approx(info_p["speech_ratio"])


def test_many_sessions_from_many_tasks_keep_their_own_state():
    p = Pipeline([MultiplyNode(factor=1), RunningSum(), AddNode(addend=0)])

    async def one(k):
        return [x async for x in p.process([k] * 20)]

    async def main():
        return await asyncio.gather(*(one(k) for k in range(1, 25)))

    results = run(main())
    for k, out in enumerate(results, start=1):
        assert out == [k * (i + 1) for i in range(20)]


def test_error_mid_stream_yields_earlier_outputs_then_raises():
    p = Pipeline([AddNode(addend=0), FailAt(at=3), MultiplyNode(factor=10)])
    got = []

    async def main():
        async for x in p.process([1, 2, 3, 4]):
            got.append(x)

    with pytest.raises(NodeError) as info:
        run(main())
    assert got == [10, 20]
    assert info.value.node_id == "FailAt_1" and info.value.operation == "process"
    assert isinstance(info.value.__cause__, ValueError)


def test_consumer_stopping_early_closes_the_session():
    p = Pipeline([MultiplyNode(factor=2), RunningSum()])

    async def main():
        out = []
        async for x in p.process(list(range(100))):
            out.append(x)
            if len(out) == 3:
                break
        # The pipeline still works afterwards.
        again = [x async for x in p.process([1, 1])]
        return out, again

    assert run(main()) == ([0, 2, 6], [2, 4])


def test_4k_frames_cross_python_native_python_without_copy():
    frame = np.random.default_rng(0).integers(0, 255, (2160, 3840, 3), dtype=np.uint8)

    class Keep(Node):
        def process(self, data):
            return data

    p = Pipeline([PassThroughNode(), Keep(), PassThroughNode()])
    pointer = frame.__array_interface__["data"][0]
    out = run(p.run(frame))
    assert out.__array_interface__["data"][0] == pointer
    outs = run(collect(p, [frame, frame]))
    assert [o.__array_interface__["data"][0] for o in outs] == [pointer, pointer]
    assert outs[0].shape == frame.shape and outs[0].dtype == np.uint8


def _write_wav(path: Path, seconds: float = 0.5, rate: int = 48000) -> np.ndarray:
    t = np.arange(int(rate * seconds)) / rate
    stereo = np.stack([0.3 * np.sin(2 * np.pi * 440 * t), 0.2 * np.sin(2 * np.pi * 880 * t)])
    pcm = (stereo.T * 32767).astype("<i2")
    with wave.open(str(path), "wb") as w:
        w.setnchannels(2)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(pcm.tobytes())
    return stereo


def test_media_reader_pipeline_through_process(tmp_path):
    pytest.importorskip("av")
    from remotemedia.nodes.source import AudioTrackSource, MediaReaderNode

    path = tmp_path / "tone.wav"
    _write_wav(path)

    def pipeline():
        return Pipeline([MediaReaderNode(path=str(path)), AudioTrackSource(),
                         AudioResampleNode(target_sample_rate=16000), FormatConverterNode(target_format="i16")],
                        enable_metrics=True)

    async def main(use_native):
        p = pipeline()
        async with p.managed_execution():
            out = [x async for x in p.process(None, use_native=use_native)]
        return out, p.get_metrics()

    native, metrics = run(main(True))
    python, _ = run(main(False))
    assert [n["implementation"] for n in metrics["node_metrics"]] == ["python", "python", "native", "native"]
    assert len(native) == len(python) > 0
    total = sum(o[0].shape[1] for o in native)
    assert total == sum(o[0].shape[1] for o in python)
    for a, b in zip(native, python):
        assert a[1] == b[1] == 16000 and a[0].dtype == b[0].dtype == np.int16
        assert np.abs(a[0].astype(np.int32) - b[0].astype(np.int32)).max() <= 1


class SlowPass(Node):
    def process(self, data):
        import time

        time.sleep(0.05)
        return data


def test_cancelling_a_stream_while_a_push_runs_off_the_loop():
    p = Pipeline([MultiplyNode(factor=1), SlowPass(), AddNode(addend=0)])

    async def consume(out):
        async for x in p.process(list(range(50))):
            out.append(x)

    async def main():
        out = []
        task = asyncio.create_task(consume(out))
        while not out:
            await asyncio.sleep(0.01)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        # The session was closed after its running push; the pipeline works.
        return out, [x async for x in p.process([7])]

    out, again = run(main())
    assert out[: len(out)] == list(range(len(out))) and 0 < len(out) < 50
    assert again == [7]


def test_bridge_session_refuses_bad_pushes_and_concurrent_use():
    import json

    from remotemedia.core import native_runner
    from remotemedia.core.native_exec import native_runtime

    manifest = {"version": "v1", "nodes": [{"id": "a", "node_type": "PassThroughNode"},
                                           {"id": "b", "node_type": "PassThroughNode"}],
                "connections": [{"from": "a", "to": "b"}]}
    compiled = native_runtime().compile(json.dumps(manifest), "test")
    session = compiled.session()
    with pytest.raises(ValueError, match="'b'.*not an entry node"):
        session.push(native_runner.to_native(1), entry="b")
    with pytest.raises(ValueError, match="no node 'zz'"):
        session.push(native_runner.to_native(1), entry="zz")
    with pytest.raises(ValueError, match="port 2"):
        session.push(native_runner.to_native(1), entry="a", port=2)
    status, outputs, finished = session.push(native_runner.to_native(5), entry="a")
    assert (status, finished) == (0, False)
    assert [(node, port, native_runner.from_native(*t)) for node, port, t in outputs] == [("b", 0, 5)]
    status, outputs, finished = session.end()
    assert finished and outputs == []
    report = session.close()
    assert report[0] == 0 and report[1] is None
    assert session.closed
    with pytest.raises(RuntimeError, match="closed"):
        session.step()
