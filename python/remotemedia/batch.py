"""Process many audio files with one pipeline: ``process_files``.

::

    from remotemedia import Pipeline
    from remotemedia.batch import process_files
    from remotemedia.nodes import (AudioFileSource, FormatConverterNode,
                                   AudioResampleNode, AudioFileSink)

    pipeline = Pipeline([AudioFileSource("in.wav"), FormatConverterNode(channels=1),
                         AudioResampleNode(target_sample_rate=16000), AudioFileSink("out.wav")])
    results = process_files(pipeline, sorted(Path("raw").glob("*.wav")), "clean", workers=4)
    failed = [r for r in results if not r.ok]

The paths in the pipeline are placeholders; per input file (the rule of
``rmrun --batch``, docs/batch.md), found by the roles the node classes
declare (``input_path_param`` / ``output_path_param``, as the native plugins'
path roles):

* every node reading a file (e.g. ``AudioFileSource``) reads the input file;
* a node writing a file (e.g. ``AudioFileSink``) writes
  ``out_dir/<stem><ext>`` (``<ext>`` from its own path, e.g. ``.wav``);
  several write ``out_dir/<stem>.<node id><ext>``;
* what any other sink (the last node of a chain that is not a file sink)
  emits goes to ``out_dir/<stem>.json``.

One bad file never stops the batch: every input gets a :class:`FileResult`
(``status`` ``"ok"``, ``"failed"`` with the ``error``, or ``"skipped"`` with
``resume=True`` when its outputs already exist). When rmrun is stopped by
Ctrl-C or SIGTERM (it finishes the files in flight, or abandons them at a
second signal, and exits 130), the files it did not start are
``"not started"`` and those it abandoned ``"interrupted"``, as in its
report; ``resume=True`` then does what is left.

Where it runs: with the native runtime installed, the whole batch goes to
``rmrun --batch`` (one process, ``workers`` files in flight, the manifest
from ``pipeline.serialize()``); else, or with ``native=False``, each file
runs through the pure-Python path (``pipeline.run``) in a thread pool. A
pipeline with a node class defined in the script itself (``__main__``),
which no other process can import, runs in this process, each file through
``pipeline.run`` (native nodes still native when the runtime is installed). A
progress bar uses ``tqdm`` when installed (``pip install remotemedia[tqdm]``), else a plain line on a terminal.
"""

from __future__ import annotations

import asyncio
import copy
import json
import operator
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional, Sequence, Union

from .core.exceptions import ConfigurationError, PipelineError
from .core.node import node_label
from .io.safe_output import final_target, temp_next_to
from .core.manifest_load import manifest_source_text, node_class, sdk_node_classes

__all__ = ["FileResult", "STATUSES", "process_files", "find_rmrun", "output_paths", "manifest_text", "main_module_nodes"]

PathLike = Union[str, "os.PathLike[str]"]
PipelineLike = Any  # Pipeline, a manifest dict, its JSON text, or a path to a .json file


#: The values of :attr:`FileResult.status` (rmrun's report names them alike).
STATUSES = ("ok", "failed", "skipped", "not started", "interrupted")

#: rmrun's exit code when Ctrl-C or SIGTERM stopped it (docs/cli.md).
_EXIT_INTERRUPTED = 130


@dataclass
class FileResult:
    """What happened to one input file."""

    input: str
    status: str  # one of STATUSES
    outputs: List[str] = field(default_factory=list)
    audio_s: Optional[float] = None  # seconds of audio in the input (None: unknown)
    wall_s: float = 0.0
    error: Optional[str] = None

    @property
    def ok(self) -> bool:
        """Done now or earlier (``"ok"`` or ``"skipped"``)."""
        return self.status in ("ok", "skipped")


# ---- the pipeline as a manifest --------------------------------------------

def manifest_text(pipeline: PipelineLike, where: str = "process_files") -> str:
    """The manifest JSON of a Pipeline, a manifest dict, JSON text or a path
    (``where``: who asks, for the error)."""
    if hasattr(pipeline, "serialize"):
        return pipeline.serialize()
    if isinstance(pipeline, dict):
        return json.dumps(pipeline)
    if isinstance(pipeline, (str, os.PathLike)):
        return manifest_source_text(pipeline)
    raise TypeError(f"{where}: expected a Pipeline, a manifest dict, JSON text or a path; got {type(pipeline).__name__}")


def main_module_nodes(manifest: Dict[str, Any]) -> List[str]:
    """The nodes (``"node 'id' (X)"``, :func:`node_label`) whose Python
    class is defined in ``__main__``: no other process (rmrun, a Dask
    worker) can import it."""
    return [node_label(str(node["python"].get("class")), node.get("id")) for node in manifest.get("nodes", [])
            if isinstance(node.get("python"), dict) and node["python"].get("module") == "__main__"]


def main_module_phrase(in_main: List[str]) -> str:
    """"A, B are defined in __main__ (the script itself)": what nodes from
    ``main_module_nodes`` have in common, for an error message."""
    verb = "is" if len(in_main) == 1 else "are"
    return f"{', '.join(in_main)} {verb} defined in __main__ (the script itself)"


def check_main_module_nodes(manifest: Dict[str, Any], pipeline: Any, where: str, native: Optional[bool]) -> bool:
    """Whether the batch must run in this process (a node class lives in
    ``__main__``). Raises PipelineError, once and up front, when it cannot:
    the pipeline is only a manifest, or ``native=True`` asks for rmrun."""
    in_main = main_module_nodes(manifest)
    if not in_main:
        return False
    what = main_module_phrase(in_main)
    fix = "move the class into a module next to the script (e.g. mynodes.py) and import it from there"
    if not hasattr(pipeline, "nodes"):
        raise PipelineError(f"{where}: {what}, which no other process can import, and a manifest carries no "
                            f"class code; {fix}, or pass the Pipeline object")
    if native is True:
        raise PipelineError(f"{where}(native=True): {what}, which rmrun (a separate process) cannot import; "
                            f"{fix}, or leave native=None to run the batch in this process")
    return True


def _class_or_none(entry: Any, classes: Dict[str, type]) -> Optional[type]:
    """The Python class of manifest node ``entry``; ``None`` for a type
    Python cannot resolve (a native type: rmrun reads its roles from the
    plugin)."""
    try:
        return node_class(entry, classes) if isinstance(entry, dict) else None
    except ConfigurationError:
        return None


def _role_param(entry: Dict[str, Any], role: str, classes: Dict[str, type]) -> Optional[str]:
    """The param of manifest node ``entry`` that holds the path it reads
    (``role`` ``"input_path_param"``) or writes (``"output_path_param"``),
    as its Python class declares; ``None`` for none or an unknown class."""
    return getattr(_class_or_none(entry, classes), role, None)


def _nodes_and_sinks(manifest: Dict[str, Any]):
    """The nodes, the file sinks as (entry, output path param) and the
    other sinks."""
    nodes = manifest.get("nodes", [])
    edges = manifest.get("connections")
    ids = [n.get("id") for n in nodes]
    if edges is None:
        senders = set(ids[:-1])
    else:
        senders = {e.get("from") for e in edges}
    classes = sdk_node_classes()
    writes = [(n, _role_param(n, "output_path_param", classes)) for n in nodes]
    file_sinks = [(n, param) for n, param in writes if param]
    other_sinks = [n for n, param in writes if n.get("id") not in senders and not param]
    return nodes, file_sinks, other_sinks


def _reads_input(manifest: Dict[str, Any]) -> bool:
    """Whether a node reads the input file, or may (a type only the native
    runtime knows, whose role rmrun reads from its plugin)."""
    classes = sdk_node_classes()
    for entry in manifest.get("nodes", []):
        cls = _class_or_none(entry, classes)
        if cls is None or getattr(cls, "input_path_param", None):
            return True
    return False


def _sink_ext(params: Dict[str, Any], key: str) -> str:
    path = str(params.get(key, ""))
    base = os.path.basename(path)
    if "." in base.lstrip("."):
        return os.path.splitext(base)[1]
    fmt = params.get("format", "auto")
    return f".{fmt}" if fmt and fmt != "auto" else ".wav"


def _stem(path: str) -> str:
    base = os.path.basename(path)
    stem, _ = os.path.splitext(base)
    return stem or base


def output_paths(manifest: Dict[str, Any], input_path: PathLike, out_dir: PathLike) -> List[str]:
    """The files a batch writes for one input (same rule as ``rmrun --batch``)."""
    _, file_sinks, other_sinks = _nodes_and_sinks(manifest)
    stem = _stem(os.fspath(input_path))
    out = os.fspath(out_dir)
    paths = []
    for sink, key in file_sinks:
        ext = _sink_ext(sink.get("params", {}), key)
        if len(file_sinks) > 1 and "/" in str(sink.get("id")):
            raise ValueError(f"the {sink.get('node_type')} id {json.dumps(sink.get('id'))} cannot name an output file: it "
                             f"contains '/' and outputs stay inside out_dir {out} (<stem>.<id>.<ext> with several "
                             f"sinks); rename the node")
        name = f"{stem}{ext}" if len(file_sinks) == 1 else f"{stem}.{sink.get('id')}{ext}"
        paths.append(os.path.join(out, name))
    if other_sinks:
        paths.append(os.path.join(out, f"{stem}.json"))
    return paths


# ---- finding rmrun -------------------------------------------------------------

_rmrun_cache: Dict[str, bool] = {}
_rmrun_lock = threading.Lock()


def _supports_batch(path: str) -> bool:
    with _rmrun_lock:
        if path not in _rmrun_cache:
            try:
                done = subprocess.run([path, "help", "batch"], capture_output=True, timeout=30)
                _rmrun_cache[path] = done.returncode == 0 and b"--batch" in done.stdout
            except (OSError, subprocess.SubprocessError):
                _rmrun_cache[path] = False
        return _rmrun_cache[path]


def find_rmrun() -> Optional[str]:
    """The ``rmrun`` that runs batches: ``$REMOTEMEDIA_RMRUN``, the one in the
    installed package (``remotemedia/_native/bin/rmrun``), else ``rmrun`` on
    ``PATH``; only one that knows ``--batch``. ``None`` when there is none."""
    candidates = []
    if os.environ.get("REMOTEMEDIA_RMRUN"):
        candidates.append(os.environ["REMOTEMEDIA_RMRUN"])
    try:
        from ._native import RMRUN_PATH

        candidates.append(str(RMRUN_PATH))
    except ImportError:  # pragma: no cover - the package always has it
        pass
    on_path = shutil.which("rmrun")
    if on_path:
        candidates.append(on_path)
    for candidate in candidates:
        if os.path.isfile(candidate) and os.access(candidate, os.X_OK) and _supports_batch(candidate):
            return candidate
    return None


# ---- progress ------------------------------------------------------------------

class _Progress:
    """tqdm when installed, else a plain line on a terminal, else nothing."""

    def __init__(self, total: int, enabled: bool, desc: str = "files") -> None:
        self._bar = None
        self._plain = False
        self.total, self.done, self.failed, self.audio = total, 0, 0, 0.0
        self._start = time.monotonic()
        if not enabled or total == 0:
            return
        try:
            from tqdm.auto import tqdm

            self._bar = tqdm(total=total, desc=desc, unit="file", file=sys.stderr)
        except ImportError:
            self._plain = sys.stderr.isatty()

    def update(self, result: FileResult) -> None:
        self.done += 1
        self.failed += result.status == "failed"
        self.audio += (result.audio_s or 0.0) if result.status == "ok" else 0.0
        elapsed = max(time.monotonic() - self._start, 1e-9)
        if self._bar is not None:
            self._bar.set_postfix(failed=self.failed, audio_s=f"{self.audio:.0f}",
                                  x_realtime=f"{self.audio / elapsed:.0f}", refresh=False)
            self._bar.update(1)
        elif self._plain:
            sys.stderr.write(f"\r[{self.done}/{self.total}] {self.failed} failed  {self.audio:.1f} s audio  "
                             f"{self.audio / elapsed:.1f}x realtime")
            sys.stderr.flush()

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
        elif self._plain:
            sys.stderr.write("\n")


# ---- the native path -------------------------------------------------------------

def run_native(rmrun: str, manifest: str, files: Sequence[str], out_dir: str, workers: int,
               resume: bool = False, report: Optional[str] = None,
               on_result=None, plugin_dirs: Sequence[str] = (),
               manifest_file: Optional[str] = None, allow_python: bool = True) -> List[FileResult]:
    """One ``rmrun --batch`` over ``files``; ``on_result(FileResult)`` per file
    as it finishes. Raises PipelineError when rmrun cannot run the batch at
    all (invalid manifest, bad usage). ``manifest_file``: an existing file
    holding ``manifest`` (not written again)."""
    os.makedirs(out_dir, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="rm-batch-") as tmp:
        manifest_path = manifest_file or os.path.join(tmp, "manifest.json")
        list_path = os.path.join(tmp, "inputs.txt")
        report_path = report or os.path.join(tmp, "report.json")
        if manifest_file is None:
            with open(manifest_path, "w") as f:
                f.write(manifest)
        with open(list_path, "w") as f:
            f.write("".join(path + "\n" for path in files))
        command = [rmrun] + ([] if allow_python else ["--no-python"])
        for directory in plugin_dirs:
            command += ["--plugins", directory]
        command += [manifest_path, "--batch", "@" + list_path, "--out", out_dir, "-j", str(workers),
                    "--no-progress", "--events", "-q", "--report", report_path]
        if resume:
            command.append("--resume")
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        stderr_lines: List[str] = []
        reader = threading.Thread(target=lambda: stderr_lines.extend(process.stderr), daemon=True)
        reader.start()
        seen = 0
        for line in process.stdout:
            try:
                event = json.loads(line)
            except ValueError:
                continue
            seen += 1
            if on_result is not None:
                on_result(FileResult(event["input"], event["status"], [], event.get("audio_s"),
                                     event.get("wall_s", 0.0), event.get("error")))
        code = process.wait()
        reader.join()
        # 0: all done, 1: some failed, 130: stopped by a signal (the report
        # says which files were not started or interrupted).
        if code not in (0, 1, _EXIT_INTERRUPTED) or not os.path.exists(report_path):
            raise PipelineError(f"rmrun --batch failed (exit {code}): {''.join(stderr_lines).strip()}")
        with open(report_path) as f:
            data = json.load(f)
    by_input = {entry["input"]: entry for entry in data["files"]}
    results = []
    for path in files:
        entry = by_input.get(path)
        if entry is None:
            results.append(FileResult(path, "not started", error="not run (rmrun stopped early)"))
            continue
        status = entry["status"] if entry["status"] in STATUSES else "failed"
        results.append(FileResult(path, status, list(entry.get("written", [])), entry.get("audio_s"),
                                  entry.get("wall_s", 0.0), entry.get("error")))
    return results


# ---- the pure-Python path ----------------------------------------------------------

def _json_default(value: Any) -> Any:
    if hasattr(value, "tolist"):
        return value.tolist()
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    return repr(value)


def _audio_seconds(path: str) -> Optional[float]:
    try:
        from .io.audio_files import open_reader

        with open_reader(path, what="batch") as reader:
            return reader.frames / reader.sample_rate
    except Exception:  # noqa: BLE001 - unknown length is fine
        return None


def _set_param(node: Any, param: str, value: str) -> None:
    """Sets a node's path param: its config and the attribute its
    constructor stored it in (the SDK's nodes keep a param as an attribute
    of the same name)."""
    node.config[param] = value
    if hasattr(node, param):
        setattr(node, param, value)


def _run_python_one(pipeline: Any, manifest: Dict[str, Any], path: str, out_dir: str,
                    use_native: bool = False) -> FileResult:
    start = time.monotonic()
    outputs = output_paths(manifest, path, out_dir)
    try:
        per_file = copy.deepcopy(pipeline)
        file_sinks = [n for n in per_file.nodes if type(n).output_path_param]
        # The Python sink writes in place: give it a temporary name (same
        # extension, hidden) and rename on success, so an existing output
        # is a complete one (what resume relies on), as with rmrun.
        sink_paths = iter(outputs)
        temps: List[tuple] = []
        written: List[str] = []  # what this run wrote: not a file an earlier run left
        try:
            for node in per_file.nodes:
                reads, writes = type(node).input_path_param, type(node).output_path_param
                if reads:
                    _set_param(node, reads, path)
                elif writes:
                    name = next(sink_paths)
                    target = final_target(name)
                    temp = temp_next_to(target)
                    temps.append((temp, target, name))
                    _set_param(node, writes, temp)
            result = asyncio.run(per_file.run(use_native=use_native))
            for temp, target, name in temps:
                if os.path.exists(temp) and os.path.getsize(temp) > 0:  # no audio: no file
                    os.replace(temp, target)
                    written.append(name)
        finally:
            for temp, _, _ in temps:
                if os.path.exists(temp):
                    os.unlink(temp)
        last = per_file.nodes[-1] if per_file.nodes else None
        if last is not None and not type(last).output_path_param:
            json_path = outputs[len(file_sinks)]
            _write_json_atomically(json_path, {per_file.to_manifest()["nodes"][-1]["id"]: result if isinstance(
                result, list) else ([] if result is None else [result])}, default=_json_default)
            written.append(json_path)
        return FileResult(path, "ok", written, _audio_seconds(path), time.monotonic() - start)
    except Exception as exc:  # noqa: BLE001 - one bad file must not stop the batch
        return FileResult(path, "failed", [], None, time.monotonic() - start, f"{type(exc).__name__}: {exc}")


# ---- output files (as rmrun's plugins/common/safe_output.c) -------------------------------

def _write_json_atomically(path: str, document: Any, **dump_options: Any) -> None:
    _write_text_atomically(path, json.dumps(document, **dump_options))


def _write_text_atomically(path: str, text: str) -> None:
    final = final_target(path)
    temp = temp_next_to(final)
    try:
        with open(temp, "w") as f:
            f.write(text)
        os.replace(temp, final)
    except BaseException:
        if os.path.exists(temp):
            os.unlink(temp)
        raise


# ---- the entry point -------------------------------------------------------------------

def _native_runtime_loads() -> bool:
    from .native import try_load_native_runtime

    return try_load_native_runtime()[0]


def _check_stems(files: Sequence[str]) -> None:
    seen: Dict[str, str] = {}
    for path in files:
        stem = _stem(path)
        if stem in seen:
            raise ValueError(f"process_files: {seen[stem]} and {path} would write the same outputs "
                             f"(same stem '{stem}'); process them separately")
        seen[stem] = path


def _write_report(out_dir: str, results: Sequence[FileResult], wall: float, runtime: str) -> None:
    audio = sum(r.audio_s or 0.0 for r in results if r.status == "ok")
    report = {
        "runtime": runtime, "total": len(results), "files": [r.__dict__ for r in results],
        "ok": sum(r.status == "ok" for r in results), "failed": sum(r.status == "failed" for r in results),
        "skipped": sum(r.status == "skipped" for r in results), "audio_s": audio, "wall_s": wall,
        "realtime_factor": audio / wall if wall > 0 else 0.0,
    }
    _write_json_atomically(os.path.join(out_dir, "batch-report.json"), report, indent=1)


def _check_arguments(files: Any, out_dir: PathLike, workers: Any) -> None:
    """The usual slips, named before anything is created: one path given as
    ``files`` (a batch of its characters), a file as ``out_dir``, a worker
    count that is not a whole number >= 1."""
    if isinstance(files, (str, bytes, os.PathLike)):
        raise TypeError(f"process_files: files must be a list of paths, got {type(files).__name__} {files!r} "
                        "(one file: [path])")
    if os.path.exists(out_dir) and not os.path.isdir(out_dir):
        raise ConfigurationError(f"process_files: out_dir '{os.path.abspath(os.fspath(out_dir))}' is a file, "
                                 "not a directory")
    check_count(workers, "process_files: workers", "the CPU count")


def check_count(value: Any, what: str, none_means: Optional[str] = None) -> None:
    """``value`` is a whole number >= 1 (an int, numpy's int64; not a float,
    not a bool), or ``None`` when ``none_means`` says what it means; else
    ConfigurationError naming ``what``."""
    if value is None and none_means is not None:
        return
    try:
        whole = None if isinstance(value, bool) else operator.index(value)
    except TypeError:
        whole = None
    if whole is None or whole < 1:
        default = f" (None: {none_means})" if none_means is not None else ""
        raise ConfigurationError(f"{what} must be a whole number >= 1{default}, got {value!r}")


def process_files(pipeline: PipelineLike, files: Iterable[PathLike], out_dir: PathLike, workers: Optional[int] = None,
                  progress: bool = True, resume: bool = False, native: Optional[bool] = None,
                  allow_python: bool = True) -> List[FileResult]:
    """Run ``pipeline`` once per input file; never stops on a bad file.

    Args:
        pipeline: a :class:`~remotemedia.Pipeline` (its ``AudioFileSource`` /
            ``AudioFileSink`` paths are placeholders), or a manifest (dict,
            JSON text or path to a .json file; native runtime only).
        files: the input audio files (their name stems must differ).
        out_dir: where outputs go (created); see the module doc for names.
        workers: files in flight at once (default: the CPU count).
        progress: show a progress bar (tqdm if installed) on stderr.
        resume: skip inputs whose outputs already exist (complete: sinks
            write to a temporary name and rename).
        native: ``None`` = rmrun when available, else Python; ``True``
            requires rmrun; ``False`` forces the pure-Python path.
        allow_python: ``False`` runs the batch with ``rmrun --no-python``:
            a manifest that names a Python class runs that code, so a
            manifest you do not trust must not be allowed to; nodes without
            a native implementation then fail validation, naming them.
            Needs the native runtime.

    Returns:
        One :class:`FileResult` per input, in input order. The batch report
        is also written to ``out_dir/batch-report.json``.
    """
    _check_arguments(files, out_dir, workers)
    paths = [os.path.abspath(os.fspath(p)) for p in files]
    _check_stems(paths)
    out = os.path.abspath(os.fspath(out_dir))
    os.makedirs(out, exist_ok=True)
    workers = workers or os.cpu_count() or 1
    text = manifest_text(pipeline)
    manifest = json.loads(text)
    if not _reads_input(manifest):
        raise PipelineError("process_files: the pipeline has no node that reads an input file (a node class "
                            "with input_path_param, e.g. AudioFileSource)")
    in_process = check_main_module_nodes(manifest, pipeline, "process_files", native)
    rmrun = find_rmrun() if native is not False and not in_process else None
    if not allow_python and rmrun is None:
        raise ConfigurationError("process_files(allow_python=False) needs the native runtime (rmrun): the pure-Python "
                                 "path runs every node as Python code")
    if native is True and rmrun is None:
        raise PipelineError("process_files(native=True): no rmrun with --batch found (install the native runtime "
                            "or set REMOTEMEDIA_RMRUN)")
    if rmrun is None and not hasattr(pipeline, "nodes"):
        raise PipelineError("process_files: a manifest needs the native runtime (rmrun); pass a Pipeline "
                            "for the pure-Python path")
    if not paths:  # nothing to do, on either path: an empty report
        _write_report(out, [], 0.0, "native" if rmrun is not None else "python")
        return []
    bar = _Progress(len(paths), progress)
    start = time.monotonic()
    try:
        if rmrun is not None:
            results = run_native(rmrun, text, paths, out, workers, resume=resume,
                                 report=os.path.join(out, "batch-report.json"), on_result=bar.update,
                                 allow_python=allow_python)
            return results
        results_by_index: Dict[int, FileResult] = {}
        todo = []
        for index, path in enumerate(paths):
            expected = output_paths(manifest, path, out)
            if resume and expected and all(os.path.exists(p) for p in expected):
                results_by_index[index] = FileResult(path, "skipped", expected, _audio_seconds(path))
                bar.update(results_by_index[index])
            else:
                todo.append(index)
        # In-process because of a __main__ class: native nodes may still run natively.
        use_native = in_process and native is not False and _native_runtime_loads()
        with ThreadPoolExecutor(max_workers=workers) as pool:
            futures = {pool.submit(_run_python_one, pipeline, manifest, paths[i], out, use_native): i for i in todo}
            for future in as_completed(futures):
                result = future.result()
                results_by_index[futures[future]] = result
                bar.update(result)
        results = [results_by_index[i] for i in range(len(paths))]
        _write_report(out, results, time.monotonic() - start, "in-process" if use_native else "python")
        return results
    finally:
        bar.close()
