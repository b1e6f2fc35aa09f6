"""rmrun's output files and hostile input (issues 17 and 21):

- --output/--metrics/--trace never replace what is not a regular file: a
  symlink is followed, a FIFO and a character device (a copy of /dev/null
  made with mknod in a temp dir, never the real /dev) are written through,
  '-' is stdout; a full disk (RLIMIT_FSIZE) leaves the old file as it was;
- a batch removes the temporaries a killed run left in --out (only ours,
  only of dead processes), and node ids cannot name files outside --out;
- an escaped NUL in any JSON string, and 1e400 in metadata or --input, are
  errors naming the JSON path instead of being silently cut or nulled.

Needs the built rmrun: $RM_BUILD_DIR/bin/rmrun."""

from __future__ import annotations

import json
import os
import resource
import signal
import stat
import subprocess
import threading
import wave
from pathlib import Path

import pytest

BUILD = os.environ.get("RM_BUILD_DIR")
RMRUN = os.path.join(BUILD, "bin", "rmrun") if BUILD else None
pytestmark = pytest.mark.skipif(not RMRUN or not os.path.exists(RMRUN), reason="needs RM_BUILD_DIR with bin/rmrun")

PASS = {"version": "v1", "nodes": [{"id": "p", "node_type": "PassThroughNode"}]}


def rmrun(*args: str, cwd: Path, limit_file_size: int | None = None, **kw) -> subprocess.CompletedProcess:
    def limit() -> None:  # a full disk, without a disk: writes past `limit_file_size` fail (EFBIG)
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit_file_size, limit_file_size))

    return subprocess.run([RMRUN, "--no-env-plugins", *args], cwd=cwd, capture_output=True, text=True, timeout=60,
                          preexec_fn=limit if limit_file_size else None, **kw)


def write_manifest(tmp: Path, manifest: dict | str, name: str = "m.json") -> str:
    (tmp / name).write_text(manifest if isinstance(manifest, str) else json.dumps(manifest))
    return name


def no_temporaries(folder: Path) -> bool:
    return not [p for p in folder.iterdir() if ".rmtmp-" in p.name or ".tmp-" in p.name]


class FifoReader(threading.Thread):
    def __init__(self, path: Path) -> None:
        super().__init__(daemon=True)
        self.path, self.data = path, b""

    def run(self) -> None:
        with open(self.path, "rb") as f:
            self.data = f.read()


# ---- where --output / --metrics / --trace go ---------------------------------


@pytest.mark.parametrize("option", ["--output", "--metrics", "--trace"])
def test_output_through_a_symlink_writes_its_target(tmp_path: Path, option: str) -> None:
    m = write_manifest(tmp_path, PASS)
    (tmp_path / "real.json").write_text("old")
    (tmp_path / "link.json").symlink_to("real.json")
    r = rmrun(m, "--input", "[1, 2]", option, "link.json", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "link.json").is_symlink()
    json.loads((tmp_path / "real.json").read_text())  # complete JSON, not "old"
    assert no_temporaries(tmp_path)


def test_output_to_a_fifo_is_written_through(tmp_path: Path) -> None:
    m = write_manifest(tmp_path, PASS)
    fifo = tmp_path / "out.fifo"
    os.mkfifo(fifo)
    reader = FifoReader(fifo)
    reader.start()
    r = rmrun(m, "--input", "[1, 2, 3]", "--output", str(fifo), cwd=tmp_path)
    reader.join(30)
    assert r.returncode == 0, r.stderr
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert json.loads(reader.data) == [1, 2, 3]


def test_output_to_a_character_device_copy_keeps_the_device(tmp_path: Path) -> None:
    dev = tmp_path / "null"
    try:
        os.mknod(dev, 0o666 | stat.S_IFCHR, os.makedev(1, 3))  # a /dev/null of our own
    except PermissionError:
        pytest.skip("mknod needs root")
    m = write_manifest(tmp_path, PASS)
    for option in ("--output", "--metrics", "--trace"):
        r = rmrun(m, "--input", "[1]", option, str(dev), cwd=tmp_path)
        assert r.returncode == 0, r.stderr
        assert stat.S_ISCHR(os.lstat(dev).st_mode), option
    assert no_temporaries(tmp_path)


def test_output_dash_is_stdout(tmp_path: Path) -> None:
    m = write_manifest(tmp_path, PASS)
    r = rmrun(m, "--input", "[7]", "--output", "-", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout) == [7]
    assert not (tmp_path / "-").exists()


def test_output_to_a_directory_is_refused_by_name(tmp_path: Path) -> None:
    m = write_manifest(tmp_path, PASS)
    (tmp_path / "d").mkdir()
    r = rmrun(m, "--input", "[7]", "--output", "d", cwd=tmp_path)
    assert r.returncode == 5
    assert "'d'" in r.stderr and "directory" in r.stderr
    assert (tmp_path / "d").is_dir()


@pytest.mark.parametrize("option", ["--output", "--metrics", "--trace"])
def test_full_disk_leaves_the_old_file_and_no_empty_one(tmp_path: Path, option: str) -> None:
    m = write_manifest(tmp_path, PASS)
    big = json.dumps(list(range(3000)))  # results, metrics, trace: each over 512 bytes
    (tmp_path / "kept.json").write_text("OLD")
    r = rmrun(m, "--input", big, option, "kept.json", cwd=tmp_path, limit_file_size=512)
    assert r.returncode == 5, r.stderr
    assert "kept.json" in r.stderr and ".rmtmp" not in r.stderr
    assert (tmp_path / "kept.json").read_text() == "OLD"
    r = rmrun(m, "--input", big, option, "new.json", cwd=tmp_path, limit_file_size=512)
    assert r.returncode == 5
    assert not (tmp_path / "new.json").exists()  # never a 0-byte or cut file
    assert no_temporaries(tmp_path)


# ---- batch ---------------------------------------------------------------------


def write_wav(path: Path, frames: int = 1600) -> None:
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(16000)
        w.writeframes(b"\x10\x00" * frames)


def batch_manifest(sink_ids: tuple[str, ...] = ("w",)) -> dict:
    nodes = [{"id": "r", "node_type": "AudioFileSource", "params": {"path": "x.wav"}}]
    nodes += [{"id": s, "node_type": "AudioFileSink", "params": {"path": "x.wav"}} for s in sink_ids]
    return {"version": "v1", "nodes": nodes, "connections": [{"from": "r", "to": s} for s in sink_ids]}


def test_batch_removes_temporaries_of_killed_runs_only(tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    write_wav(tmp_path / "in" / "a.wav")
    out = tmp_path / "out"
    out.mkdir()
    child = subprocess.Popen(["true"])
    child.wait()  # a pid that is gone, like a SIGKILLed rmrun's
    dead = out / f".rmtmp-{child.pid}-0123456789abcdef.a.wav"
    alive = out / f".rmtmp-{os.getpid()}-0123456789abcdef.b.wav"  # a running batch's
    mine = out / ".rmtmp-notes.txt"  # the user's own file
    for p in (dead, alive, mine):
        p.write_text("x")
    m = write_manifest(tmp_path, batch_manifest())
    r = rmrun(m, "--batch", "in", "--out", "out", "--no-progress", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert not dead.exists()
    assert alive.exists() and mine.exists()
    assert (out / "a.wav").exists()


def test_batch_sigkill_then_rerun_leaves_no_temporaries(tmp_path: Path) -> None:
    """A real SIGKILL while a sink has its temporary open, then a rerun on
    the same --out. No timing: sink w2's output is a FIFO nobody reads, so
    w2 blocks opening it; with one item per queue the source then waits,
    so w1 (on another worker) has its temporary open and never reaches the
    end of the stream. We wait for that file to exist, then kill."""
    import time

    (tmp_path / "in").mkdir()
    write_wav(tmp_path / "in" / "a.wav", frames=16000 * 4)
    out = tmp_path / "out"
    out.mkdir()
    os.mkfifo(out / "a.w2.wav")
    manifest = batch_manifest(("w1", "w2"))
    manifest["nodes"][0]["params"]["chunk_seconds"] = 0.1  # 40 chunks
    m = write_manifest(tmp_path, manifest)
    proc = subprocess.Popen([RMRUN, "--no-env-plugins", m, "--batch", "in", "--out", "out", "--exec", "pool",
                             "--queue-capacity", "1", "--no-progress"], cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60  # a generous bound, not a timing assumption
        while not [p for p in out.iterdir() if p.name.startswith(f".rmtmp-{proc.pid}-")]:
            assert proc.poll() is None and time.monotonic() < deadline, "no temporary appeared"
            time.sleep(0.02)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    assert not no_temporaries(out)  # the kill left one
    os.unlink(out / "a.w2.wav")
    r = rmrun(m, "--batch", "in", "--out", "out", "--no-progress", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert no_temporaries(out)
    assert (out / "a.w1.wav").is_file() and (out / "a.w2.wav").is_file()


@pytest.mark.parametrize("bad_id", ["/../x", "a/b"])
def test_batch_node_ids_cannot_name_files_outside_out(tmp_path: Path, bad_id: str) -> None:
    (tmp_path / "in").mkdir()
    write_wav(tmp_path / "in" / "a.wav")
    m = write_manifest(tmp_path, batch_manifest(("w", bad_id)))
    r = rmrun(m, "--batch", "in", "--out", "out", "--no-progress", cwd=tmp_path)
    assert r.returncode != 0
    assert json.dumps(bad_id)[1:-1] in r.stderr and "--out" in r.stderr
    assert not (tmp_path / "x.wav").exists() and not (tmp_path / "a.x.wav").exists()


# ---- JSON that cJSON would silently change ---------------------------------------


@pytest.mark.parametrize("where, manifest", [
    ("nodes[0].params.path", '{"version":"v1","nodes":[{"id":"w","node_type":"AudioFileSink",'
                             '"params":{"path":"x.bashrc\\u0000.wav"}}]}'),
    ("nodes[0].params", '{"version":"v1","nodes":[{"id":"m","node_type":"MultiplyNode",'
                        '"params":{"factor\\u0000junk":2}}]}'),
    ("nodes[0].id", '{"version":"v1","nodes":[{"id":"p\\u0000q","node_type":"PassThroughNode"}]}'),
    ("metadata.note", '{"version":"v1","metadata":{"note":"a\\u0000b"},'
                      '"nodes":[{"id":"p","node_type":"PassThroughNode"}]}'),
])
def test_escaped_nul_in_a_manifest_string_is_an_error(tmp_path: Path, where: str, manifest: str) -> None:
    m = write_manifest(tmp_path, manifest)
    r = rmrun(m, "--input", "[1]", cwd=tmp_path)
    assert r.returncode == 3, r.stderr
    assert where in r.stderr and "NUL" in r.stderr
    assert not (tmp_path / "x.bashrc").exists()


def test_escaped_nul_in_a_batch_manifest_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    write_wav(tmp_path / "in" / "a.wav")
    text = json.dumps(batch_manifest()).replace('"id": "w"', '"id": "w\\u0000x"')
    m = write_manifest(tmp_path, text)
    r = rmrun(m, "--batch", "in", "--out", "out", "--no-progress", cwd=tmp_path)
    assert r.returncode == 3, r.stderr
    assert "nodes[1].id" in r.stderr and "NUL" in r.stderr


def test_1e400_in_metadata_is_an_error(tmp_path: Path) -> None:
    m = write_manifest(tmp_path, '{"version":"v1","metadata":{"x":{"y":[1,1e400]}},'
                                 '"nodes":[{"id":"p","node_type":"PassThroughNode"}]}')
    r = rmrun(m, "--input", "[1]", cwd=tmp_path)
    assert r.returncode == 3, r.stderr
    assert "metadata.x.y[1]" in r.stderr and "overflows a double" in r.stderr


@pytest.mark.parametrize("text, where", [
    ("[1e400]", "[0]"), ('{"a": [1, -1e999]}', "a[1]"), ('["a\\u0000b"]', "[0]"), ('{"k\\u0000": 1}', "$"),
])
def test_input_that_cjson_would_change_is_an_error(tmp_path: Path, text: str, where: str) -> None:
    m = write_manifest(tmp_path, PASS)
    r = rmrun(m, "--input", text, cwd=tmp_path)
    assert r.returncode == 2, r.stderr
    assert "--input" in r.stderr and where in r.stderr
    assert "null" not in r.stdout
    (tmp_path / "in.json").write_text(text)
    r = rmrun(m, "--input", "@in.json", cwd=tmp_path)
    assert r.returncode == 2 and "in.json" in r.stderr and where in r.stderr


def test_batch_json_output_and_report_follow_symlinks(tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    write_wav(tmp_path / "in" / "a.wav")
    out = tmp_path / "out"
    out.mkdir()
    (out / "a.json").symlink_to(tmp_path / "items.json")
    (out / "batch-report.json").symlink_to(tmp_path / "report.json")
    manifest = {"version": "v1", "nodes": [
        {"id": "r", "node_type": "AudioFileSource", "params": {"path": "x.wav"}},
        {"id": "w", "node_type": "AudioFileSink", "params": {"path": "x.wav"}},
        {"id": "p", "node_type": "PassThroughNode"}],
        "connections": [{"from": "r", "to": "w"}, {"from": "r", "to": "p"}]}
    m = write_manifest(tmp_path, manifest)
    r = rmrun(m, "--batch", "in", "--out", "out", "--no-progress", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert (out / "a.json").is_symlink() and (out / "batch-report.json").is_symlink()
    assert json.loads((tmp_path / "items.json").read_text())["p"][0]["kind"] == "audio"
    assert json.loads((tmp_path / "report.json").read_text())["ok"] == 1
    assert no_temporaries(out)
