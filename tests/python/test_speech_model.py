"""SpeechSegmenter's learnt score: the plugin (plugins/vad/segmenter_model.h)
and the numpy twin (remotemedia.dsp.speech_model) hold the same weights, and
the twin's model inputs are the ones the plugin computes (their count)."""

import re
from pathlib import Path

import numpy as np

from remotemedia.dsp import speech_model

HEADER = Path(__file__).resolve().parents[2] / "plugins" / "vad" / "segmenter_model.h"
PLUGIN = HEADER.with_name("segmenter.c")


def _c_array(text: str, name: str) -> np.ndarray:
    match = re.search(rf"{name}(?:\[[A-Z_]+\])*\s*=\s*([^;]*);", text)
    assert match, f"{name} not found in {HEADER}"
    return np.array([float(x) for x in re.findall(r"[-+0-9.eE]+", match.group(1))])


def test_plugin_and_twin_hold_the_same_weights() -> None:
    text = HEADER.read_text()
    assert f"#define MODEL_INPUTS {speech_model.INPUTS}\n" in text
    assert f"#define MODEL_HIDDEN {speech_model.HIDDEN}\n" in text
    assert speech_model.W1.shape == (speech_model.INPUTS, speech_model.HIDDEN)
    np.testing.assert_array_equal(_c_array(text, "MODEL_W1"), speech_model.W1.reshape(-1))
    np.testing.assert_array_equal(_c_array(text, "MODEL_B1"), speech_model.B1)
    np.testing.assert_array_equal(_c_array(text, "MODEL_W2"), speech_model.W2)
    np.testing.assert_array_equal(_c_array(text, "MODEL_B2"), [speech_model.B2])


def test_plugin_fills_every_model_input() -> None:
    body = PLUGIN.read_text()
    inputs = re.search(r"double inputs\[MODEL_INPUTS\] = \{(.*?)\n    \};", body, re.S)
    assert inputs, "segmenter.c: the inputs[] initializer was not found"
    entries = [line for line in inputs.group(1).split(",\n") if line.strip()]
    assert len(entries) == speech_model.INPUTS
