"""AudioFileSource / AudioFileSink (WAV through the stdlib), media sources, rmrun script."""

from __future__ import annotations

import subprocess
import sys
import wave
from pathlib import Path

import numpy as np
import pytest

from remotemedia import NodeError, Pipeline
from remotemedia.core.exceptions import ConfigurationError
from remotemedia.io.audio_files import soundfile_available
from remotemedia.nodes.audio import AudioFileSink, AudioFileSource, AudioResampleNode
from remotemedia.nodes.source import AudioTrackSource, MediaReaderNode


def _write_wav(path: Path, samples_i16: np.ndarray, rate: int) -> None:
    with wave.open(str(path), "wb") as handle:
        handle.setnchannels(samples_i16.shape[0])
        handle.setsampwidth(2)
        handle.setframerate(rate)
        handle.writeframes(np.ascontiguousarray(samples_i16.T).astype("<i2").tobytes())


def test_source_reads_wav_in_chunks(run, tmp_path: Path, rng) -> None:
    ints = rng.integers(-32768, 32768, size=(2, 16000 * 2 + 123)).astype(np.int16)
    path = tmp_path / "in.wav"
    _write_wav(path, ints, 16000)
    chunks = run(Pipeline([AudioFileSource(path, chunk_seconds=0.5)]).run())
    assert [c[0].shape for c in chunks] == [(2, 8000)] * 4 + [(2, 123)]
    assert all(c[1] == 16000 and c[0].dtype == np.float32 for c in chunks)
    np.testing.assert_array_equal(np.concatenate([c[0] for c in chunks], axis=1), ints / np.float32(32768))


def test_wav_round_trip_through_a_pipeline(run, tmp_path: Path, sine) -> None:
    source_path, sink_path = tmp_path / "a.wav", tmp_path / "b.wav"
    tone = (sine(440, 48000, 1.0) * 32767).astype(np.int16)[None, :]
    _write_wav(source_path, tone, 48000)
    pipeline = Pipeline([AudioFileSource(source_path, chunk_seconds=0.25),
                         AudioResampleNode(target_sample_rate=16000), AudioFileSink(sink_path)])
    summary = run(pipeline.run())
    assert summary == {"path": str(sink_path), "frames": 16000, "sample_rate": 16000, "channels": 1}
    with wave.open(str(sink_path), "rb") as handle:
        assert (handle.getframerate(), handle.getnchannels(), handle.getnframes()) == (16000, 1, 16000)
        written = np.frombuffer(handle.readframes(16000), dtype="<i2")
    assert abs(int(np.abs(written[1000:-1000]).max()) - 16384) < 400


def test_sink_clamps_and_writes_pcm32(tmp_path: Path) -> None:
    sink = AudioFileSink(tmp_path / "c.wav", subtype="pcm32")
    sink.process((np.array([[2.0, -2.0, 0.5]], dtype=np.float32), 8000))
    assert sink.flush()["frames"] == 3
    with wave.open(str(tmp_path / "c.wav"), "rb") as handle:
        assert handle.getsampwidth() == 4
        values = np.frombuffer(handle.readframes(3), dtype="<i4")
    assert values.tolist() == [2 ** 31 - 1, -2 ** 31, 2 ** 30]


def test_pcm24_round_trip_and_source_format(run, tmp_path: Path) -> None:
    values = np.array([[0.5, -0.25, 1.5, -1.0]], dtype=np.float32)
    sink = AudioFileSink(tmp_path / "e.wav", subtype="pcm24")
    sink.process((values, 8000))
    sink.flush()
    with wave.open(str(tmp_path / "e.wav"), "rb") as handle:
        assert handle.getsampwidth() == 3
    (chunk, rate) = run(Pipeline([AudioFileSource(tmp_path / "e.wav")]).run())
    np.testing.assert_array_equal(chunk, [[0.5, -0.25, (2 ** 23 - 1) / 2 ** 23, -1.0]])
    (ints, _) = run(Pipeline([AudioFileSource(tmp_path / "e.wav", format="i16")]).run())
    assert ints.dtype == np.int16 and ints.tolist() == [[16384, -8192, 32767, -32768]]


def test_sink_rejects_a_format_change(tmp_path: Path) -> None:
    sink = AudioFileSink(tmp_path / "d.wav")
    sink.process((np.zeros(10, np.float32), 8000))
    with pytest.raises(ValueError, match="changed format"):
        sink.process((np.zeros(10, np.float32), 16000))
    sink.cleanup()


def test_missing_file_is_named(run, tmp_path: Path) -> None:
    with pytest.raises(Exception, match="(?i)no such file"):
        run(Pipeline([AudioFileSource(tmp_path / "missing.wav")]).run())


def test_other_formats_explain_what_is_needed(run, tmp_path: Path) -> None:
    path = tmp_path / "x.flac"
    path.write_bytes(b"fLaC\x00\x00")
    if soundfile_available():
        with pytest.raises(Exception):
            run(Pipeline([AudioFileSource(path)]).run())
    else:
        # The pure-Python reader says what it needs; the native one (libsndfile)
        # reads FLAC itself and names the broken file.
        with pytest.raises(Exception, match="soundfile") as info:
            run(Pipeline([AudioFileSource(path)]).run(use_native=False))
        assert "native runtime" in str(info.value)


def test_media_reader_and_track_source(run, tmp_path: Path, rng) -> None:
    """With PyAV installed, a WAV file decodes to the same samples; without
    it, running the reader says how to install it."""
    ints = rng.integers(-32768, 32768, size=(2, 4000)).astype(np.int16)
    path = tmp_path / "media.wav"
    _write_wav(path, ints, 16000)
    reader = MediaReaderNode(path, chunk_size=8192)
    assert reader.config == {"path": str(path), "chunk_size": 8192, "streams": "all", "realtime": False}
    pipeline = Pipeline([reader, AudioTrackSource()])
    try:
        import av  # noqa: F401
    except ImportError:
        with pytest.raises(NodeError, match="pip install av"):
            run(pipeline.run())
        return
    chunks = run(pipeline.run())
    chunks = chunks if isinstance(chunks, list) else [chunks]
    assert all(rate == 16000 and samples.dtype == np.float32 for samples, rate in chunks)
    decoded = np.concatenate([samples for samples, _ in chunks], axis=1)
    np.testing.assert_array_equal(decoded, ints / np.float32(32768))


def test_audio_track_source_converts_frames() -> None:
    class FakeFormat:
        is_planar = False

    class FakeLayout:
        channels = ("FL", "FR")

    class FakeFrame:
        sample_rate = 8000
        format = FakeFormat()
        layout = FakeLayout()

        def to_ndarray(self) -> np.ndarray:  # packed s16: one row of interleaved samples
            return np.array([[0, 16384, -32768, 32767]], dtype=np.int16)

    samples, rate = AudioTrackSource().process(FakeFrame())
    assert rate == 8000 and samples.dtype == np.float32
    np.testing.assert_allclose(samples, [[0.0, -1.0], [0.5, 32767 / 32768]])
    assert AudioTrackSource().process({"audio": FakeFrame()})[1] == 8000
    assert AudioTrackSource().process({"video": object()}) is None


def test_rmrun_on_path_is_the_native_executable(subprocess_env: dict) -> None:
    """The installed ``rmrun`` (the environment's scripts folder) is the ELF
    binary itself, not a Python launcher that imports the SDK first
    (issue #14: that cost ~145 ms per invocation)."""
    import sysconfig

    from remotemedia._native import RMRUN_PATH

    if not RMRUN_PATH.exists():
        pytest.skip("the native runtime is not installed (pure-Python install)")
    on_path = Path(sysconfig.get_path("scripts")) / "rmrun"
    assert on_path.read_bytes()[:4] == b"\x7fELF", f"{on_path} is not the native executable"
    proc = subprocess.run([str(on_path), "--version"], capture_output=True, text=True,
                          env=subprocess_env, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("rmrun "), proc.stdout
    listed = subprocess.run([str(on_path), "--list"], capture_output=True, text=True,
                            env=subprocess_env, timeout=60)
    assert "AudioResampleNode" in listed.stdout, listed.stdout + listed.stderr


def test_rmrun_console_script(subprocess_env: dict) -> None:
    from remotemedia._native import RMRUN_PATH

    proc = subprocess.run([sys.executable, "-m", "remotemedia._cli", "--help"], capture_output=True, text=True,
                          env=subprocess_env, timeout=60)
    if RMRUN_PATH.exists():
        assert proc.returncode == 0, proc.stderr
        assert "rmrun" in proc.stdout + proc.stderr
    else:
        assert proc.returncode == 127
        assert "native runtime is not installed" in proc.stderr


def test_installed_binaries_carry_no_build_paths() -> None:
    """No path of the build machine (the repository, the venv that built it,
    the interpreter's prefix) is compiled into what the package installs
    (#21.8: the Python adapter had the build venv baked in as a fallback)."""
    import sysconfig

    from remotemedia._native import NATIVE_ROOT, RMRUN_PATH

    if not RMRUN_PATH.exists():
        pytest.skip("the native runtime is not installed (pure-Python install)")
    repo = Path(__file__).resolve().parents[2]
    build_paths = {str(repo).encode(), sys.prefix.encode(), sys.base_prefix.encode(),
                   sysconfig.get_config_var("LIBDIR").encode()}
    binaries = [p for p in NATIVE_ROOT.rglob("*")
                if p.is_file() and (p.suffix == ".so" or ".so." in p.name or p.name in ("rmrun", "rm-plugin-scanner"))]
    assert any(p.name == "python.so" for p in binaries), binaries
    for binary in binaries:
        data = binary.read_bytes()
        for path in build_paths:
            assert path not in data, f"{binary} contains the build path {path.decode()}"


def _truncated_wav(tmp_path: Path) -> Path:
    """A WAV whose header declares 1000 frames, cut after 28 of them."""
    path = tmp_path / "cut.wav"
    _write_wav(path, np.ones((1, 1000), np.int16), 8000)
    path.write_bytes(path.read_bytes()[:44 + 2 * 28])
    return path


@pytest.mark.parametrize("use_native", [True, False])
def test_truncated_wav_is_an_error_on_both_paths(run, tmp_path: Path, use_native: bool) -> None:
    """The pure-Python reader returned the 28 frames as if they were the
    whole file; both paths now fail at the cut, naming file and frames."""
    path = _truncated_wav(tmp_path)
    with pytest.raises(NodeError, match="'.*cut.wav' is truncated at frame 28: its header declares 1000 frames"):
        run(Pipeline([AudioFileSource(path, chunk_seconds=0.01)]).run(use_native=use_native))


def test_truncated_wav_is_an_error_without_soundfile(tmp_path: Path) -> None:
    from remotemedia.io.audio_files import AudioFileReader

    with AudioFileReader(_truncated_wav(tmp_path), "wave") as reader:
        assert reader.read(20).shape == (1, 20)
        assert reader.read(20).shape == (1, 8)
        with pytest.raises(ValueError, match="'.*cut.wav' is truncated at frame 28: its header declares 1000 frames"):
            reader.read(20)


@pytest.mark.skipif(not soundfile_available(), reason="the pure-Python FLAC reader is soundfile")
def test_cut_flac_names_the_file_in_python(run, tmp_path: Path) -> None:
    import soundfile

    path = tmp_path / "x.flac"
    soundfile.write(str(path), np.sin(np.arange(48000) / 10.0).astype(np.float32), 48000, subtype="PCM_16")
    path.write_bytes(path.read_bytes()[:path.stat().st_size // 2])
    with pytest.raises(NodeError, match="'.*x.flac' is truncated or corrupt at frame [0-9]+"):
        run(Pipeline([AudioFileSource(path)]).run(use_native=False))


@pytest.mark.parametrize("use_native", [True, False])
@pytest.mark.parametrize("make, text", [
    (lambda d: (d / "empty.wav").write_bytes(b""), r"cannot open audio file '.*empty.wav': it is empty \(0 bytes\)"),
    (lambda d: (d / "empty.wav").write_text("hello, not audio\n"), "cannot open audio file '.*empty.wav'"),
    (lambda d: (d / "empty.wav").mkdir(), "cannot open audio file '.*empty.wav'.*(?i:is a directory)"),
])
def test_source_that_is_no_audio_file_is_named_on_both_paths(run, tmp_path: Path, use_native: bool, make,
                                                             text: str) -> None:
    make(tmp_path)
    with pytest.raises(Exception, match=text) as info:
        run(Pipeline([AudioFileSource(tmp_path / "empty.wav")]).run(use_native=use_native))
    assert "LibsndfileError" not in str(info.value) and "no such file" not in str(info.value)


@pytest.mark.parametrize("use_native", [True, False])
@pytest.mark.parametrize("target, text", [
    ("nodir/x.wav", "cannot write '.*nodir/x.wav': No such file or directory"),
    ("adir.wav", "cannot write '.*adir.wav': it is a directory"),
    ("bdir", "cannot write '.*bdir': it is a directory"),  # no extension: not "cannot tell the format"
])
def test_sink_that_cannot_be_written_is_named_on_both_paths(run, tmp_path: Path, use_native: bool, target: str,
                                                           text: str) -> None:
    _write_wav(tmp_path / "in.wav", np.ones((1, 100), np.int16), 8000)
    (tmp_path / "adir.wav").mkdir()
    (tmp_path / "bdir").mkdir()
    # A path with no extension is checked when the native sink is created
    # (a ConfigurationError before the run), the others when it writes.
    with pytest.raises((NodeError, ConfigurationError), match=text) as info:
        run(Pipeline([AudioFileSource(tmp_path / "in.wav"), AudioFileSink(tmp_path / target)]).run(
            use_native=use_native))
    assert "System error" not in str(info.value)


@pytest.mark.parametrize("use_native", [True, False])
def test_a_failed_run_leaves_the_old_output_and_no_partial_file(run, tmp_path: Path, use_native: bool) -> None:
    """The pure-Python sink wrote in place: a run that failed half-way left a
    cut file where the previous good output was. Both paths now write a
    temporary beside it and rename only at the end."""
    _write_wav(tmp_path / "old.wav", np.full((1, 500), 7, np.int16), 8000)
    before = (tmp_path / "old.wav").read_bytes()
    cut = _truncated_wav(tmp_path)
    with pytest.raises(NodeError, match="truncated"):
        run(Pipeline([AudioFileSource(cut, chunk_seconds=0.001), AudioFileSink(tmp_path / "old.wav")]).run(
            use_native=use_native))
    assert (tmp_path / "old.wav").read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cut.wav", "old.wav"]  # no temporary left


def test_python_sink_writes_through_a_symlink_and_keeps_it(run, tmp_path: Path) -> None:
    _write_wav(tmp_path / "in.wav", np.ones((1, 100), np.int16), 8000)
    (tmp_path / "real.wav").write_bytes(b"old")
    (tmp_path / "link.wav").symlink_to("real.wav")
    run(Pipeline([AudioFileSource(tmp_path / "in.wav"), AudioFileSink(tmp_path / "link.wav")]).run(use_native=False))
    assert (tmp_path / "link.wav").is_symlink()
    with wave.open(str(tmp_path / "real.wav")) as w:
        assert w.getnframes() == 100


@pytest.mark.parametrize("backend", ["wave", "soundfile"])
def test_python_writer_that_cannot_put_its_file_in_place_leaves_no_temporary(tmp_path: Path, monkeypatch,
                                                                            backend: str) -> None:
    """close() renames the temporary into place; when that fails (disk full,
    permissions) the temporary goes, the old output stays, the error is raised."""
    from remotemedia.io import audio_files

    if backend == "soundfile" and not soundfile_available():
        pytest.skip("soundfile is an SDK dependency; this venv lacks it")
    target = tmp_path / "out.wav"
    target.write_bytes(b"old output")
    writer = audio_files.open_writer(target, 8000, 1, backend=backend)
    writer.write(np.zeros((1, 80), np.float32))

    def refuse(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(audio_files.os, "replace", refuse)
    with pytest.raises(OSError, match="No space left"):
        writer.close()
    assert target.read_bytes() == b"old output"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.wav"]


def test_python_wave_reader_reads_a_streaming_header_to_its_end(tmp_path: Path) -> None:
    """arecord writes data size 0xFFFFFFFF when it streams: not 'truncated'."""
    from remotemedia.io.audio_files import AudioFileReader

    path = tmp_path / "stream.wav"
    _write_wav(path, np.arange(400, dtype=np.int16).reshape(1, -1), 8000)
    raw = bytearray(path.read_bytes())
    data = raw.index(b"data")
    raw[data + 4:data + 8] = (0xFFFFFFFF).to_bytes(4, "little")
    raw[4:8] = (0xFFFFFFFF).to_bytes(4, "little")
    path.write_bytes(bytes(raw))
    reader = AudioFileReader(path, "wave")
    got = []
    while True:
        chunk = reader.read(160)
        if chunk.shape[1] == 0:
            break
        got.append(chunk)
    assert sum(c.shape[1] for c in got) == 400
