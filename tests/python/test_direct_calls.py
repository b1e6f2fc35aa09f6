"""Direct node calls (node.process(data), synchronously) on built-in nodes
with a native twin run the plugin through a one-node session held by the
node; same results as the Python implementation; runtime_hint="python"
forces Python; inside pipelines the pipeline decides."""

from __future__ import annotations

import asyncio
import subprocess
import sys

import numpy as np
import pytest

import remotemedia
from remotemedia import Pipeline
from remotemedia.nodes.audio import AudioResampleNode, FormatConverterNode, VADNode
from remotemedia.nodes.simple_math import AddNode, MultiplyNode

if not remotemedia.is_native_runtime_available():
    pytest.skip("native runtime not installed (source-tree run)", allow_module_level=True)

RNG = np.random.default_rng(7)
STEREO = (0.4 * RNG.standard_normal((2, 48000))).astype(np.float32)


@pytest.mark.parametrize("samples", [STEREO, STEREO[:1], STEREO[0], STEREO * 4, (STEREO * 20000).astype(np.int16)])
@pytest.mark.parametrize("fmt", ["i16", "i32", "f32", "f64"])
def test_format_converter_direct_call_is_native_and_identical(samples, fmt):
    native = FormatConverterNode(target_format=fmt)
    python = FormatConverterNode(target_format=fmt, runtime_hint="python")
    a, b = native.process((samples, 48000)), python.process((samples, 48000))
    assert native.last_runtime == "native" and python.last_runtime == "python"
    assert a[1] == b[1] and a[0].dtype == b[0].dtype and a[0].shape == b[0].shape
    assert np.array_equal(a[0], b[0])


@pytest.mark.parametrize("samples", [STEREO[:, :4800], STEREO[:1, :4801], STEREO[0, :333]])
def test_resample_direct_call_is_one_clip_per_call(samples):
    native = AudioResampleNode(target_sample_rate=16000)
    python = AudioResampleNode(target_sample_rate=16000, runtime_hint="python")
    for _ in range(3):  # each call is its own clip, on both
        a, b = native.process((samples, 48000)), python.process((samples, 48000))
        assert native.last_runtime == "native"
        assert a[1] == b[1] == 16000 and a[0].shape == b[0].shape and a[0].dtype == b[0].dtype
        assert np.abs(a[0] - b[0]).max() <= 1e-6


def test_vad_direct_calls_match_python():
    native, python = VADNode(), VADNode(runtime_hint="python")
    for k in range(4):
        clip = (STEREO[:, k * 4800:(k + 1) * 4800] * (0.01 if k % 2 else 1.0), 48000)
        a, b = native.process(clip), python.process(clip)
        assert native.last_runtime == "native"
        assert np.array_equal(a[0], b[0]) and a[1] == b[1]
        for key in ("is_speech", "speech_frames", "total_frames", "speech_ratio", "frame_duration_ms", "avg_energy"):
            assert a[2][key] == b[2][key], key  # the same operation order: equal to the last bit


def test_math_direct_calls_follow_config_changes():
    m = MultiplyNode(factor=3)
    assert m.process(2) == 6 and m.last_runtime == "native"
    assert m.process([1, 2.5]) == [3, 7.5]
    m.factor = 4
    assert m.process(2) == 8 and m.last_runtime == "native"
    a = AddNode(addend=0.1)
    assert a.process(0.2) == AddNode(addend=0.1, runtime_hint="python").process(0.2)


def test_direct_call_errors_name_the_node():
    node = FormatConverterNode(target_format="i16")
    with pytest.raises((TypeError, ValueError)) as info:
        node.process("not audio")
    assert "FormatConverterNode" in str(info.value)


def test_subclasses_and_pipelines_use_python_or_the_pipeline_choice():
    class Doubled(MultiplyNode):
        pass

    d = Doubled(factor=2)
    assert d.process(3) == 6 and d.last_runtime == "python"
    # Inside a pure-Python run the Python implementation runs.
    m = MultiplyNode(factor=2)
    p = Pipeline([m, AddNode(addend=1)], enable_metrics=True)
    assert asyncio.run(p.run([1, 2], use_native=False)) == [3, 5]
    assert [n["implementation"] for n in p.get_metrics()["node_metrics"]] == ["python", "python"]


def test_without_the_native_runtime_direct_calls_run_python(subprocess_env):
    code = (
        "import sys\n"
        "sys.modules['remotemedia._native._bridge'] = None  # the import fails\n"
        "import numpy as np\n"
        "from remotemedia.nodes.audio import FormatConverterNode\n"
        "n = FormatConverterNode(target_format='i16')\n"
        "out = n.process((np.array([[0.5, -2.0]], np.float32), 16000))\n"
        "print(n.last_runtime, out[0].tolist())\n"
    )
    result = subprocess.run([sys.executable, "-W", "ignore", "-c", code], env=subprocess_env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[0] == "python"
    assert "[[16384, -32768]]" in result.stdout


def test_nodes_with_a_direct_session_still_copy_and_pickle():
    import copy
    import pickle

    node = MultiplyNode(factor=5)
    assert node.process(2) == 10 and node.last_runtime == "native"
    for clone in (copy.deepcopy(node), pickle.loads(pickle.dumps(node))):
        assert "_rm_direct" not in clone.__dict__
        assert clone.process(3) == 15 and clone.last_runtime == "native"
    assert node.process(1) == 5
