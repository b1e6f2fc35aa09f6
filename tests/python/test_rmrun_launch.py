"""`rmrun launch 'TYPE k=v ! TYPE ...'` (issue 17): one-line pipelines,
gst-launch style, built into a JSON manifest; branches by ID.PORT; the
manifest validator's messages; --print-manifest; --batch.

Needs the built rmrun: $RM_BUILD_DIR/bin/rmrun."""

from __future__ import annotations

import json
import subprocess
import wave
from pathlib import Path

import numpy as np
import pytest

from rmrun_cli import RMRUN, needs_rmrun  # noqa: E402

pytestmark = needs_rmrun

EXAMPLE = ("AudioFileSource path=in.wav ! FormatConverterNode channels=1 ! "
           "AudioResampleNode target_sample_rate=16000 ! AudioFileSink path=out.wav")


def launch(tmp: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([RMRUN, "--no-env-plugins", "launch", *args], cwd=tmp, capture_output=True, text=True,
                          timeout=60)


def stereo_wav(path: Path, seconds: float = 1.0, rate: int = 48000) -> None:
    t = np.arange(int(rate * seconds)) / rate
    x = (0.3 * np.sin(2 * np.pi * 440 * t) * 32767).astype("<i2")
    with wave.open(str(path), "wb") as w:
        w.setnchannels(2)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(np.stack([x, x], 1).tobytes())


def test_the_example_runs_and_prints_its_manifest(tmp_path: Path) -> None:
    stereo_wav(tmp_path / "in.wav")
    done = launch(tmp_path, EXAMPLE)
    assert done.returncode == 0, done.stderr
    with wave.open(str(tmp_path / "out.wav")) as w:
        assert (w.getnchannels(), w.getframerate()) == (1, 16000)
        assert abs(w.getnframes() - 16000) <= 16
    printed = launch(tmp_path, "--print-manifest", EXAMPLE)
    assert printed.returncode == 0
    m = json.loads(printed.stdout)
    assert m["version"] == "v1"
    assert [(n["id"], n["node_type"], n["params"]) for n in m["nodes"]] == [
        ("AudioFileSource_0", "AudioFileSource", {"path": "in.wav"}),
        ("FormatConverterNode_1", "FormatConverterNode", {"channels": 1}),  # an int, by the param spec
        ("AudioResampleNode_2", "AudioResampleNode", {"target_sample_rate": 16000}),
        ("AudioFileSink_3", "AudioFileSink", {"path": "out.wav"})]
    assert m["connections"] == [{"from": "AudioFileSource_0", "to": "FormatConverterNode_1"},
                                {"from": "FormatConverterNode_1", "to": "AudioResampleNode_2"},
                                {"from": "AudioResampleNode_2", "to": "AudioFileSink_3"}]
    # the printed manifest runs as a manifest, to the same output
    (tmp_path / "m.json").write_text(printed.stdout)
    (tmp_path / "out.wav").rename(tmp_path / "first.wav")
    assert subprocess.run([RMRUN, "--no-env-plugins", "m.json"], cwd=tmp_path).returncode == 0
    assert (tmp_path / "out.wav").read_bytes() == (tmp_path / "first.wav").read_bytes()
    # separate words work as one string does (gst-launch joins them)
    assert json.loads(launch(tmp_path, "--print-manifest", *EXAMPLE.split()).stdout) == m


def test_branches_names_ports_and_quotes(tmp_path: Path) -> None:
    printed = launch(tmp_path, "--print-manifest",
                     "AudioFileSource path='my input.wav' ! FormatConverterNode channels=1 target_format=f32 ! "
                     "AudioResampleNode target_sample_rate=16000 ! SpeechSegmenter name=seg emit_audio=true "
                     "seg.1 ! AudioFileSink path=speech.wav "
                     "seg.segments ! PassThroughNode name=json")
    assert printed.returncode == 0, printed.stderr
    m = json.loads(printed.stdout)
    assert m["nodes"][0]["params"]["path"] == "my input.wav"
    assert m["nodes"][3] == {"id": "seg", "node_type": "SpeechSegmenter", "params": {"emit_audio": True}}
    assert m["connections"][3:] == [{"from": "seg", "from_port": 1, "to": "AudioFileSink_4"},
                                    {"from": "seg", "from_port": "segments", "to": "json"}]
    # into a named input port: ! ID.PORT
    m = json.loads(launch(tmp_path, "--print-manifest", "PassThroughNode name=a ! b.in PassThroughNode name=b").stdout)
    assert m["connections"] == [{"from": "a", "to": "b", "to_port": "in"}]


@pytest.mark.parametrize("pipeline, code, message", [
    ("AudioFileSource path=in.wav ! AudioResampleNode target_sample_rte=16000 ! AudioFileSink path=o.wav", 3,
     'unknown parameter "target_sample_rte" for AudioResampleNode (did you mean "target_sample_rate"?)'),
    ("AudioFileSorce path=in.wav ! AudioFileSink path=o.wav", 3,
     'unknown node type "AudioFileSorce" (did you mean "AudioFileSource"?)'),
    ("AudioFileSource path=in.wav ! SpeechSegmenter ! AudioFileSink path=o.wav", 3,
     'output port 0 "segments" emits json, but node "AudioFileSink_2" (AudioFileSink) input port 0 "in" '
     "accepts only audio"),
    ("AudioFileSource path=in.wav name=src ! AudioFileSink path=o.wav sr.1 ! AudioFileSink path=p.wav", 3,
     'unknown node id "sr" (did you mean "src"?)'),
    ("AudioFileSource path=in.wav ! SpeechSegmenter name=seg seg.7 ! AudioFileSink path=o.wav", 3,
     'unknown output port 7: node "seg" (SpeechSegmenter)'),
    ("AudioFileSource chunk_seconds=abc path=in.wav", 2, "parameter 'chunk_seconds' is a float, got 'abc'"),
    ("AudioFileSource path=in.wav ! ! AudioFileSink", 2, "word 4 '!': two '!' in a row"),
    ("! AudioFileSink", 2, "'!' links from a node, but none comes before it"),
    ("AudioFileSource path=in.wav !", 2, "the pipeline ends with '!'"),
    ("path=in.wav", 2, "a key=value parameter follows a node type"),
    ("AudioFileSource path in.wav ! AudioFileSink path=o.wav", 2,
     "word 2 'path': a parameter of AudioFileSource: give it a value, path=VALUE"),
    ("AudioFileSource path='in.wav", 2, "an unclosed quote"),
    ("", 2, "which pipeline?"),
])
def test_bad_pipelines_are_named(tmp_path: Path, pipeline: str, code: int, message: str) -> None:
    done = launch(tmp_path, pipeline)
    assert done.returncode == code, done.stderr
    assert message in done.stderr


def test_launch_with_batch(tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    for name in ("a", "b"):
        stereo_wav(tmp_path / "in" / f"{name}.wav", seconds=0.5)
    done = launch(tmp_path, "--batch", "in", "--out", "out", "-j", "2",
                  "AudioFileSource ! FormatConverterNode channels=1 ! AudioFileSink path=x.flac")
    assert done.returncode == 0, done.stderr
    for name in ("a", "b"):
        with wave.open(str(tmp_path / "in" / f"{name}.wav")) as w:
            assert w.getnchannels() == 2
    assert sorted(p.name for p in (tmp_path / "out").glob("*.flac")) == ["a.flac", "b.flac"]
    report = json.loads((tmp_path / "out" / "batch-report.json").read_text())
    assert report["ok"] == 2 and report["manifest"] == "launch"


def test_launch_scans_the_plugins_once(tmp_path: Path) -> None:
    """launch builds the manifest with the registry it opened and runs it
    with the same one (-v prints each scan's folders)."""
    done = subprocess.run([RMRUN, "--no-env-plugins", "-v", "launch", "MultiplyNode factor=2"], cwd=tmp_path,
                          capture_output=True, text=True, timeout=60, input="")
    assert done.returncode == 0, done.stderr
    assert done.stderr.count("searched:") == 1, done.stderr
