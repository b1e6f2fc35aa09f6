"""Built-in nodes check their parameters at construction, as the native
runtime does: an unknown name is a ConfigurationError with a did-you-mean,
values are checked against ranges and choices. One table
(remotemedia/nodes/_params.py) holds them; it must agree with what the
native plugins declare (``rmrun inspect --json``)."""

from __future__ import annotations

import asyncio
import inspect
import json
import os
import subprocess

import numpy as np
import pytest

import remotemedia
from remotemedia import ConfigurationError, Node, Pipeline
from remotemedia.nodes import (AddNode, AudioBuffer, AudioFileSink, AudioFileSource, AudioResampleNode,
                               AudioTrackSource, AudioTransform, FormatConverterNode, MediaReaderNode, MultiplyNode,
                               PassThroughNode, SileroVADNode, SpeechSegmenter, VADNode, VoiceActivityDetector)
from remotemedia.nodes._params import PARAMS

CLASSES = {cls.__name__: cls for cls in (
    PassThroughNode, MultiplyNode, AddNode, AudioResampleNode, FormatConverterNode, VADNode, VoiceActivityDetector,
    SpeechSegmenter, AudioFileSource, AudioFileSink, AudioTransform, AudioBuffer, MediaReaderNode, AudioTrackSource,
    SileroVADNode)}
REQUIRED = {"AudioFileSource": {"path": "in.wav"}, "AudioFileSink": {"path": "out.wav"},
            "MediaReaderNode": {"path": "in.mp4"}}


def test_the_table_covers_every_built_in_node() -> None:
    assert set(PARAMS) == set(CLASSES)


def test_the_issue_examples_fail_at_construction() -> None:
    with pytest.raises(ConfigurationError) as error:
        VADNode(energy_treshold=0.5)
    assert str(error.value) == ("VADNode: unknown parameter 'energy_treshold' (did you mean 'energy_threshold'?); "
                                "valid parameters: frame_duration_ms, energy_threshold")
    with pytest.raises(ConfigurationError, match="unknown parameter 'target_samplerate' "
                                                 r"\(did you mean 'target_sample_rate'\?\)"):
        AudioResampleNode(target_samplerate=8000, runtime_hint="python")


@pytest.mark.parametrize("node_type", sorted(CLASSES))
def test_every_built_in_node_refuses_a_misspelt_parameter(node_type) -> None:
    cls = CLASSES[node_type]
    names = [name for name, spec in PARAMS[node_type].items() if spec.python]
    if not names:
        with pytest.raises(ConfigurationError, match=f"{node_type}: unknown parameter 'gain': it takes no parameters"):
            cls(gain=2)
        return
    name = names[-1]
    typo = name[:-1] + ("x" if name[-1] != "x" else "y")
    with pytest.raises(ConfigurationError, match=f"^{node_type}: unknown parameter '{typo}' "
                                                 f"\\(did you mean '{name}'\\?\\); valid parameters: "):
        cls(**REQUIRED.get(node_type, {}), **{typo: 1})
    # Node keywords are not params and stay accepted.
    node = cls(**REQUIRED.get(node_type, {}), name="n", retry={"max_retries": 1}, timeout_ms=5)
    assert node.name == "n" and node.timeout_ms == 5 and "timeout_ms" not in node.config


@pytest.mark.parametrize("factory, message", [
    (lambda: VADNode(frame_duration_ms=0), r"VADNode: frame_duration_ms must be in \[1, 10000\], got 0"),
    (lambda: VADNode(energy_threshold=-0.1), "VADNode: energy_threshold must be >= 0, got -0.1"),
    (lambda: VoiceActivityDetector(speech_threshold=1.5),
     r"VoiceActivityDetector: speech_threshold must be in \[0, 1\], got 1.5"),
    (lambda: VoiceActivityDetector(filter_mode="yes"), "VoiceActivityDetector: filter_mode must be true or false"),
    (lambda: AudioResampleNode(target_sample_rate=16000.5), "target_sample_rate must be a whole number, got 16000.5"),
    (lambda: AudioResampleNode(quality="hihg"),
     "quality must be one of low, medium, high, very_high; got 'hihg' \\(did you mean 'high'\\?\\)"),
    (lambda: FormatConverterNode(target_format="i24"), "target_format must be one of f32, f64, i16, i32; got 'i24'"),
    (lambda: SpeechSegmenter(padding_ms=-1), r"SpeechSegmenter: padding_ms must be in \[0, 10000\], got -1"),
    (lambda: SpeechSegmenter(frame_ms=15), "SpeechSegmenter: frame_ms must be 10, 20 or 30; got 15"),
    (lambda: AudioFileSource("x.wav", chunk_seconds=0), r"chunk_seconds must be in \[0.001, 3600\], got 0"),
    (lambda: MultiplyNode(factor=float("nan")), "MultiplyNode: factor must be a finite number, got nan"),
    (lambda: SileroVADNode(threshold=1.0), r"SileroVADNode: threshold must be in \(0, 1\), got 1.0"),
    (lambda: AudioTransform(output_channels=0), r"AudioTransform: output_channels must be in \[1, 64\], got 0"),
])
def test_values_are_checked_against_ranges_and_choices(factory, message) -> None:
    with pytest.raises(ConfigurationError, match=message):
        factory()


def test_a_wrong_type_is_a_configuration_error_and_a_type_error() -> None:
    with pytest.raises(ConfigurationError, match=r"MultiplyNode: factor must be a number, got '2' \(str\)") as error:
        MultiplyNode(factor="2")
    assert isinstance(error.value, TypeError)


def test_native_only_parameters_point_to_native_node() -> None:
    with pytest.raises(ConfigurationError, match="AudioResampleNode: parameter 'backend' exists only in the native "
                                                 r"plugin.*NativeNode\('AudioResampleNode', backend=...\)"):
        AudioResampleNode(backend="samplerate")


def test_values_are_normalised_into_config() -> None:
    node = AudioResampleNode(target_sample_rate=8000.0, quality="HQ")
    assert node.config == {"target_sample_rate": 8000, "quality": "high"}
    assert type(node.target_sample_rate) is int
    assert FormatConverterNode("I16").config == {"target_format": "i16"}


def test_user_nodes_keep_kwargs_as_config() -> None:
    class Gain(Node):
        def process(self, data):
            return data * self.config["gian"]

    node = Gain(gian=3)  # a user's own spelling is the user's business
    assert node.config == {"gian": 3}
    assert asyncio.run(Pipeline([node]).run(2)) == 6

    class LoudVAD(VADNode):  # a subclass of a built-in may add its own params
        def __init__(self, boost: float = 2.0, **kwargs):
            super().__init__(boost=boost, **kwargs)

    assert LoudVAD(energy_threshold=0.1).config == {"frame_duration_ms": 30, "energy_threshold": 0.1, "boost": 2.0}
    with pytest.raises(ConfigurationError, match="energy_threshold must be >= 0"):  # its inherited params are checked
        LoudVAD(energy_threshold=-1)


@pytest.mark.parametrize("use_native", [True, False])
def test_a_built_in_node_with_a_typo_never_runs_with_the_default(use_native) -> None:
    """The misspelling fails before any run, so neither path can use the default."""
    with pytest.raises(ConfigurationError, match="did you mean 'energy_threshold'"):
        asyncio.run(Pipeline([VADNode(energy_treshold=0.5)]).run((np.zeros(480, np.float32), 16000),
                                                                 use_native=use_native))


# -- agreement with the native plugins -----------------------------------------------

_NATIVE_KIND = {"int": "int", "number": "int", "float": "float", "bool": "bool", "enum": "enum", "path": "string",
                "string": "string"}


def _native_spec(node_type: str):
    if not remotemedia.is_native_runtime_available():
        if os.environ.get("REMOTEMEDIA_REQUIRE_NATIVE") == "1":
            raise RuntimeError("REMOTEMEDIA_REQUIRE_NATIVE=1 but the native runtime does not load")
        pytest.skip("native runtime not installed")
    from remotemedia.batch import find_rmrun
    from remotemedia.core.native_exec import native_runtime

    if node_type not in native_runtime().types:
        return None
    rmrun = find_rmrun()
    assert rmrun, "the native runtime loads but rmrun is missing"
    out = subprocess.run([rmrun, "inspect", "--json", node_type], capture_output=True, text=True, check=True)
    return {param["name"]: param for param in json.loads(out.stdout)["params"]}


@pytest.mark.parametrize("node_type", sorted(PARAMS))
def test_the_table_agrees_with_the_native_plugins(node_type) -> None:
    native = _native_spec(node_type)
    if native is None:
        pytest.skip(f"{node_type} has no native plugin (Python-only node)")
    table = PARAMS[node_type]
    assert set(table) == set(native), f"{node_type}: names differ"
    signature = inspect.signature(CLASSES[node_type].__init__).parameters
    for name, spec in table.items():
        theirs = native[name]
        where = f"{node_type}.{name}"
        assert _NATIVE_KIND[spec.kind] == theirs["type"], where
        assert (spec.min, spec.max) == (theirs.get("min"), theirs.get("max")), where
        assert not spec.exclusive, where
        assert set(spec.values) == set(theirs.get("enum", [])), where
        assert spec.required == theirs["required"], where
        if spec.python and name in signature and not spec.required:
            assert signature[name].default == theirs["default"], f"{where}: default"
