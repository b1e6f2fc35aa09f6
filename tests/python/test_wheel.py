"""Installing: the self-contained wheel, the pure-Python fallback, and the
source build's report of missing libraries (issue #19).

The wheel (``scripts/build-wheel.sh``: pip wheel + auditwheel repair) is
built once per session from the incremental build folder of ``make sdk``
(a few seconds when that is up to date) and installed into a fresh venv in a
temporary directory. The -dev packages cannot be removed from a shared
machine, so "without the libraries" is checked the way the loader sees it:
``ldd`` of every ELF file of the installed package (and of ``rmrun`` on
PATH) must resolve libuv, libsndfile and its codecs, libsoxr,
libsamplerate, kissfft and cJSON inside the venv, and the demo pipeline run
from the venv (``LD_DEBUG=libs``, empty ``LD_LIBRARY_PATH``) must load them
from there and nothing but the C library from the system.

Under ``make test`` (REMOTEMEDIA_REQUIRE_NATIVE=1) a missing tool fails the
test; elsewhere it skips.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Dict, List

import pytest

REPO = Path(__file__).resolve().parents[2]
REQUIRE = os.environ.get("REMOTEMEDIA_REQUIRE_NATIVE") == "1"

# The libraries the wheel must carry (soname stems as auditwheel names them:
# "libuv-<hash>.so.1.0.0"), per issue #19: the runtime's, libsndfile's codecs
# and libsoxr's OpenMP runtime.
CARRIED = ["uv", "sndfile", "soxr", "samplerate", "kissfft-float", "cjson",
           "FLAC", "ogg", "vorbis", "vorbisenc", "opus", "mpg123", "mp3lame"]
CARRIED_RE = re.compile(r"^lib(%s)[-.]" % "|".join(re.escape(n) for n in CARRIED))
# What a manylinux wheel may take from the system (auditwheel's policy;
# libz: the remote plugin's gRPC).
SYSTEM_RE = re.compile(r"^(linux-vdso|ld-linux[-\w.]*|lib(c|m|dl|rt|pthread|gcc_s|stdc\+\+|util|resolv|z))\.so")

# Which libraries each native file must reach (directly or through another).
EXPECTED_DEPS: Dict[str, List[str]] = {
    "remotemedia/_native/lib/libremotemedia.so.0": ["uv", "cjson"],
    # rmrun links no decoder (a batch input's length comes from its source
    # node type: remotemedia/media_duration.h).
    "remotemedia/_native/bin/rmrun": ["uv", "cjson"],
    "bin/rmrun": ["uv", "cjson"],
    "plugins/rm_resample.so": ["soxr", "samplerate"],
    "plugins/rm_vad.so": ["kissfft-float"],
    "plugins/rm_audio_file.so": ["sndfile", "FLAC", "ogg", "vorbisenc"],
    "plugins/rm_math.so": ["cjson"],
}


def _need(what: str) -> None:
    if REQUIRE:
        pytest.fail(f"{what} (REMOTEMEDIA_REQUIRE_NATIVE=1)")
    pytest.skip(what)


def _clean_env(**extra: str) -> Dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "LD_LIBRARY_PATH", "REMOTEMEDIA_PLUGIN_PATH",
                        "REMOTEMEDIA_REQUIRE_NATIVE", "REMOTEMEDIA_NO_NATIVE", "VIRTUAL_ENV")}
    env.update(extra)
    return env


def _run(cmd: List[str], **kw) -> subprocess.CompletedProcess:
    proc = subprocess.run(cmd, capture_output=True, text=True, **kw)
    assert proc.returncode == 0, f"{cmd}: exit {proc.returncode}\n{proc.stdout[-4000:]}\n{proc.stderr[-4000:]}"
    return proc


@pytest.fixture(scope="session")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The repaired wheel: $RM_WHEEL, or built now by scripts/build-wheel.sh."""
    given = os.environ.get("RM_WHEEL")
    if given:
        return Path(given)
    for module in ("auditwheel", "wheel", "scikit_build_core"):
        if subprocess.run([sys.executable, "-c", f"import {module}"], capture_output=True).returncode:
            _need(f"{module} is not installed (python/requirements-dev.txt)")
    out = tmp_path_factory.mktemp("wheel")
    # The script locks build/sdk (shared with `make sdk`) while it builds.
    proc = subprocess.run(["scripts/build-wheel.sh"], cwd=REPO, capture_output=True, text=True,
                          env=_clean_env(PYTHON=sys.executable, WHEEL_OUT=str(out)))
    assert proc.returncode == 0, proc.stdout[-8000:] + proc.stderr[-8000:]
    built = sorted((out / "dist").glob("remotemedia-*.whl"))
    assert len(built) == 1, built
    return built[0]


@pytest.fixture(scope="session")
def venv(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv with only the wheel (and numpy) installed."""
    root = tmp_path_factory.mktemp("wheel-venv") / "venv"
    _run([sys.executable, "-m", "venv", str(root)])
    _run([str(root / "bin" / "python"), "-m", "pip", "install", "-q", "--disable-pip-version-check", str(wheel)],
         env=_clean_env())
    return root


def _site(venv: Path) -> Path:
    return venv / "lib" / f"python{sys.version_info[0]}.{sys.version_info[1]}" / "site-packages"


def _is_elf(path: Path) -> bool:
    with open(path, "rb") as f:
        return f.read(4) == b"\x7fELF"


def _ldd(path: Path) -> Dict[str, str]:
    """soname -> resolved real path ('not found' kept as is)."""
    out = _run(["ldd", str(path)], env=_clean_env()).stdout
    deps = {}
    for line in out.splitlines():
        m = re.match(r"\s*(\S+) => (.+?) \(0x", line) or re.match(r"\s*(\S+) => (not found)", line)
        if m:
            deps[m.group(1)] = m.group(2) if m.group(2) == "not found" else os.path.realpath(m.group(2))
        else:
            m = re.match(r"\s*(/\S+) \(0x", line)
            if m:
                deps[os.path.basename(m.group(1))] = os.path.realpath(m.group(1))
    return deps


def test_wheel_is_manylinux_and_carries_the_libraries(wheel: Path) -> None:
    assert re.search(r"-manylinux_\d+_\d+_\w+\.whl$", wheel.name), wheel.name
    with zipfile.ZipFile(wheel) as z:
        names = z.namelist()
        graft = [os.path.basename(n) for n in names if n.startswith("remotemedia.libs/")]
        for lib in CARRIED:
            assert any(re.match(r"lib%s-[0-9a-f]{8}\.so" % re.escape(lib), g) for g in graft), (lib, graft)
        # rmrun on PATH is the native executable, not auditwheel's Python shim.
        script = [n for n in names if re.match(r"remotemedia-[^/]+\.data/scripts/rmrun$", n)]
        assert len(script) == 1, names
        assert z.read(script[0])[:4] == b"\x7fELF"
        assert not any(n.startswith("remotemedia.scripts/") for n in names)


def test_every_native_file_resolves_its_libraries_inside_the_package(venv: Path) -> None:
    site = _site(venv)
    files = [p for p in (site / "remotemedia").rglob("*") if p.is_file() and not p.is_symlink() and _is_elf(p)]
    files += [p for p in (site / "remotemedia.libs").iterdir()]
    files.append(venv / "bin" / "rmrun")
    names = {str(p.relative_to(site)) if site in p.parents else "bin/rmrun" for p in files}
    plugins = {n for n in names if "/plugins/" in n}
    assert {"rm_resample.so", "rm_vad.so", "rm_audio_file.so", "rm_math.so"} <= {Path(n).name for n in plugins}
    assert any(n.startswith("remotemedia/_native/_bridge") for n in names)
    inside = str(venv.resolve()) + os.sep
    for path in files:
        deps = _ldd(path)
        rel = str(path.relative_to(site)) if site in path.parents else "bin/rmrun"
        for soname, where in deps.items():
            assert where != "not found", f"{rel}: {soname} not found"
            if SYSTEM_RE.match(soname):
                continue
            # Everything else (libremotemedia, the grafted libraries) from the venv.
            assert where.startswith(inside), f"{rel}: {soname} resolves outside the package: {where}"
        if rel.endswith("bin/rmrun"):  # no rmrun start loads a decoder
            assert not [s for s in deps if s.startswith("libsndfile")], f"{rel}: {sorted(deps)}"
        key = rel if rel in EXPECTED_DEPS else "plugins/" + path.name if "/plugins/" in rel else None
        for lib in EXPECTED_DEPS.get(key or "", []):
            found = [s for s in deps if CARRIED_RE.match(s) and CARRIED_RE.match(s).group(1) == lib]
            assert found, f"{rel}: expected lib{lib} among {sorted(deps)}"
            assert deps[found[0]].startswith(str((site / "remotemedia.libs").resolve())), (rel, found[0])


def test_demo_pipeline_runs_from_the_venv_with_the_carried_libraries(venv: Path, tmp_path: Path) -> None:
    out = tmp_path / "demo"
    proc = subprocess.run(
        [str(venv / "bin" / "rmrun"), str(REPO / "examples/demo/preprocess.json"),
         "--batch", str(REPO / "examples/data"), "--out", str(out), "--no-progress", "-q"],
        cwd=tmp_path, capture_output=True, text=True,
        env=_clean_env(LD_LIBRARY_PATH="", LD_DEBUG="libs", PATH="/usr/bin:/bin"))
    assert proc.returncode == 0, proc.stdout + proc.stderr[-4000:]
    report = json.loads((out / "batch-report.json").read_text())
    assert report["total"] >= 1 and all(f["status"] == "ok" for f in report["files"]), report["files"]
    assert (out / "sample.wav").stat().st_size > 1000
    # What the loader really loaded (plugins are dlopen'ed: ldd cannot see that).
    loaded = re.findall(r"calling init: (\S+)", proc.stderr)
    assert loaded, proc.stderr[-2000:]
    inside = str(venv.resolve())
    carried = [p for p in loaded if CARRIED_RE.match(os.path.basename(p))]
    assert {CARRIED_RE.match(os.path.basename(p)).group(1) for p in carried} >= {
        "uv", "cjson", "sndfile", "FLAC", "soxr", "kissfft-float"}, loaded
    outside = [p for p in loaded
               if not os.path.realpath(p).startswith(inside) and not SYSTEM_RE.match(os.path.basename(p))]
    assert not outside, f"loaded from the system: {outside}"


def test_sdk_in_the_venv_runs_natively(venv: Path, tmp_path: Path) -> None:
    code = (
        "import asyncio, numpy as np, remotemedia\n"
        "from remotemedia import Pipeline\n"
        "from remotemedia.nodes.audio import AudioResampleNode\n"
        "assert remotemedia.is_native_runtime_available(), remotemedia.try_load_native_runtime()\n"
        "print(remotemedia.get_native_runtime().__file__)\n"
        "x = np.zeros((2, 4800), np.float32)\n"
        "y, rate = asyncio.run(Pipeline([AudioResampleNode(target_sample_rate=16000)]).run((x, 48000)))[:2]\n"
        "print(y.shape, rate)\n"
    )
    proc = _run([str(venv / "bin" / "python"), "-W", "error::RuntimeWarning", "-c", code],
                cwd=tmp_path, env=_clean_env(LD_LIBRARY_PATH=""))
    bridge, shape = proc.stdout.splitlines()[:2]
    assert bridge.startswith(str(_site(venv))), bridge
    assert shape == "(2, 1600) 16000", proc.stdout


# ---- without a native build ------------------------------------------------


def _pip_wheel(tmp_path: Path, **env: str) -> subprocess.CompletedProcess:
    if subprocess.run([sys.executable, "-c", "import scikit_build_core"], capture_output=True).returncode:
        _need("scikit-build-core is not installed (python/requirements-dev.txt)")
    return subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-build-isolation", "--no-deps",
         "--disable-pip-version-check", "-w", str(tmp_path / "dist"), str(REPO / "python")],
        capture_output=True, text=True, env=_clean_env(**env))


def _empty_pkg_config(tmp_path: Path) -> Dict[str, str]:
    """pkg-config that finds nothing: a machine without the -dev packages."""
    empty = tmp_path / "no-pc"
    empty.mkdir()
    return {"PKG_CONFIG_LIBDIR": str(empty), "PKG_CONFIG_PATH": ""}


def _check_pure_wheel(tmp_path: Path, reason: str) -> None:
    (whl,) = (tmp_path / "dist").glob("remotemedia-*.whl")
    assert whl.name.endswith("-py3-none-any.whl"), whl.name
    with zipfile.ZipFile(whl) as z:
        assert not [n for n in z.namelist() if n.endswith(".so") or "/_native/bin/" in n], z.namelist()
        z.extractall(tmp_path / "site")
    code = (
        "import asyncio, remotemedia\n"
        "from remotemedia import Pipeline\n"
        "from remotemedia.nodes.simple_math import MultiplyNode, AddNode\n"
        "assert remotemedia.__file__.startswith(%r), remotemedia.__file__\n"
        "print(asyncio.run(Pipeline([MultiplyNode(factor=2), AddNode(addend=10)]).run([1, 2, 3])))\n"
    ) % str(tmp_path / "site")
    # The test venv's numpy, the pure wheel's remotemedia (first on the path).
    proc = _run([sys.executable, "-c", code], cwd=tmp_path, env=_clean_env(PYTHONPATH=str(tmp_path / "site")))
    assert proc.stdout.strip() == "[12, 14, 16]"
    assert "installed without its native runtime" in proc.stderr and reason in proc.stderr, proc.stderr
    assert "NativeRuntimeWarning" in proc.stderr
    quiet = _run([sys.executable, "-c", code], cwd=tmp_path,
                 env=_clean_env(PYTHONPATH=str(tmp_path / "site"), REMOTEMEDIA_NO_NATIVE="1"))
    assert quiet.stdout.strip() == "[12, 14, 16]" and "native runtime" not in quiet.stderr, quiet.stderr


def test_remotemedia_no_native_builds_the_pure_python_sdk(tmp_path: Path) -> None:
    proc = _pip_wheel(tmp_path, REMOTEMEDIA_NO_NATIVE="1")
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-4000:]
    _check_pure_wheel(tmp_path, "REMOTEMEDIA_NO_NATIVE=1")


def test_failed_native_build_falls_back_to_pure_python(tmp_path: Path) -> None:
    proc = _pip_wheel(tmp_path, **_empty_pkg_config(tmp_path))
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-4000:]
    _check_pure_wheel(tmp_path, "the native build failed")


def test_required_native_build_reports_every_missing_library(tmp_path: Path) -> None:
    proc = _pip_wheel(tmp_path, REMOTEMEDIA_REQUIRE_NATIVE="1", **_empty_pkg_config(tmp_path))
    assert proc.returncode != 0
    text = proc.stdout + proc.stderr
    assert "apt-get install libuv1-dev libcjson-dev libsoxr-dev libkissfft-dev libsndfile1-dev" in text, text[-4000:]
    assert "optional: libsamplerate backend" in text and "skipped" in text
    assert not list((tmp_path / "dist").glob("*.whl"))


def test_cmake_names_only_the_missing_libraries(tmp_path: Path) -> None:
    """Some found, some not: the error names exactly the missing ones."""
    cmake = shutil.which("cmake")
    if not cmake:
        _need("cmake is not installed")
    pc = subprocess.run(["pkg-config", "--variable=pcfiledir", "libuv"], capture_output=True, text=True)
    if pc.returncode:
        _need("libuv's pkg-config file is not installed")
    some = tmp_path / "pc"
    some.mkdir()
    for module in ("libuv", "libcjson"):
        pcdir = _run(["pkg-config", "--variable=pcfiledir", module]).stdout.strip()
        shutil.copy(Path(pcdir) / f"{module}.pc", some)
    proc = subprocess.run([cmake, "-S", str(REPO), "-B", str(tmp_path / "b"), "-DRM_BUILD_PYTHON=OFF"],
                          capture_output=True, text=True,
                          env=_clean_env(PKG_CONFIG_LIBDIR=str(some), PKG_CONFIG_PATH=""))
    assert proc.returncode != 0
    err = proc.stderr
    assert "apt-get install libsoxr-dev libkissfft-dev libsndfile1-dev libflac-dev\n" in err, err
    for present in ("libuv1-dev", "libcjson-dev", "- libuv", "- libcjson"):
        assert present not in err, err
    for missing in ("- soxr", "- kissfft-float", "- sndfile", "- flac"):
        assert missing in err, err


def test_python_node_through_rmrun_from_the_venv(venv: Path, tmp_path: Path) -> None:
    """rmrun on PATH runs a manifest with a Python node (the CPython adapter
    plugin of the wheel, the venv's interpreter)."""
    import sysconfig

    libpython = Path(sysconfig.get_config_var("LIBDIR") or "/") / (sysconfig.get_config_var("LDLIBRARY") or "-")
    if ".so" not in libpython.name or not libpython.exists():
        pytest.skip(f"no shared libpython for the adapter plugin ({libpython})")
    (tmp_path / "mynode.py").write_text(
        "from remotemedia import Node\n\n"
        "class Double(Node):\n"
        "    def process(self, data):\n"
        "        return data * 2\n")
    env = _clean_env(PYTHONPATH=str(tmp_path))
    _run([str(venv / "bin" / "python"), "-c",
          "from remotemedia import Pipeline\n"
          "from remotemedia.nodes.simple_math import AddNode\n"
          "from mynode import Double\n"
          "open('p.json', 'w').write(Pipeline([AddNode(addend=1), Double()]).serialize())\n"],
         cwd=tmp_path, env=env)
    proc = _run([str(venv / "bin" / "rmrun"), "p.json", "--input", "[1, 2]"], cwd=tmp_path, env=env)
    assert proc.stdout.strip() == "[4, 6]", proc.stdout + proc.stderr
