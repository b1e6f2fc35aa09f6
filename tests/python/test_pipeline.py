"""Pipeline semantics: building, running, result shaping, life cycle, streaming."""

from __future__ import annotations

import asyncio
import warnings
from typing import Any, AsyncIterator, List

import pytest

from remotemedia import Node, NodeError, Pipeline, PipelineError
from remotemedia.core import dispatch, executor
from remotemedia.nodes.base import PassThroughNode
from remotemedia.nodes.simple_math import AddNode, MultiplyNode


class CountingSource(Node):
    """A user-defined source node (defined in the test module, as scripts do)."""

    def __init__(self, count: int = 5, **params: Any) -> None:
        super().__init__(count=count, **params)
        self.count = count

    async def process(self) -> AsyncIterator[int]:
        for i in range(self.count):
            yield i


class TimesTen(Node):
    def process(self, data: int) -> int:
        return data * 10


# -- the contract's examples -------------------------------------------------

def test_multiply_then_add(run) -> None:
    pipeline = Pipeline()
    pipeline.add_node(MultiplyNode(factor=2)).add_node(AddNode(addend=10))
    assert run(pipeline.run([1, 2, 3])) == [12, 14, 16]


def test_ten_passthroughs_then_math_on_range(run) -> None:
    nodes = [PassThroughNode(name=f"pass{i}") for i in range(10)] + [MultiplyNode(factor=2), AddNode(addend=5)]
    pipeline = Pipeline(nodes)
    result = run(pipeline.run(list(range(100))))
    assert result[:5] == [5, 7, 9, 11, 13]
    assert result == [2 * x + 5 for x in range(100)]
    assert run(pipeline.run(range(100))) == result  # a range is fed item by item too


def test_user_source_node_then_times_ten(run) -> None:
    pipeline = Pipeline([CountingSource(5), TimesTen()])
    assert run(pipeline.run()) == [0, 10, 20, 30, 40]


# -- building -------------------------------------------------------------------

def test_default_names_are_unique() -> None:
    a, b = Pipeline(), Pipeline()
    assert a.name.startswith("Pipeline_") and b.name.startswith("Pipeline_")
    assert a.name != b.name
    assert Pipeline(name="mine").name == "mine"


def test_add_node_rejects_non_nodes() -> None:
    with pytest.raises(PipelineError, match="expects a remotemedia Node"):
        Pipeline().add_node(lambda x: x)  # type: ignore[arg-type]


@pytest.mark.parametrize("nodes, name, text", [
    (5, None, "nodes must be a list of Node objects, got int 5"),
    ("my pipeline", None, "nodes must be a list of Node objects, got str 'my pipeline' "
                          "\\(to name the pipeline: Pipeline\\(name='my pipeline'\\)\\)"),
    (MultiplyNode(), None, "nodes must be a list of Node objects, got MultiplyNode .*\\(one node: \\[node\\]\\)"),
    (None, 7, "name must be a string, got int 7"),
])
def test_constructor_arguments_of_the_wrong_kind_are_named(nodes: Any, name: Any, text: str) -> None:
    with pytest.raises(PipelineError, match=text):
        Pipeline(nodes, name=name)


def test_add_and_remove_rejected_when_initialized(run) -> None:
    pipeline = Pipeline([PassThroughNode()])

    async def scenario() -> None:
        async with pipeline.managed_execution():
            assert pipeline.is_initialized
            with pytest.raises(PipelineError, match="initialised"):
                pipeline.add_node(PassThroughNode())
            with pytest.raises(PipelineError, match="initialised"):
                pipeline.remove_node("PassThroughNode")
        assert not pipeline.is_initialized

    run(scenario())


def test_nodes_len_get_remove() -> None:
    first, second = MultiplyNode(factor=3, name="triple"), AddNode(addend=1)
    pipeline = Pipeline([first, second])
    assert pipeline.nodes == [first, second]
    assert len(pipeline) == 2
    assert pipeline.get_node("triple") is first
    assert pipeline.get_node("missing") is None
    assert pipeline.remove_node("triple") is True
    assert pipeline.remove_node("triple") is False
    assert pipeline.nodes == [second]


def test_node_name_and_config() -> None:
    node = Node(name="n", alpha=1, beta="x")
    assert node.name == "n"
    assert node.config == {"alpha": 1, "beta": "x"}
    assert Node().name == "Node"
    assert MultiplyNode(factor=4).config == {"factor": 4}


def test_empty_pipeline_cannot_run(run) -> None:
    with pytest.raises(PipelineError, match="no nodes"):
        run(Pipeline().run([1]))


# -- result shaping -------------------------------------------------------------

class DropOdd(Node):
    def process(self, data: int) -> Any:
        return None if data % 2 else data


@pytest.mark.parametrize("data, expected", [
    ([1, 3, 5], None),          # nothing emitted
    ([1, 2, 3], 2),             # exactly one: the bare item
    ([2, 4], [2, 4]),           # several: a list
    (4, 4),                     # a scalar is one item
    ([], None),
])
def test_result_shaping(run, data: Any, expected: Any) -> None:
    assert run(Pipeline([DropOdd()]).run(data)) == expected


def test_tuple_is_one_item(run) -> None:
    seen: List[Any] = []

    class Record(Node):
        def process(self, data: Any) -> Any:
            seen.append(data)
            return data

    result = run(Pipeline([Record()]).run((1, 2)))
    assert seen == [(1, 2)]
    assert result == (1, 2)


def test_single_list_output_is_returned_bare(run) -> None:
    class Pair(Node):
        def process(self, data: int) -> List[int]:
            return [data, data]

    assert run(Pipeline([Pair()]).run(7)) == [7, 7]
    assert run(Pipeline([Pair()]).run([1, 2])) == [[1, 1], [2, 2]]


def test_async_iterable_input(run) -> None:
    async def numbers() -> AsyncIterator[int]:
        for i in range(3):
            yield i

    assert run(Pipeline([AddNode(addend=1)]).run(numbers())) == [1, 2, 3]


# -- process kinds and hooks ------------------------------------------------

class AsyncDouble(Node):
    async def process(self, data: int) -> int:
        await asyncio.sleep(0)
        return data * 2


class Repeat(Node):
    async def process(self, data: int) -> AsyncIterator[int]:
        for _ in range(2):
            yield data


class SyncGen(Node):
    def process(self, data: int):
        yield data
        yield -data


def test_coroutine_async_generator_and_generator_process(run) -> None:
    assert run(Pipeline([AsyncDouble()]).run([1, 2])) == [2, 4]
    assert run(Pipeline([Repeat()]).run([1, 2])) == [1, 1, 2, 2]
    assert run(Pipeline([SyncGen()]).run([3])) == [3, -3]


class SyncHooks(Node):
    def __init__(self) -> None:
        super().__init__()
        self.events: List[str] = []

    def initialize(self) -> None:
        self.events.append("init")

    def process(self, data: int) -> int:
        self.events.append(f"process {data}")
        return data

    def flush(self) -> int:
        self.events.append("flush")
        return 99

    def cleanup(self) -> None:
        self.events.append("cleanup")


class AsyncHooks(Node):
    def __init__(self) -> None:
        super().__init__()
        self.events: List[str] = []

    async def initialize(self) -> None:
        await super().initialize()
        self.events.append("init")

    def process(self, data: int) -> int:
        self.events.append(f"process {data}")
        return data

    async def flush(self) -> AsyncIterator[int]:
        self.events.append("flush")
        yield 98
        yield 99

    async def cleanup(self) -> None:
        self.events.append("cleanup")
        await super().cleanup()


def test_sync_hooks(run) -> None:
    node = SyncHooks()
    assert run(Pipeline([node]).run([1, 2])) == [1, 2, 99]
    assert node.events == ["init", "process 1", "process 2", "flush", "cleanup"]


def test_async_hooks(run) -> None:
    node = AsyncHooks()
    assert run(Pipeline([node]).run([1])) == [1, 98, 99]
    assert node.events == ["init", "process 1", "flush", "cleanup"]
    assert not node.is_initialized


def test_flush_output_flows_through_later_nodes(run) -> None:
    assert run(Pipeline([SyncHooks(), AddNode(addend=1)]).run([1])) == [2, 100]


def test_base_hooks_can_be_awaited_or_called(run) -> None:
    node = PassThroughNode()
    node.initialize()
    assert node.is_initialized
    run(_await(node.cleanup()))
    assert not node.is_initialized


def test_pipeline_hooks_mark_base_and_overriding_nodes_alike(run) -> None:
    """The pipeline calls every node's hooks through one path: a node with
    the base class's hooks is marked initialised and cleaned up by them, a
    node overriding them is called (sync and async), in order."""

    class SyncHooks(PassThroughNode):
        def initialize(self) -> None:
            super().initialize()
            events.append("sync init")

        def cleanup(self) -> None:
            events.append("sync cleanup")
            super().cleanup()

    events: List[str] = []
    base, sync = PassThroughNode(), SyncHooks()
    pipeline = Pipeline([base, sync])

    async def scenario() -> None:
        async with pipeline.managed_execution():
            assert base.is_initialized and sync.is_initialized
            assert events == ["sync init"]
        assert not base.is_initialized and not sync.is_initialized
        assert events == ["sync init", "sync cleanup"]

    run(scenario())


async def _await(awaitable: Any) -> Any:
    return await awaitable


# -- streaming nodes ----------------------------------------------------------

class RunningSum(Node):
    is_streaming = True

    async def process(self, stream: AsyncIterator[int]) -> AsyncIterator[int]:
        total = 0
        async for value in stream:
            total += value
            yield total


class Batcher(Node):
    """Streaming node that emits pairs and its tail when the stream ends."""

    is_streaming = True

    async def process(self, stream: AsyncIterator[int]) -> AsyncIterator[List[int]]:
        batch: List[int] = []
        async for value in stream:
            batch.append(value)
            if len(batch) == 2:
                yield batch
                batch = []
        if batch:
            yield batch


def test_streaming_node_gets_the_whole_stream(run) -> None:
    assert run(Pipeline([RunningSum()]).run([1, 2, 3, 4])) == [1, 3, 6, 10]
    assert run(Pipeline([MultiplyNode(factor=2), RunningSum(), AddNode(addend=1)]).run([1, 2, 3])) == [3, 7, 13]


def test_streaming_node_tail(run) -> None:
    assert run(Pipeline([Batcher()]).run([1, 2, 3, 4, 5])) == [[1, 2], [3, 4], [5]]


def test_items_flow_one_at_a_time(run) -> None:
    """Each item passes the whole chain before the source makes the next one."""
    log: List[str] = []

    class Source(Node):
        async def process(self) -> AsyncIterator[int]:
            for i in range(3):
                log.append(f"make {i}")
                yield i

    class Sink(Node):
        def process(self, data: int) -> int:
            log.append(f"sink {data}")
            return data

    # The pure-Python executor's order; the native one interleaves through
    # bounded queues instead.
    run(Pipeline([Source(), PassThroughNode(), Sink()]).run(use_native=False))
    assert log == ["make 0", "sink 0", "make 1", "sink 1", "make 2", "sink 2"]


def test_process_streams_outputs(run) -> None:
    pipeline = Pipeline([CountingSource(4), TimesTen()])

    async def scenario() -> List[int]:
        outputs = []
        async with pipeline.managed_execution():
            async for output in pipeline.process():
                outputs.append(output)
            assert pipeline.is_initialized
        return outputs

    assert run(scenario()) == [0, 10, 20, 30]


def test_process_with_input_stream_without_managed_execution(run) -> None:
    pipeline = Pipeline([AddNode(addend=1)])

    async def scenario() -> List[int]:
        async def inputs() -> AsyncIterator[int]:
            for i in range(3):
                yield i
        return [x async for x in pipeline.process(inputs())]

    assert run(scenario()) == [1, 2, 3]
    assert not pipeline.is_initialized


def test_run_inside_managed_execution_keeps_it_initialized(run) -> None:
    node = SyncHooks()
    pipeline = Pipeline([node])

    async def scenario() -> None:
        async with pipeline.managed_execution():
            assert await pipeline.run(1) == [1, 99]
            assert await pipeline.run(2) == [2, 99]
            assert pipeline.is_initialized

    run(scenario())
    assert node.events.count("init") == 1 and node.events.count("cleanup") == 1


# -- errors -----------------------------------------------------------------

class Fails(Node):
    def process(self, data: int) -> int:
        raise ValueError(f"bad value {data}")


def test_node_errors_name_the_node(run) -> None:
    pipeline = Pipeline([PassThroughNode(), Fails(name="boom")])
    with pytest.raises(NodeError) as info:
        run(pipeline.run([1]))
    error = info.value
    assert error.node_id == "boom_1"
    assert error.node_type == "Fails"
    assert error.operation == "process"
    assert "boom_1" in str(error) and "bad value 1" in str(error)
    assert isinstance(error.__cause__, ValueError)


def test_error_in_upstream_of_streaming_node_keeps_its_origin(run) -> None:
    with pytest.raises(NodeError) as info:
        run(Pipeline([Fails(name="first"), RunningSum()]).run([1]))
    assert info.value.node_id == "first_0"


def test_error_still_cleans_up(run) -> None:
    hooks = SyncHooks()
    with pytest.raises(NodeError):
        run(Pipeline([hooks, Fails()]).run([1]))
    assert hooks.events[-1] == "cleanup"


def test_initialize_failure_is_reported_and_cleans_up_started_nodes(run) -> None:
    class BadInit(Node):
        def initialize(self) -> None:
            raise RuntimeError("no model")

        def process(self, data: Any) -> Any:
            return data

    hooks = SyncHooks()
    with pytest.raises(NodeError, match="no model") as info:
        run(Pipeline([hooks, BadInit()]).run([1]))
    assert info.value.operation == "initialize"
    assert hooks.events == ["init", "cleanup"]


def test_transient_errors_are_marked(run) -> None:
    from remotemedia import TransientError

    class Flaky(Node):
        def process(self, data: Any) -> Any:
            raise TransientError("busy")

    with pytest.raises(NodeError) as info:
        run(Pipeline([Flaky()]).run([1]))
    assert info.value.transient is True


def test_non_source_first_node_without_data(run) -> None:
    with pytest.raises(PipelineError, match="source"):
        run(Pipeline([TimesTen()]).run())


# -- native switch ------------------------------------------------------------

def test_use_native_and_use_rust_give_python_results(run, monkeypatch) -> None:
    pipeline = Pipeline([MultiplyNode(factor=2)])
    monkeypatch.setattr(dispatch, "_warned_unavailable", False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert run(pipeline.run([1, 2], use_rust=False)) == [2, 4]
        assert run(pipeline.run([1, 2], use_native=False)) == [2, 4]
        assert run(pipeline.run([1, 2], use_rust=True)) == [2, 4]


def test_use_native_true_warns_once_when_unavailable(run, monkeypatch) -> None:
    from remotemedia import native

    monkeypatch.setattr(native, "try_load_native_runtime", lambda: (False, None, "not installed (test)"))
    monkeypatch.setattr(dispatch, "_warned_unavailable", False)
    pipeline = Pipeline([AddNode(addend=1)])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert run(pipeline.run([1], use_native=True)) == 2
        assert run(pipeline.run([1], use_native=True)) == 2
        assert run(pipeline.run([1])) == 2  # default request: no warning
    relevant = [w for w in caught if issubclass(w.category, native.NativeRuntimeWarning)]
    assert len(relevant) == 1
    assert "not installed (test)" in str(relevant[0].message)


def test_executor_is_separate_from_dispatch() -> None:
    plan = dispatch.plan_execution([PassThroughNode()], use_native=False, explicit=False)
    assert plan.implementations == ["python"] and plan.all_python
    assert hasattr(executor, "PythonChainExecutor")


def test_old_sdk_spellings(run) -> None:
    pipeline = Pipeline([MultiplyNode(factor=2)])
    assert run(pipeline.run(input_data=[1, 2])) == [2, 4]
    assert pipeline.node_count == 1
    assert pipeline.get_config()["nodes"][0] == {"name": "MultiplyNode", "class": "MultiplyNode",
                                                 "config": {"factor": 2}}
    node = Node()
    assert node.split_data_metadata(((1, 2), {"k": 1})) == ((1, 2), {"k": 1})
    assert node.split_data_metadata((1, 2, {"k": 1})) == ((1, 2), {"k": 1})
    assert node.split_data_metadata(5) == (5, None)
    assert node.merge_data_metadata((1, 2), {"k": 1}) == (1, 2, {"k": 1})
    assert node.merge_data_metadata(5, None) == 5
    assert '"description": "old style"' in pipeline.serialize(True, "old style")
    with pytest.raises(TypeError, match="unexpected keyword"):
        run(pipeline.run(inputs=[1]))
