"""Every SDK message names a node one way, the native runtime's:
``node 'vad' (SpeechSegmenter)`` (remotemedia.core.node.node_label), the
type alone for a node with its default name. Before, the parameter checks
said that while bad input, on_error, retry, process() and a failed node's
NodeError said ``SpeechSegmenter 'vad'``."""

from __future__ import annotations

import asyncio

import numpy as np
import pytest

from remotemedia import ConfigurationError, Node, NodeError, Pipeline
from remotemedia.core.node import node_label
from remotemedia.nodes import MultiplyNode
from remotemedia.nodes.audio import SpeechSegmenter


def test_node_label_spellings() -> None:
    assert node_label("SpeechSegmenter", "vad") == "node 'vad' (SpeechSegmenter)"
    assert node_label("SpeechSegmenter", None) == "SpeechSegmenter"
    assert node_label(SpeechSegmenter(name="vad")) == "node 'vad' (SpeechSegmenter)"
    assert node_label(SpeechSegmenter()) == "SpeechSegmenter"  # the default name is the type's
    assert node_label(SpeechSegmenter(name="vad"), "vad_0") == "node 'vad_0' (SpeechSegmenter)"


class Plain(Node):
    pass


@pytest.mark.parametrize("make, error", [
    (lambda: SpeechSegmenter(name="vad", threshold=2), ConfigurationError),  # a param
    (lambda: SpeechSegmenter(name="vad").process(("abc", 16000)), TypeError),  # bad audio
    (lambda: SpeechSegmenter(name="vad", on_error="ignore"), ConfigurationError),
    (lambda: SpeechSegmenter(name="vad", retry={"max_retries": -1}), ConfigurationError),
    (lambda: SpeechSegmenter(name="vad", runtime_hint="gpu"), ConfigurationError),
    (lambda: Plain(name="vad").process(1), NotImplementedError),
])
def test_messages_about_a_node_name_it_alike(make, error) -> None:
    with pytest.raises(error) as info:
        make()
    prefix = "node 'vad' (Plain)" if error is NotImplementedError else "node 'vad' (SpeechSegmenter)"
    assert str(info.value).startswith(prefix), str(info.value)


@pytest.mark.parametrize("use_native", [True, False])
def test_a_failed_node_is_named_alike_on_both_paths(use_native) -> None:
    with pytest.raises(NodeError) as info:
        asyncio.run(Pipeline([MultiplyNode(name="mul")]).run([{"a": 1}], use_native=use_native))
    assert str(info.value).startswith("node 'mul_0' (MultiplyNode) failed in process(): "), str(info.value)


def test_bad_audio_in_a_pipeline_is_named_alike_on_both_paths() -> None:
    messages = set()
    for use_native in (True, False):
        with pytest.raises(NodeError) as info:
            asyncio.run(Pipeline([SpeechSegmenter(name="vad")]).run([(np.zeros((1, 2, 3), np.float32), 16000)],
                                                                   use_native=use_native))
        messages.add(str(info.value.__cause__))
    assert len(messages) == 1 and messages.pop().startswith("node 'vad' (SpeechSegmenter): "), messages
