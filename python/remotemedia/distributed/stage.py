"""``NativeStage``: a pipeline as an in-process stage of a distributed engine.

::

    stage = NativeStage(pipeline, out_dir="/shared/clean")   # picklable
    results = stage(["a.wav", "b.flac"])                     # on a worker
    stage = NativeStage(pipeline)                             # arrays out
    [r] = stage([(samples, 48000)])
    samples16k, rate = r.arrays["write"]

The stage pickles as its manifest JSON and options, never a native
handle. On first use in a process it loads the native runtime (the plugin
registry, the expensive part) and keeps it for every later stage of the
same pipeline in that process (a Dask worker, a Ray actor). Items:

* a file path: the pipeline's ``AudioFileSource`` nodes read it;
* encoded audio ``bytes`` (a WAV/FLAC/OGG/... file's contents): written to a
  private temporary file for the source, removed after;
* ``(samples, sample_rate)``: ``samples`` 1-D (mono) or ``(channels,
  frames)``; the sources are left out and the array is pushed in their
  ``chunk_seconds`` chunks (mono chunks are views, not copies).

Outputs go to files (``out_dir``; names as ``rmrun --batch``: ``<stem><ext>``
per ``AudioFileSink``, ``<stem>.json`` for other sinks) or come back as
arrays (``outputs="arrays"``: what each ``AudioFileSink`` would have
written, keyed by its node id, plus what the other sinks emitted).

Each item runs in its own native session; a failing item becomes a
``"failed"`` :class:`ItemResult` with the error, never an exception.
Transient node failures are retried by the pipeline's own retry policy
(the manifest's ``retry``) before an item fails. The stage runs its node
calls on the calling thread (``threads=1``, the default: one engine task
uses one core); ``threads=N`` processes N items of a batch at once, each
on its own thread.
"""

from __future__ import annotations

import atexit
import hashlib
import json
import os
import shutil
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Dict, Iterable, List, Optional, Sequence, Tuple

import numpy as np

from .. import batch as _batch
from ..batch import FileResult, PipelineLike
from ..core import native_runner
from ..core.audio_input import checked_samples
from ..core.exceptions import ConfigurationError
from ..io.safe_output import seen, written_since
from .plan import Plan, json_output_text

__all__ = ["NativeStage", "ItemResult"]

EXEC_INLINE = 2  # rm_exec_policy_t: every node call on the calling thread
_DTYPES = {"f32": np.float32, "f64": np.float64, "i16": np.int16, "i32": np.int32}
# rm_status_t names (plugin.h RM_STATUS_MAP), as rmrun prints them
_STATUS_NAMES = dict(enumerate(
    ["OK", "EINVAL", "ENOMEM", "EKIND", "EIO", "ETIMEDOUT", "EAGAIN", "ENOTSUP", "ENOTFOUND", "EABI", "EPARSE",
     "EVALIDATE", "ECYCLE", "ECANCELED", "EBREAKER", "EPYTHON", "EINTERNAL", "EEXIST"]))
_STATUS_NAMES = {-code: name for code, name in _STATUS_NAMES.items()}
_INT_SCALE = {np.dtype(np.int16): 32768.0, np.dtype(np.int32): 2147483648.0}


def item_list(items: Iterable[Any], where: str) -> List[Any]:
    """``items`` as a list; one item given as the batch (a path, bytes, or
    one ``(samples, rate)`` tuple: a batch of its characters, bytes or two
    halves) is a ``TypeError``."""
    one = isinstance(items, (str, bytes, bytearray, memoryview, os.PathLike)) or (
        isinstance(items, tuple) and len(items) == 2 and isinstance(items[0], np.ndarray))
    if one:
        what = "a (samples, rate) tuple" if isinstance(items, tuple) else f"{type(items).__name__} {items!r:.60}"
        raise TypeError(f"{where}: expected a list of items, got {what} (one item: [item])")
    return list(items)


@dataclass
class ItemResult:
    """What happened to one item of a batch."""

    input: str  # the path, else the item's name ("item 3" when it has none)
    status: str  # "ok", "failed" or "skipped" (resume: outputs exist)
    outputs: List[str] = field(default_factory=list)  # files written
    # outputs="arrays": per output node id, (samples, rate) for audio (the
    # chunks joined), else the list of values it emitted
    arrays: Dict[str, Any] = field(default_factory=dict)
    audio_s: Optional[float] = None  # seconds of input audio (None: unknown)
    wall_s: float = 0.0
    error: Optional[str] = None
    transient: bool = False  # the failure was transient (retries ran out)

    @property
    def ok(self) -> bool:
        return self.status in ("ok", "skipped")

    def file_result(self) -> FileResult:
        """As :class:`remotemedia.batch.FileResult` (``process_files``)."""
        return FileResult(self.input, self.status, list(self.outputs), self.audio_s, self.wall_s, self.error)


class _Engine:
    """Per process and pipeline: the registry, the parsed manifest, the
    arrays-only variant compiled once, a private folder for bytes items."""

    def __init__(self, text: str, allow_python: bool, threads: int) -> None:
        # The runtime's own worker pool (used by nodes only when a run asks
        # for it) is sized once per process: cap it too unless set.
        os.environ.setdefault("REMOTEMEDIA_WORKERS", str(threads))
        self.plan = Plan(text)
        self.runtime = _runtime(allow_python)
        self._compiled_arrays: Any = None
        self._lock = threading.Lock()
        self._tmp: Optional[str] = None

    def compiled_arrays(self) -> Any:
        with self._lock:
            if self._compiled_arrays is None:
                self._compiled_arrays = self.runtime.compile(self.plan.variant(None, None),
                                                             source_name="NativeStage (arrays)")
            return self._compiled_arrays

    def temp_dir(self) -> str:
        with self._lock:
            if self._tmp is None or not os.path.isdir(self._tmp):
                self._tmp = tempfile.mkdtemp(prefix="rm-stage-")  # 0700: private
                atexit.register(shutil.rmtree, self._tmp, True)
            return self._tmp


_engines: Dict[str, _Engine] = {}
_engines_lock = threading.Lock()
_no_python_runtime: Any = None
_env_lock = threading.Lock()


def _runtime(allow_python: bool) -> Any:
    """The bridge Runtime (plugin registry): the SDK's process-wide one, or
    one opened without the Python node types (allow_python=False)."""
    global _no_python_runtime
    from ..core.native_exec import native_runtime

    if allow_python:
        return native_runtime().registry
    with _env_lock:
        if _no_python_runtime is None:
            from ..native import get_native_runtime

            bridge = get_native_runtime()
            if bridge is None:
                native_runtime()  # raises, saying why the runtime is missing
            # The registry reads REMOTEMEDIA_NO_PYTHON when it opens.
            before = os.environ.get("REMOTEMEDIA_NO_PYTHON")
            os.environ["REMOTEMEDIA_NO_PYTHON"] = "1"
            try:
                _no_python_runtime = bridge.Runtime()
            finally:
                if before is None:
                    del os.environ["REMOTEMEDIA_NO_PYTHON"]
                else:
                    os.environ["REMOTEMEDIA_NO_PYTHON"] = before
        return _no_python_runtime


def built_stages() -> int:
    """How many stages this process has built (one per pipeline and
    options: what the tests count to see a stage built once per worker)."""
    with _engines_lock:
        return len(_engines)


class NativeStage:
    """One pipeline as a picklable, lazily built in-process stage.

    Args:
        pipeline: a :class:`~remotemedia.Pipeline`, a manifest dict, its
            JSON text or the path of a .json file. It needs an
            ``AudioFileSource`` (each item replaces it).
        out_dir: where output files go (outputs="files"; created).
        outputs: ``"files"`` (the default with ``out_dir``) or ``"arrays"``
            (the default without).
        threads: items of a batch processed at once, each on one thread
            (default 1). Node calls run on those threads, not on the
            runtime's pool; the pool (``REMOTEMEDIA_WORKERS``, read once per
            process) is capped to ``threads`` when not set already.
        resume: skip a file item whose outputs all exist (outputs="files").
        allow_python: ``False`` refuses node types that run Python (a
            manifest you do not trust: each item fails naming the node).
    """

    def __init__(self, pipeline: PipelineLike, *, out_dir: Optional[str] = None, outputs: Optional[str] = None,
                 threads: int = 1, resume: bool = False, allow_python: bool = True) -> None:
        self.manifest = _batch.manifest_text(pipeline, "NativeStage")
        plan = Plan(self.manifest)  # a bad manifest fails here, on the client
        manifest = plan.manifest
        # Its sinks, for engines that name output columns after them (ray_engine).
        self.sink_ids, self.other_sink_ids = list(plan.sink_ids), list(plan.other_sink_ids)
        in_main = _batch.main_module_nodes(manifest)
        if in_main:
            raise ConfigurationError(f"NativeStage: {_batch.main_module_phrase(in_main)}, which a worker cannot "
                                     "import; move the class into a module")
        self.outputs = outputs or ("files" if out_dir is not None else "arrays")
        if self.outputs not in ("files", "arrays"):
            raise ValueError(f"NativeStage: outputs must be \"files\" or \"arrays\", got {self.outputs!r}")
        if self.outputs == "files" and out_dir is None:
            raise ValueError("NativeStage(outputs=\"files\") needs out_dir (where the outputs go)")
        self.out_dir = os.path.abspath(os.fspath(out_dir)) if out_dir is not None else None
        if not isinstance(threads, int) or threads < 1:
            raise ValueError(f"NativeStage: threads must be an int >= 1, got {threads!r}")
        self.threads = threads
        self.resume = bool(resume)
        self.allow_python = bool(allow_python)
        # The same pipeline, whatever its metadata (a Pipeline's serialize()
        # stamps a fresh name and time), shares one build per process.
        pipeline_key = {k: v for k, v in manifest.items() if k != "metadata"}
        key = json.dumps([pipeline_key, self.allow_python, self.threads], sort_keys=True)
        self.token = hashlib.sha256(key.encode()).hexdigest()[:16]

    # Pickled as is: its attributes are the manifest text, its sink ids and
    # plain options (the native state lives in the per-process _engines, by
    # token).

    def __repr__(self) -> str:
        where = f"out_dir={self.out_dir!r}" if self.outputs == "files" else "outputs='arrays'"
        return f"NativeStage({self.token}, {where}, threads={self.threads})"

    # -- running ---------------------------------------------------------------

    def build(self) -> "NativeStage":
        """Load the native runtime and parse the pipeline in this process
        (done by the first call anyway). Returns the stage."""
        self._engine()
        return self

    def _engine(self) -> _Engine:
        with _engines_lock:
            engine = _engines.get(self.token)
            if engine is None:
                engine = _engines[self.token] = _Engine(self.manifest, self.allow_python, self.threads)
            return engine

    def __call__(self, items: Iterable[Any], names: Optional[Sequence[Optional[str]]] = None) -> List[ItemResult]:
        """Process a batch: one :class:`ItemResult` per item, in order.
        ``names``: per item a name for outputs and errors (default: a
        path's own name, else ``item-<index>``)."""
        items = item_list(items, "NativeStage")
        names = list(names) if names is not None else [None] * len(items)
        if len(names) != len(items):
            raise ValueError(f"NativeStage: {len(items)} items but {len(names)} names")
        if self.out_dir is not None:
            os.makedirs(self.out_dir, exist_ok=True)
        try:
            engine = self._engine()
        except Exception as exc:  # noqa: BLE001 - no runtime: every item says why
            error = f"{type(exc).__name__}: {exc}"
            return [ItemResult(_label(item, name, i), "failed", error=error) for i, (item, name) in
                    enumerate(zip(items, names))]
        if self.threads == 1 or len(items) <= 1:
            return [self._one(engine, item, name, i) for i, (item, name) in enumerate(zip(items, names))]
        with ThreadPoolExecutor(max_workers=min(self.threads, len(items))) as pool:
            return list(pool.map(lambda args: self._one(engine, *args), zip(items, names, range(len(items)))))

    process = __call__

    def _one(self, engine: _Engine, item: Any, name: Optional[str], index: int) -> ItemResult:
        start = time.monotonic()
        label = _label(item, name, index)
        result = ItemResult(label, "failed")
        temp: Optional[str] = None
        try:
            path, audio = _classify(item)
            stem = name or (_batch._stem(path) if path else f"item-{index:05d}")
            targets = None
            if self.outputs == "files":
                targets = _batch.output_paths(engine.plan.manifest, stem + ".in", self.out_dir)
                if self.resume and targets and all(os.path.exists(p) for p in targets):
                    result.status, result.outputs = "skipped", targets
                    return result
            if path is None and audio is None:  # encoded bytes: a private temporary file
                fd, temp = tempfile.mkstemp(prefix=f"{stem[:64]}-", dir=engine.temp_dir())
                with os.fdopen(fd, "wb") as f:
                    f.write(memoryview(item).cast("B"))
                path = temp
            self._run(engine, result, path, audio, targets, label)
            if path is not None and result.status == "ok":
                result.audio_s = _batch._audio_seconds(path)
        except Exception as exc:  # noqa: BLE001 - one bad item never fails the batch
            result.status, result.error = "failed", f"{label}: {type(exc).__name__}: {exc}"
        finally:
            if temp is not None:
                os.unlink(temp)
                if result.error:  # name the item, not its temporary file
                    result.error = result.error.replace(temp, f"<{label}: encoded bytes>")
            result.wall_s = time.monotonic() - start
        return result

    def _run(self, engine: _Engine, result: ItemResult, path: Optional[str],
             audio: Optional[Tuple[np.ndarray, int]], targets: Optional[List[str]], label: str) -> None:
        plan = engine.plan
        sink_paths = targets[:len(plan.sink_ids)] if targets is not None else None
        try:
            if path is None and sink_paths is None:
                compiled = engine.compiled_arrays()
            else:
                compiled = engine.runtime.compile(plan.variant(path, sink_paths), source_name=label)
        except ValueError as exc:  # the bridge's CompileError(text, [(status, where, message)], status)
            if len(exc.args) != 3 or not isinstance(exc.args[1], list):
                raise
            text, entries, status = exc.args
            reasons = "; ".join(f"{where}: {message}" if where else message for _s, where, message in entries)
            result.error = f"{reasons or text} [{_STATUS_NAMES.get(status, status)}]"
            return
        pushes = _audio_triples(audio, plan) if audio is not None else []
        if audio is not None:
            result.audio_s = audio[0].shape[-1] / audio[1]
        before = seen(targets) if targets is not None else None
        session = compiled.session(exec_policy=EXEC_INLINE)
        collected: Dict[str, List[Tuple[int, Any, Any]]] = {}

        def take(outputs: List[Tuple[str, int, Any]]) -> None:
            for node_id, _port, triple in outputs:
                collected.setdefault(node_id, []).append(triple)

        try:
            status = 0
            for triple in pushes:
                status, outputs, _ = session.push(triple)
                take(outputs)
                if status != 0:
                    break
            status, outputs, finished = session.end()
            take(outputs)
            while not finished and status == 0:
                status, outputs, finished = session.step()
                take(outputs)
        finally:
            status, error, _extras, _ns, _stats = session.close()
        if error is not None:
            result.error = (f"node '{error['node_id']}' ({error['node_type']}) failed in {error['operation']}: "
                            f"{error['message']} [{error['name']}{', transient' if error['transient'] else ''}]")
            result.transient = bool(error["transient"])
            return
        if status != 0:
            result.error = f"{label}: the run failed (status {status})"
            return
        if targets is not None:
            if plan.other_sink_ids:
                _batch._write_text_atomically(targets[len(plan.sink_ids)],
                                              json_output_text(plan.other_sink_ids, collected))
            result.outputs = written_since(before)
        else:
            result.arrays = {node_id: _join(triples) for node_id, triples in collected.items()}
        result.status = "ok"


def _label(item: Any, name: Optional[str], index: int) -> str:
    if isinstance(item, (str, os.PathLike)):
        return os.path.abspath(os.fspath(item))
    return name or f"item {index}"


def _classify(item: Any) -> Tuple[Optional[str], Optional[Tuple[np.ndarray, int]]]:
    """(path, None), (None, (samples, rate)), or (None, None) for bytes."""
    if isinstance(item, (str, os.PathLike)):
        return os.path.abspath(os.fspath(item)), None
    if isinstance(item, (bytes, bytearray, memoryview)):
        return None, None
    if isinstance(item, tuple) and len(item) == 2 and isinstance(item[0], np.ndarray):
        samples, rate = item
        if isinstance(rate, (float, np.floating)) and float(rate).is_integer():
            rate = int(rate)  # 48000.0, 16e3: the int rate, as in a pipeline
        if isinstance(rate, (bool, np.bool_)) or not isinstance(rate, (int, np.integer)) or not 0 < int(rate) <= 768000:
            raise ValueError(f"an audio item is (samples, sample_rate) with an int rate in 1..768000; got rate {rate!r}")
        checked_samples(samples)  # the SDK's audio rules and messages (shape, dtype, channels)
        return None, (samples, int(rate))
    raise TypeError(f"expected a file path, encoded audio bytes or (samples, sample_rate); got {type(item).__name__}")


def _audio_triples(audio: Tuple[np.ndarray, int], plan: Plan) -> List[Tuple[int, Any, Any]]:
    """The array in the source's chunks and sample format (what the
    AudioFileSource would have emitted): views when mono and of that
    format already, else one converted chunk at a time."""
    samples, rate = audio
    planar = samples.reshape(1, -1) if samples.ndim == 1 else samples
    want = np.dtype(_DTYPES.get(plan.source_format, np.float32))
    frames = planar.shape[1]
    step = max(1, int(round(plan.chunk_seconds * rate)))
    triples = []
    for start in range(0, frames, step):
        chunk = planar[:, start:start + step]
        if chunk.dtype != want:
            scale = _INT_SCALE.get(chunk.dtype) if want.kind == "f" else None
            chunk = (chunk / scale if scale else chunk).astype(want)
        triples.append(native_runner.to_native((chunk, rate)))
    return triples


def _join(triples: List[Tuple[int, Any, Any]]) -> Any:
    values = [native_runner.from_native(*t) for t in triples]
    if values and all(t[0] == native_runner.KIND_AUDIO for t in triples):
        rate = values[0][1]
        arrays = [v[0] for v in values]
        return (arrays[0] if len(arrays) == 1 else np.concatenate(arrays, axis=1)), rate
    return values
