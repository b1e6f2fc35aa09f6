"""A data scientist's mistakes with the SDK (QA, second day): each error
names what the user did wrong, in the user's terms, not the SDK's insides.

Runs on the native runtime when it is installed (`make test` requires it);
the pure-Python cases run everywhere.
"""

import asyncio
import os

import pytest

import remotemedia
from remotemedia import Node, NodeError, Pipeline
from remotemedia.nodes.simple_math import MultiplyNode

NATIVE = remotemedia.is_native_runtime_available()
if not NATIVE and os.environ.get("REMOTEMEDIA_REQUIRE_NATIVE") == "1":
    raise RuntimeError("REMOTEMEDIA_REQUIRE_NATIVE=1 but the native runtime does not load")
needs_native = pytest.mark.skipif(not NATIVE, reason="native runtime not installed (source-tree run)")


class Boom(Node):
    def process(self, data):
        raise RuntimeError(f"user code failed on {data}")


class StreamBoom(Node):
    is_streaming = True

    async def process(self, stream):
        async for item in stream:
            raise ValueError(f"stream failed on {item}")
            yield item


class AsyncBoom(Node):
    async def process(self, data):
        await asyncio.sleep(0)
        raise RuntimeError(f"async code failed on {data}")


class GeneratorBoom(Node):
    def process(self, data):
        yield data
        raise RuntimeError(f"generator failed on {data}")


@needs_native
@pytest.mark.parametrize("node", [Boom(), StreamBoom(), AsyncBoom(), GeneratorBoom()],
                         ids=["plain", "streaming", "coroutine", "generator"])
def test_python_node_traceback_starts_at_user_code(node):
    """The traceback in a Python node's NodeError (native run) shows the
    user's frames and the exception, not the adapter's own frames nor
    asyncio's (a coroutine's or generator's traceback began with
    asyncio's run_until_complete and went through the adapter)."""
    with pytest.raises(NodeError) as info:
        asyncio.run(Pipeline([node, MultiplyNode(factor=2)]).run([7]))
    text = str(info.value)
    assert "failed on 7" in text
    assert "Traceback" in text and __file__ in text
    assert "native_runner.py" not in text, text
    assert "_calls.py" not in text, text
    assert "asyncio" not in text, text


class NoSuperInit(Node):
    """A user node whose __init__ forgets super().__init__()."""

    def __init__(self, gain=2):
        self.gain = gain

    def process(self, data):
        return data * self.gain


class OldStyleNode(Node):
    """An old-SDK node that sets name and config by hand, no super().__init__()."""

    def __init__(self, gain=3):
        self.name = "old"
        self.config = {"gain": gain}
        self.gain = gain

    def process(self, data):
        return data * self.gain


@pytest.mark.parametrize("use_native", [pytest.param(True, marks=needs_native), False])
def test_nodes_that_skip_super_init_still_run(use_native):
    """A user node whose __init__ never called super().__init__() runs with
    Node.__init__'s defaults (it failed deep in the run with AttributeError
    '_runtime_hint'); what it set itself is kept."""
    bare, old = NoSuperInit(), OldStyleNode()
    pipeline = Pipeline([bare, old])
    assert bare.name == "NoSuperInit" and bare.config == {} and bare.runtime_hint == "auto"
    assert old.name == "old" and old.config == {"gain": 3}
    assert asyncio.run(pipeline.run([1, 2], use_native=use_native)) == [6, 12]
    assert Pipeline().add_node(NoSuperInit()).nodes[0].name == "NoSuperInit"


class BadAudio(Node):
    """Returns an 'audio tuple' whose rate is a string: a Python object."""

    def process(self, data):
        import numpy as np

        return (np.zeros(160, dtype=np.float32), "16000")


@needs_native
def test_audio_node_fed_a_non_audio_item_says_what_it_got(tmp_path):
    from remotemedia.nodes.audio import AudioFileSink, AudioResampleNode

    with pytest.raises(NodeError) as info:
        asyncio.run(Pipeline([BadAudio(), AudioResampleNode(target_sample_rate=8000)]).run([1]))
    text = str(info.value)
    assert "AudioResampleNode_1" in text and "a Python object" in text and "kind 5" not in text, text
    assert "(samples, sample_rate)" in text, text

    with pytest.raises(NodeError) as info:
        asyncio.run(Pipeline([MultiplyNode(factor=2), AudioFileSink(path=str(tmp_path / "o.wav"))]).run([1]))
    text = str(info.value)
    assert "AudioFileSink_1" in text and "JSON" in text and "kind 3" not in text, text
    assert not (tmp_path / "o.wav").exists()


@needs_native
@pytest.mark.parametrize("call", ["stage", "map_items"])
def test_one_item_given_as_the_batch_is_refused(tmp_path, call):
    """A path, bytes or one (samples, rate) tuple passed where a list of
    items goes would be a batch of its characters/bytes/halves: refused."""
    import numpy as np

    from remotemedia.distributed import NativeStage, map_items
    from remotemedia.nodes import AudioFileSink, AudioFileSource

    stage = NativeStage(Pipeline([AudioFileSource("in.wav"), AudioFileSink("out.wav")]))
    for one in ("in.wav", tmp_path / "in.wav", b"RIFF....WAVE", (np.zeros(16, dtype=np.float32), 16000)):
        with pytest.raises(TypeError, match=r"a list of items.*\(one item: \[item\]\)"):
            stage(one) if call == "stage" else map_items(stage, one)


def _locked_main_node_class():
    """A node class as if defined in the user's script (``__main__``), that
    holds a lock: Dask cannot send it to a worker."""
    import threading

    class LockedNode(Node):
        def __init__(self, **params):
            super().__init__(**params)
            self.lock = threading.Lock()

        def process(self, data):
            return data

    LockedNode.__module__ = "__main__"
    LockedNode.__qualname__ = "LockedNode"
    return LockedNode


@pytest.mark.parametrize("bad", [{"chunk_size": 0}, {"chunk_size": -1}, {"chunk_size": 1.5},
                                 {"threads_per_task": 0}, {"threads_per_task": -2}])
def test_dask_counts_below_one_are_refused_before_anything_runs(tmp_path, bad):
    pytest.importorskip("dask.distributed")
    from remotemedia.distributed import map_items, process_files
    from remotemedia.nodes import AudioFileSink, AudioFileSource

    name = next(iter(bad))
    pipeline = Pipeline([AudioFileSource("in.wav"), AudioFileSink("out.wav")])
    not_a_client = object()  # never reached: the check comes first
    with pytest.raises(remotemedia.ConfigurationError, match=rf"process_files: {name} must be a whole number >= 1"):
        process_files(pipeline, [tmp_path / "a.wav"], tmp_path / "out", client=not_a_client, progress=False, **bad)
    if name == "chunk_size" and NATIVE:
        from remotemedia.distributed import NativeStage

        with pytest.raises(remotemedia.ConfigurationError, match=r"map_items: chunk_size must be a whole number >= 1"):
            map_items(NativeStage(pipeline), ["a.wav"], client=not_a_client, **bad)


def test_dask_pipeline_with_an_unpicklable_main_node_names_the_node(tmp_path):
    pytest.importorskip("dask.distributed")
    from remotemedia.distributed import process_files
    from remotemedia.nodes import AudioFileSink, AudioFileSource

    pipeline = Pipeline([AudioFileSource("in.wav"), _locked_main_node_class()(name="locked"), AudioFileSink("o.wav")])
    with pytest.raises(remotemedia.PipelineError,
                       match=r"__main__.*node 'locked_1' \(LockedNode\) cannot be pickled.*_thread.lock"):
        process_files(pipeline, [tmp_path / "a.wav"], tmp_path / "out", client=object(), progress=False)


class LockHolder(Node):
    """A node (in a module, not __main__) that holds a lock: it cannot be pickled."""

    def __init__(self, **kwargs):
        import threading

        super().__init__(**kwargs)
        self.lock = threading.Lock()

    def process(self, data):
        return data


def test_dask_pure_python_road_names_why_it_pickles(tmp_path):
    """native=False (no node in __main__): the pickling error gives that
    reason, not '__main__'."""
    pytest.importorskip("dask.distributed")
    from remotemedia.distributed import process_files
    from remotemedia.nodes import AudioFileSink, AudioFileSource

    pipeline = Pipeline([AudioFileSource("in.wav"), LockHolder(name="locked"), AudioFileSink("o.wav")])
    with pytest.raises(remotemedia.PipelineError, match=r"process_files: native=False, so the workers run") as info:
        process_files(pipeline, [tmp_path / "a.wav"], tmp_path / "out", client=object(), progress=False,
                      native=False)
    assert "__main__" not in str(info.value).split(", so the workers")[0]


def test_a_memoryview_given_as_the_batch_is_one_item():
    from remotemedia.distributed.stage import item_list

    with pytest.raises(TypeError, match=r"expected a list of items, got memoryview .*\(one item: \[item\]\)"):
        item_list(memoryview(b"RIFF...."), "NativeStage")
    assert item_list([memoryview(b"ab")], "NativeStage")[0] == b"ab"


@pytest.mark.parametrize("error, says", [
    (ModuleNotFoundError("No module named 'remotemedia._native._bridge'", name="remotemedia._native._bridge"),
     "native runtime not installed"),
    (ImportError("libuv-c85c14db.so.1.0.0: cannot open shared object file: No such file or directory"),
     "native runtime is installed but does not load"),
])
def test_runtime_detection_tells_missing_from_broken(monkeypatch, error, says):
    """A wheel whose bundled library went missing is not 'not installed':
    the reason says it is installed, which library failed, and what to do."""
    from remotemedia import native

    def fail(name):
        raise error

    monkeypatch.setattr(native, "_result", None)
    monkeypatch.setattr(native.importlib, "import_module", fail)
    ok, module, reason = native.try_load_native_runtime()
    assert not ok and module is None
    assert reason.startswith(says) and str(error) in reason, reason
    if "does not load" in says:
        assert "reinstall" in reason


@needs_native
def test_a_stage_given_no_pipeline_names_the_stage():
    from remotemedia.distributed import NativeStage

    with pytest.raises(TypeError, match=r"^NativeStage: expected a Pipeline, a manifest dict, JSON text or a path; got int"):
        NativeStage(42)


class Mean(Node):
    """Returns numpy scalars, as numpy reductions do."""

    def process(self, data):
        import numpy as np

        return np.mean(np.asarray(data, dtype=np.float32))


@needs_native
def test_numpy_number_scalars_reach_a_native_math_node_as_in_python():
    """np.float64 from np.mean, np.int64 items, np.float32: the native run
    computes what the pure-Python run computes (was: 'cannot do arithmetic
    on a Python object item')."""
    import numpy as np

    cases = [
        ([Mean(), MultiplyNode(factor=2)], [[1, 2], [3, 5]]),
        ([MultiplyNode(factor=2)], [np.int64(3), np.float32(1.5), np.float64(0.25)]),
        ([MultiplyNode(factor=2)], [[np.int64(3), 4.5]]),
    ]
    for nodes, data in cases:
        native = asyncio.run(Pipeline(nodes).run(data))
        python = asyncio.run(Pipeline(nodes).run(data, use_native=False))
        assert native == python, (nodes, native, python)


class Keep(Node):
    """Returns what it gets (a Python node: the item crosses the bridge)."""

    def process(self, data):
        return data


@needs_native
def test_numpy_scalars_keep_their_exact_value_through_a_native_run():
    """numpy number scalars come back from a native run as the Python number
    of exactly the same value; an np.longdouble (wider than a double) stays
    the object it was, with no recursion in the JSON fallback."""
    import numpy as np

    data = [np.float32(0.1), np.float16(2.5), np.float64(0.25), np.int64(7), np.uint64(2**63 + 1),
            np.longdouble(1.5)]
    native = asyncio.run(Pipeline([Keep()]).run(data))
    python = asyncio.run(Pipeline([Keep()]).run(data, use_native=False))
    assert native == python
    assert native[0] == float(np.float32(0.1)) and native[4] == 2**63 + 1
    assert type(native[5]) is np.longdouble


@pytest.mark.parametrize("use_native", [pytest.param(True, marks=needs_native), False])
def test_audio_given_as_frames_by_channels_is_named_with_the_fix(use_native):
    """(frames, channels) instead of (channels, frames): 1600 'channels'.
    The error names the node and says to transpose (was: node '?' and
    'invalid audio format ... 1600 channels' natively)."""
    import numpy as np

    from remotemedia.nodes.audio import AudioResampleNode

    pipeline = Pipeline([AudioResampleNode(target_sample_rate=8000)])
    # native: checked before the run (ValueError); Python: the node raises it (NodeError)
    with pytest.raises((ValueError, NodeError), match=r"AudioResampleNode.*1600 channels.*at most 64.*samples\.T"):
        asyncio.run(pipeline.run((np.zeros((1600, 2), dtype=np.float32), 16000), use_native=use_native))


def _edges(dtype):
    """Each value at the edge of ``dtype`` (min, max, 0, -1 or 1, their
    neighbours), as a (2, 4) array."""
    import numpy as np

    info = np.iinfo(dtype) if np.issubdtype(dtype, np.integer) else np.finfo(dtype)
    low, high = info.min, info.max
    one = -1 if low < 0 else 1
    if np.issubdtype(dtype, np.integer):
        values = [low, high, 0, one, low + 1, high - 1, high // 3, low // 7]
    else:
        values = [low, high, 0, one, info.tiny, -info.tiny, 0.1, 1 / 3]
    return np.array(values, dtype=dtype).reshape(2, 4)


@needs_native
@pytest.mark.filterwarnings("ignore:overflow encountered")  # numpy, at float max
@pytest.mark.parametrize("dtype", ["int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
                                   "float32", "float64", "bool"])
def test_numeric_arrays_through_native_math_as_in_python(dtype):
    """Every dtype into MultiplyNode/AddNode, at its edges: natively as in
    Python, the same bits (an integer array gives float64, as numpy's
    ``array * 2.0``; was: 'tensor dtype must be float32 or float64'); a
    bool array is refused by both."""
    import numpy as np

    from remotemedia.nodes.simple_math import AddNode

    if dtype == "bool":
        data = (np.arange(6) % 3).reshape(2, 3).astype(dtype)
        for use_native in (True, False):
            with pytest.raises(NodeError, match="MultiplyNode_0.*expected a numeric .*dtype bool"):
                asyncio.run(Pipeline([MultiplyNode(factor=2)]).run(data, use_native=use_native))
        return
    data = _edges(np.dtype(dtype))
    want_dtype = data.dtype if data.dtype.kind == "f" else np.float64
    for node in (MultiplyNode(factor=2), MultiplyNode(factor=-0.1), AddNode(addend=0.5), AddNode(addend=-3)):
        native = asyncio.run(Pipeline([node]).run(data.copy()))
        python = asyncio.run(Pipeline([node]).run(data.copy(), use_native=False))
        assert native.dtype == python.dtype == want_dtype and native.shape == python.shape
        assert native.tobytes() == python.tobytes(), (node, native, python)


@needs_native
def test_a_dict_into_a_native_math_node_reads_as_english():
    # The Python implementation's check, before the native run: the same
    # NodeTypeError and message as with use_native=False.
    for native in (True, False):
        with pytest.raises(NodeError, match=r"MultiplyNode_0' \(MultiplyNode\) failed in process\(\): TypeError: "
                                            r"MultiplyNode: expected a number or a list of numbers, got a dict"):
            asyncio.run(Pipeline([MultiplyNode(factor=2)]).run({"gain": 1}, use_native=native))
        with pytest.raises(NodeError, match=r"expected a number or a list of numbers, got None"):
            asyncio.run(Pipeline([MultiplyNode(factor=2)]).run([[1, None]], use_native=native))
