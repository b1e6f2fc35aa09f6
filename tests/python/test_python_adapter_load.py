"""How the CPython adapter's plugin file (python.so, a shim that links no
Python) loads its implementation on the first Python node: from beside the
plugin directory (python-adapter-impl.so), or from
REMOTEMEDIA_PYTHON_ADAPTER_IMPL; a module that cannot be loaded, or lacks
the implementation's symbol, or holds it in another layout (an older
build), fails the node with the reason, naming the
file — never a crash."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from rmrun_cli import BUILD, RMRUN, needs_rmrun

pytestmark = needs_rmrun

HERE = Path(__file__).resolve().parent
TRIPLE = {"version": "v1", "nodes": [
    {"id": "triple", "node_type": "Tripler", "params": {},
     "python": {"module": "remote_py_nodes", "class": "Tripler"}}]}


def run(tmp: Path, impl: str | None) -> subprocess.CompletedProcess:
    path = tmp / "m.json"
    path.write_text(json.dumps(TRIPLE))
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(HERE), os.environ.get("PYTHONPATH")]))}
    env.pop("REMOTEMEDIA_PYTHON_ADAPTER_IMPL", None)
    if impl is not None:
        env["REMOTEMEDIA_PYTHON_ADAPTER_IMPL"] = impl
    return subprocess.run([RMRUN, str(path), "--input", "[1, 2]"], capture_output=True, text=True,
                          timeout=120, env=env)


def test_default_implementation_beside_the_plugin_directory(tmp_path: Path) -> None:
    proc = run(tmp_path, None)
    assert proc.returncode == 0, proc.stderr
    assert "[3,6]" in proc.stdout.replace(" ", ""), proc.stdout


def test_override_names_the_implementation(tmp_path: Path) -> None:
    impl = Path(BUILD, "lib", "remotemedia", "python-adapter-impl.so")
    assert impl.exists()
    proc = run(tmp_path, str(impl))
    assert proc.returncode == 0, proc.stderr


def test_missing_implementation_is_an_error_naming_the_file(tmp_path: Path) -> None:
    missing = tmp_path / "no-such-impl.so"
    proc = run(tmp_path, str(missing))
    assert proc.returncode != 0
    assert "Python unavailable: cannot load the Python adapter implementation" in proc.stderr, proc.stderr
    assert str(missing) in proc.stderr
    assert "'triple'" in proc.stderr, proc.stderr  # the node the failure is for


def test_module_without_the_symbol_is_an_error_naming_it(tmp_path: Path) -> None:
    other = Path(BUILD, "lib", "libremotemedia.so")
    assert other.exists()
    proc = run(tmp_path, str(other))
    assert proc.returncode != 0
    assert f"{other} has no rm_python_adapter_impl" in proc.stderr, proc.stderr


def test_module_of_another_layout_is_an_error_naming_it(tmp_path: Path) -> None:
    """An older build's implementation (its table without the layout head,
    tests/plugins/broken/old_tables.c) is refused, not misread."""
    old = Path(BUILD, "tests", "modules", "old_tables.so")
    assert old.exists()
    proc = run(tmp_path, str(old))
    assert proc.returncode != 0
    assert f"{old}: its rm_python_adapter_impl is not the table this plugin reads" in proc.stderr, proc.stderr
    assert "'triple'" in proc.stderr, proc.stderr
