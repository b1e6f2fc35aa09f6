"""The SDK on the native runtime: per-node selection, equal results to the
pure-Python path, zero-copy buffers, errors, the event loop kept free.

`make test` installs the SDK with its native runtime and sets
REMOTEMEDIA_REQUIRE_NATIVE=1, so these tests fail (not skip) there when the
runtime is missing. Run from a source tree without the build, they skip.
"""

import asyncio
import os
import time
from pathlib import Path

import numpy as np
import pytest

import remotemedia
from remotemedia import Node, NodeError, Pipeline, TransientError
from remotemedia.nodes.audio import AudioResampleNode, FormatConverterNode, VADNode
from remotemedia.nodes.base import PassThroughNode
from remotemedia.nodes.simple_math import AddNode, MultiplyNode

if not remotemedia.is_native_runtime_available():
    if os.environ.get("REMOTEMEDIA_REQUIRE_NATIVE") == "1":
        raise RuntimeError("REMOTEMEDIA_REQUIRE_NATIVE=1 but the native runtime does not load")
    pytest.skip("native runtime not installed (source-tree run)", allow_module_level=True)


def run(coro):
    return asyncio.run(coro)


class Counter(Node):
    """A user source defined in the test module (a live object, like __main__)."""

    async def process(self):
        for i in range(5):
            yield i


class Double(Node):
    def process(self, data):
        return data * 2


class Boom(Node):
    def process(self, data):
        raise ValueError(f"cannot handle {data}")


class Busy(Node):
    def process(self, data):
        raise TransientError("backend busy")


class Sleepy(Node):
    def process(self, data):
        time.sleep(0.3)  # blocks its thread, not the event loop
        return data


def test_contract_examples_run_natively():
    p = Pipeline([MultiplyNode(factor=2), AddNode(addend=10)], enable_metrics=True)
    assert run(p.run([1, 2, 3])) == [12, 14, 16]
    assert p.get_metrics()["runtime"] == "native"
    assert [n["implementation"] for n in p.get_metrics()["node_metrics"]] == ["native", "native"]

    chain = Pipeline([PassThroughNode() for _ in range(10)] + [MultiplyNode(factor=2), AddNode(addend=5)])
    assert run(chain.run(list(range(100))))[:5] == [5, 7, 9, 11, 13]

    source = Pipeline([Counter(), MultiplyNode(factor=10)], enable_metrics=True)
    assert run(source.run()) == [0, 10, 20, 30, 40]
    assert [n["implementation"] for n in source.get_metrics()["node_metrics"]] == ["python", "native"]


def test_per_node_selection_follows_hints_and_classes():
    class MyMultiply(MultiplyNode):  # a subclass may change behaviour: Python
        pass

    nodes = [MultiplyNode(factor=2), MultiplyNode(factor=3, runtime_hint="python"), MyMultiply(factor=1),
             Double(), AddNode(addend=1)]
    p = Pipeline(nodes, enable_metrics=True)
    assert run(p.run([1, 2])) == [13, 25]
    impls = [n["implementation"] for n in p.get_metrics()["node_metrics"]]
    assert impls == ["native", "python", "python", "python", "native"]


def test_use_native_false_runs_pure_python_with_same_results():
    values = [0.1, 0.7, -3.3, [1.25, 2.5e-8]]
    p = Pipeline([MultiplyNode(factor=0.1), AddNode(addend=1.0 / 3.0)], enable_metrics=True)
    native_result = run(p.run(values))
    assert p.get_metrics()["runtime"] == "native"
    python_result = run(p.run(values, use_native=False))
    assert p.get_metrics()["runtime"] == "python"
    assert native_result == python_result  # same float operations, same bits


def test_audio_nodes_match_python_within_tolerance():
    # In-band content (what a resampler must keep): every good filter agrees
    # here; near Nyquist the numpy fallback's filter differs from soxr's.
    t = np.arange(48000) / 48000
    x = np.stack([0.3 * np.sin(2 * np.pi * 440 * t) + 0.2 * np.sin(2 * np.pi * 3000 * t),
                  0.25 * np.sin(2 * np.pi * 1000 * t)]).astype(np.float32)
    p = Pipeline([AudioResampleNode(target_sample_rate=16000), FormatConverterNode(target_format="i16"), VADNode()])
    native = run(p.run((x, 48000)))
    python = run(p.run((x, 48000), use_native=False))
    assert native[0].shape == python[0].shape == (2, 16000)
    assert native[0].dtype == np.int16 and native[1] == 16000
    # Resampling differs by at most one int16 step (soxr vs the numpy fallback).
    assert np.abs(native[0].astype(np.int32) - python[0].astype(np.int32)).max() <= 1
    assert native[2]["speech_frames"] == python[2]["speech_frames"]
    assert native[2]["total_frames"] == python[2]["total_frames"]


def test_buffers_cross_without_copy():
    x = np.linspace(-1, 1, 48000, dtype=np.float32).reshape(1, -1)
    p = Pipeline([PassThroughNode()])
    samples, rate = run(p.run((x, 48000)))
    assert rate == 48000
    assert np.shares_memory(samples, x)  # the native side read and returned our memory

    # Through a Python node inside the native execution, still no copy.
    p2 = Pipeline([PassThroughNode(), PassThroughNode(runtime_hint="python"), PassThroughNode()])
    samples2, _ = run(p2.run((x, 48000)))
    assert np.shares_memory(samples2, x)


def test_native_output_arrays_own_the_native_buffer():
    x = np.zeros((1, 4800), dtype=np.int16)
    p = Pipeline([FormatConverterNode(target_format="f32")])
    samples, rate = run(p.run((x, 48000)))
    assert samples.dtype == np.float32 and samples.shape == (1, 4800)
    assert not np.shares_memory(samples, x)
    # The array keeps the native item alive after the run and the pipeline are gone.
    del p
    assert float(samples.sum()) == 0.0


def test_bad_input_fails_before_running_naming_the_node():
    p = Pipeline([AudioResampleNode(target_sample_rate=16000)])
    with pytest.raises(TypeError, match="AudioResampleNode"):
        run(p.run(("not audio", 48000)))
    with pytest.raises(ValueError, match="AudioResampleNode"):
        run(p.run((np.zeros((1, 10), dtype=np.float32), 0)))
    with pytest.raises(ValueError, match="AudioResampleNode"):
        run(p.run((np.zeros((1, 2, 3), dtype=np.float32), 16000)))


def test_python_node_error_names_node_with_traceback():
    p = Pipeline([MultiplyNode(factor=1), Boom(name="boom")])
    with pytest.raises(NodeError) as info:
        run(p.run([5]))
    err = info.value
    assert err.node_id == "boom_1"
    assert err.node_type == "Boom"
    assert err.operation == "process"
    assert "ValueError: cannot handle 5" in str(err)
    assert "Traceback" in str(err)
    assert err.transient is False

    p2 = Pipeline([MultiplyNode(factor=1), Busy()])
    with pytest.raises(NodeError) as info2:
        run(p2.run([1]))
    assert info2.value.transient is True


def test_compiled_once_and_recompiled_when_config_changes():
    node = MultiplyNode(factor=2)
    p = Pipeline([node, AddNode(addend=0)])
    assert run(p.run([1])) == 2
    first = p._native
    assert run(p.run([2])) == 4
    assert p._native is first
    node.config["factor"] = 3
    node.factor = 3
    assert run(p.run([2])) == 6
    assert p._native is not first


def test_event_loop_stays_free_while_native_runs():
    async def scenario():
        ticks = 0
        stop = False

        async def ticker():
            nonlocal ticks
            while not stop:
                ticks += 1
                await asyncio.sleep(0.01)

        task = asyncio.create_task(ticker())
        p = Pipeline([MultiplyNode(factor=1), Sleepy()])
        result = await p.run([1])
        stop = True
        await task
        return result, ticks

    result, ticks = run(scenario())
    assert result == 1
    assert ticks >= 5  # the loop ticked while the native run slept 0.3 s


def test_gathered_pipelines_each_get_their_results():
    async def scenario():
        pipes = [Pipeline([MultiplyNode(factor=k), AddNode(addend=1)]) for k in range(1, 9)]
        return await asyncio.gather(*(p.run(list(range(50))) for p in pipes))

    results = run(scenario())
    for k, result in enumerate(results, start=1):
        assert result == [k * i + 1 for i in range(50)]


def test_native_node_runs_any_native_type_by_name():
    from remotemedia.nodes import NativeNode

    p = Pipeline([NativeNode("MultiplyNode", factor=3), AddNode(addend=1)], enable_metrics=True)
    assert run(p.run([1, 2])) == [4, 7]
    assert [n["implementation"] for n in p.get_metrics()["node_metrics"]] == ["native", "native"]
    # Params are validated by the runtime, naming the param.
    with pytest.raises(remotemedia.ConfigurationError, match="factor"):
        run(Pipeline([NativeNode("MultiplyNode", factor="x")]).run([1]))
    # No Python implementation: a clear error.
    with pytest.raises(NodeError, match="no Python implementation"):
        run(Pipeline([NativeNode("NoSuchType")]).run([1]))


def test_native_metrics_follow_the_shared_schema_and_trace_exports(tmp_path):
    import json

    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads((Path(__file__).resolve().parents[2] / "docs" / "metrics.schema.json").read_text())

    class Slow(Node):
        def process(self, data):
            time.sleep(0.02)
            return data

    p = Pipeline([MultiplyNode(factor=2), Slow(), AddNode(addend=1)], enable_metrics=True)
    assert run(p.run([1, 2])) == [3, 5]
    metrics = p.get_metrics()
    jsonschema.validate(metrics, schema)
    assert metrics["runtime"] == "native"
    nodes = {n["node_id"]: n for n in metrics["node_metrics"]}
    assert nodes["Slow_1"]["implementation"] == "python"
    assert nodes["MultiplyNode_0"]["implementation"] == "native"
    assert 18_000 <= nodes["Slow_1"]["p50_duration_us"] <= 60_000  # ~20 ms per call
    assert metrics["execution_order"] == ["MultiplyNode_0", "Slow_1", "AddNode_2"]

    path = tmp_path / "trace.json"
    p.export_trace(path)
    events = json.loads(path.read_text())["traceEvents"]
    calls = [e for e in events if e.get("ph") == "X"]
    assert {e["args"]["node_id"] for e in calls if "node_id" in e.get("args", {})} >= {"MultiplyNode_0", "Slow_1", "AddNode_2"}

    # The pure-Python path exports a trace too (one slice per node).
    run(p.run([1, 2], use_native=False))
    jsonschema.validate(p.get_metrics(), schema)
    p.export_trace(path)
    names = {e["name"] for e in json.loads(path.read_text())["traceEvents"] if e.get("ph") == "X"}
    assert names == {"MultiplyNode_0", "Slow_1", "AddNode_2"}


def test_export_trace_without_a_metrics_run_says_why(tmp_path):
    with pytest.raises(remotemedia.PipelineError, match="enable_metrics=True"):
        Pipeline([PassThroughNode()]).export_trace(tmp_path / "t.json")


def test_native_retries_and_breaker_reach_the_sdk_errors():
    from remotemedia.core.exceptions import CircuitOpenError

    flaky = Pipeline([MultiplyNode(factor=1), Busy(retry={"max_retries": 2, "initial_delay_ms": 1})])
    with pytest.raises(NodeError) as info:
        run(flaky.run([1]))
    assert info.value.transient is True
    assert (info.value.attempt, info.value.max_attempts) == (3, 3)
    assert "attempt 3 of 3" in str(info.value)

    broken = Pipeline([MultiplyNode(factor=1),
                       Boom(name="boom", retry={"max_retries": 0},
                            breaker={"failure_threshold": 2, "cooldown_ms": 60000})])
    for _ in range(2):
        with pytest.raises(NodeError) as failed:
            run(broken.run([1]))
        assert not isinstance(failed.value, CircuitOpenError)
    with pytest.raises(CircuitOpenError, match="boom_1"):
        run(broken.run([1]))


class Resource(Node):
    """Opens a resource in initialize() and closes it in cleanup()."""

    def __init__(self, **kw):
        super().__init__(**kw)
        self.resource = None
        self.initialized = self.cleaned = 0

    async def initialize(self):
        await asyncio.sleep(0.01)  # an async hook: other runs get the loop meanwhile
        self.resource = "open"
        self.initialized += 1

    def cleanup(self):
        self.resource = None
        self.cleaned += 1

    async def process(self, data):
        await asyncio.sleep(0.05 * data)
        return (self.resource, data)


@pytest.mark.parametrize("use_native", [True, False])
def test_runs_awaited_together_on_one_pipeline_share_its_life_cycle(use_native):
    # The first run to finish used to clean the nodes up under the others
    # (natively the slower run saw resource None); each run also initialised
    # the nodes again.
    node = Resource(name="res")
    p = Pipeline([node, PassThroughNode(name="pass")])

    async def scenario():
        return await asyncio.gather(*(p.run(k, use_native=use_native) for k in (1, 3, 2)))

    assert run(scenario()) == [("open", 1), ("open", 3), ("open", 2)]
    assert (node.initialized, node.cleaned) == (1, 1)
    assert not p.is_initialized
    assert run(p.run(1, use_native=use_native)) == ("open", 1)  # and again, alone
    assert (node.initialized, node.cleaned) == (2, 2)


def test_runs_awaited_together_leave_a_managed_pipeline_to_its_owner():
    node = Resource(name="res")
    p = Pipeline([node, PassThroughNode(name="pass")])

    async def scenario():
        async with p.managed_execution():
            outputs = await asyncio.gather(p.run(2), p.run(1))
            assert p.is_initialized and node.cleaned == 0
        return outputs

    assert run(scenario()) == [("open", 2), ("open", 1)]
    assert (node.initialized, node.cleaned) == (1, 1)


def test_runtime_refuses_a_second_init_that_would_free_its_registry():
    # __init__ again closed the registry that compiled pipelines point into:
    # running one afterwards crashed the process.
    import json

    from remotemedia._native import _bridge

    runtime = _bridge.Runtime()
    manifest = {"version": "v1", "metadata": {"name": "reinit"},
                "nodes": [{"id": "pass", "node_type": "PassThroughNode", "params": {}}], "connections": []}
    compiled = runtime.compile(json.dumps(manifest))
    with pytest.raises(RuntimeError, match="already initialized"):
        runtime.__init__(plugin_dirs=[], use_env=False, use_default=False)
    status, sinks, error, _extras, _ns = compiled.run([(3, "[1]", None)])
    assert (status, error, sinks) == (0, None, [("pass", [(3, "[1]", None)])])
    assert "PassThroughNode" in runtime.node_types()


def test_json_text_with_a_nul_is_a_value_error_not_out_of_memory():
    import json

    from remotemedia._native import _bridge

    manifest = {"version": "v1", "metadata": {"name": "nul"},
                "nodes": [{"id": "pass", "node_type": "PassThroughNode", "params": {}}], "connections": []}
    compiled = _bridge.Runtime().compile(json.dumps(manifest))
    with pytest.raises(ValueError, match="NUL"):
        compiled.run([(3, '"a\x00b"', None)])


class TallAudio(Node):
    """Returns (frames, channels)-shaped audio: 65537 rows."""

    def process(self, data):
        return np.zeros((65537, 1), dtype=np.float32), 16000


def test_audio_with_more_rows_than_channels_fit_fails_naming_the_shape():
    # The row count was cast to the item's 16-bit channel count: 65537 rows
    # became a valid-looking 1-channel item, and the SDK then failed with a
    # bare numpy reshape error.
    p = Pipeline([TallAudio(name="tall"), PassThroughNode(name="pass")])
    with pytest.raises(NodeError, match=r"got shape \(65537, 1\).*\(frames, channels\)"):
        run(p.run([1]))


class KeepsTable(Node):
    """Returns an array it keeps (its state) on every call."""

    def __init__(self, **kw):
        super().__init__(**kw)
        self.table = np.ones(3, dtype=np.float32)

    def process(self, data):
        return self.table


def test_native_nodes_never_write_into_an_array_a_python_node_returned():
    # The wrapped array was writable for the runtime once the item had one
    # reference, so MultiplyNode doubled it in place: the node's own state
    # changed and both outputs were [4, 4, 4], aliasing one buffer.
    keeper = KeepsTable(name="keep")
    outputs = run(Pipeline([keeper, MultiplyNode(factor=2)]).run([1, 2]))
    assert [o.tolist() for o in outputs] == [[2.0, 2.0, 2.0], [2.0, 2.0, 2.0]]
    assert keeper.table.tolist() == [1.0, 1.0, 1.0]
    assert not np.shares_memory(outputs[0], outputs[1])


class BoomAfterAWhile(Node):
    def process(self, data):
        time.sleep(0.05)
        raise ValueError(f"cannot handle {data}")


def test_runs_awaited_together_each_chain_their_own_python_exception():
    # The node kept one "last exception" for all runs of the pipeline: a run
    # took another run's exception as its cause, and that run got None.
    p = Pipeline([BoomAfterAWhile(name="boom"), PassThroughNode(name="pass")])

    async def scenario():
        return await asyncio.gather(*(p.run(k) for k in range(4)), return_exceptions=True)

    for k, error in enumerate(run(scenario())):
        assert isinstance(error, NodeError) and f"cannot handle {k}" in str(error)
        assert isinstance(error.__cause__, ValueError) and str(error.__cause__) == f"cannot handle {k}"


_NESTED_RUN_SCRIPT = """
import asyncio
from remotemedia import Node, Pipeline
from remotemedia.nodes.base import PassThroughNode
from remotemedia.nodes.simple_math import AddNode, MultiplyNode

class Inc(Node):
    def process(self, data):
        return data + 1

inner = Pipeline([MultiplyNode(factor=2, name="m"), Inc(name="i1"), AddNode(addend=0, name="a"), Inc(name="i2")])

class RunsInner(Node):
    def process(self, data):
        return asyncio.run(inner.run(data))

class AwaitsInner(Node):
    async def process(self, data):
        return await inner.run(data)

async def main():
    outer = Pipeline([MultiplyNode(factor=1, name="m0"), RunsInner(name="sync"), AwaitsInner(name="async"),
                      PassThroughNode(name="p")])
    return await asyncio.gather(*(outer.run([0, 1, 2]) for _ in range(3)))

print(asyncio.run(main()))
"""


def test_a_python_node_can_run_a_pipeline_without_deadlocking_the_pool(tmp_path):
    # A Python node that ran a pipeline from its call waited for the worker
    # pool its own call occupied: with the pool full of such calls (here one
    # worker) every run waited forever.
    import subprocess
    import sys

    script = tmp_path / "nested.py"
    script.write_text(_NESTED_RUN_SCRIPT)
    env = dict(os.environ, REMOTEMEDIA_WORKERS="1")
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=30, env=env)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == str([[6, 10, 14]] * 3)


def test_recompiled_when_a_split_twin_attribute_changes():
    # The VAD twins' native params come from the node's attributes, but the
    # compile cache only looked at its config: a changed threshold kept the
    # old one natively (a fresh pipeline had the new one).
    rng = np.random.default_rng(0)
    x = (rng.standard_normal(16000) * 0.1).astype(np.float32)
    vad = VADNode(name="vad")
    p = Pipeline([vad])
    assert run(p.run((x, 16000)))[2]["is_speech"] is True
    vad.energy_threshold = 1e9
    native = run(p.run((x, 16000)))[2]
    python = run(p.run((x, 16000), use_native=False))[2]
    assert (native["is_speech"], native["speech_frames"]) == (python["is_speech"], python["speech_frames"]) == (False, 0)


class ClosingSource(Node):
    """An async generator source that records when its finally block runs."""

    def __init__(self, log, **kw):
        super().__init__(**kw)
        self.log = log

    async def process(self):
        try:
            for i in range(100):
                yield i
        finally:
            self.log.append("closed")


class BoomOnTwo(Node):
    def process(self, data):
        if data == 2:
            raise ValueError("two")
        return data


@pytest.mark.parametrize("use_native", [True, False])
def test_a_source_stopped_by_a_failing_run_has_its_generator_closed(use_native):
    # Natively the source's async generator was abandoned when the run
    # failed: its finally block (closing a file, a device) never ran.
    log = []
    p = Pipeline([ClosingSource(log, name="src"), MultiplyNode(factor=1, name="m"), BoomOnTwo(name="boom")])
    with pytest.raises(NodeError, match="two"):
        run(p.run(use_native=use_native))
    assert log == ["closed"]


def test_math_settings_changed_as_attributes_reach_the_native_path():
    node = MultiplyNode(factor=2)
    p = Pipeline([node, AddNode(addend=0)])
    assert run(p.run([1])) == 2
    node.factor = 3  # the attribute, not node.config
    assert node.config["factor"] == 3
    assert run(p.run([1])) == 3
    assert run(p.run([1], use_native=False)) == 3


def test_math_number_rule_is_the_same_natively_and_in_python():
    values = [3, 0.5, 2.0 ** 52, 2.0 ** 53, 1e20, 2 ** 63 + 1, [1e300, -7.25]]
    p = Pipeline([MultiplyNode(factor=1.5), AddNode(addend=0)])
    native = run(p.run(values))
    python = run(p.run(values, use_native=False))
    assert native == python
    assert [type(v) for v in native[:6]] == [type(v) for v in python[:6]]


def test_keyboard_interrupt_in_a_python_node_is_not_swallowed():
    class Interrupt(Node):
        def process(self, data):
            raise KeyboardInterrupt

    p = Pipeline([MultiplyNode(factor=1), Interrupt(retry={"max_retries": 0})])
    with pytest.raises(KeyboardInterrupt):
        run(p.run([1]))
    with pytest.raises(KeyboardInterrupt):
        run(p.run([1], use_native=False))
