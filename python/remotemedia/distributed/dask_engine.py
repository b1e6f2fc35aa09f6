"""The stage on Dask: ``process_files`` and ``map_items`` (the WorkerPlugin
is in :mod:`.dask_plugin`: importing this module imports no Dask).

::

    from dask.distributed import Client
    from remotemedia.distributed import process_files

    client = Client("tcp://scheduler:8786")          # or a LocalCluster
    results = process_files(pipeline, files, "/shared/out", client=client)

The items are split into chunks; each chunk is one Dask task (named
``remotemedia-files-…`` / ``remotemedia-items-…`` in the dashboard's task
stream) that runs the chunk through a :class:`~remotemedia.distributed.NativeStage`
inside the worker process — no subprocess. The stage travels as its
manifest; each worker process builds it once (on its first task, or at
start-up with :class:`RemoteMediaPlugin`) and keeps it. A bad item fails
alone. File paths and ``out_dir`` must be reachable under the same name by
every worker (a shared filesystem); ``map_items`` also takes arrays and
encoded bytes and returns arrays, with no filesystem at all.

A pipeline with a node class defined in the script itself (``__main__``)
or ``native=False`` runs each chunk through :mod:`remotemedia.batch`'s
pure-Python path on the worker instead (Dask pickles the pipeline object).

Needs ``dask[distributed]`` (``pip install "remotemedia[dask]"``).
"""

from __future__ import annotations

import json
import os
import time
from typing import Any, Dict, Iterable, List, Optional, Sequence

from .. import batch as _batch
from ..batch import FileResult, PathLike, PipelineLike
from ..core.exceptions import ConfigurationError, PipelineError
from ..core.manifest import node_ids
from ..core.node import node_label
from .stage import ItemResult, NativeStage, item_list

__all__ = ["process_files", "map_items"]


def _native_here() -> bool:
    from ..native import try_load_native_runtime

    return try_load_native_runtime()[0]


def _run_files(stage: Optional[NativeStage], pipeline: Any, files: List[str], out_dir: str, threads: int,
               resume: bool, native: Optional[bool]) -> List[Dict[str, Any]]:
    """One task: a chunk of files through the stage (or the Python path)."""
    if stage is not None and (native is True or _native_here()):
        return [r.file_result().__dict__ for r in stage(files)]
    if pipeline is None:
        raise RuntimeError("remotemedia.distributed: this worker has no native runtime and the pipeline was "
                           "given as a manifest (pass a Pipeline for the pure-Python path)")
    results = _batch.process_files(pipeline, files, out_dir, workers=threads, progress=False, resume=resume,
                                   native=False if stage is not None else native)
    return [r.__dict__ for r in results]


def _run_items(stage: NativeStage, items: List[Any], names: Optional[List[Optional[str]]]) -> List[ItemResult]:
    return stage(items, names=names)


def _check_chunk_size(chunk_size: Any, where: str) -> None:
    _batch.check_count(chunk_size, f"{where}: chunk_size", "about 4 tasks per worker thread")


def _check_picklable(pipeline: Any, why: str) -> None:
    """The pure-Python road sends the pipeline object to the workers: a node
    that cannot be pickled is named here, not in Dask's serializer. ``why``
    says why this pipeline takes that road."""
    import cloudpickle

    for node, node_id in zip(pipeline.nodes, node_ids(pipeline.nodes)):
        try:
            cloudpickle.dumps(node)
        except Exception as exc:  # noqa: BLE001 - any pickling failure is the same mistake
            raise PipelineError(
                f"remotemedia.distributed.process_files: {why}, so the workers run the pipeline object, which "
                f"must be pickled to reach them, and {node_label(node, node_id)} "
                f"cannot be pickled: {type(exc).__name__}: {exc}; leave out what cannot be pickled "
                "(__getstate__)") from exc


def _chunks(count: int, chunk_size: Optional[int], client: Any) -> List[range]:
    if chunk_size is None:
        slots = sum(client.nthreads().values()) or 1
        chunk_size = max(1, -(-count // (4 * slots)))
    return [range(i, min(i + chunk_size, count)) for i in range(0, count, chunk_size)]


def process_files(pipeline: PipelineLike, files: Iterable[PathLike], out_dir: PathLike, client: Any = None,
                  threads_per_task: int = 1, chunk_size: Optional[int] = None, progress: bool = True,
                  resume: bool = False, native: Optional[bool] = None,
                  allow_python: bool = True) -> List[FileResult]:
    """Run the batch on ``client`` (a ``dask.distributed.Client``; default:
    the current one from ``get_client()``).

    Args:
        pipeline, files, out_dir, resume, native, allow_python: as
            :func:`remotemedia.batch.process_files`.
        threads_per_task: files in flight inside one task (the stage's
            ``threads``; default 1: Dask runs one task per worker thread).
        chunk_size: files per task (default: about 4 tasks per worker thread).
        progress: a progress bar (tqdm when installed) on the client.

    Returns:
        One :class:`~remotemedia.batch.FileResult` per input, in input order;
        the combined report is written to ``out_dir/batch-report.json``.
    """
    from dask.distributed import as_completed, get_client

    _batch._check_arguments(files, out_dir, None)
    _check_chunk_size(chunk_size, "process_files")
    _batch.check_count(threads_per_task, "process_files: threads_per_task")
    client = client or get_client()
    paths = [os.path.abspath(os.fspath(p)) for p in files]
    _batch._check_stems(paths)
    out = os.path.abspath(os.fspath(out_dir))
    os.makedirs(out, exist_ok=True)
    text = _batch.manifest_text(pipeline)
    # Fail here, once, not on every worker.
    in_process = _batch.check_main_module_nodes(json.loads(text), pipeline, "remotemedia.distributed.process_files",
                                                native)
    stage = None
    if native is not False and not in_process:
        stage = NativeStage(text, out_dir=out, threads=threads_per_task, resume=resume, allow_python=allow_python)
    elif not allow_python:
        raise ConfigurationError("remotemedia.distributed.process_files(allow_python=False) needs the native "
                                        "runtime (the pure-Python path runs every node as Python code)")
    pipeline_object = pipeline if hasattr(pipeline, "nodes") else None
    if stage is None and pipeline_object is not None:
        _check_picklable(pipeline_object, "a node class is defined in __main__ (move it into a module to run "
                                          "natively)" if in_process else "native=False")
    chunks = [[paths[i] for i in span] for span in _chunks(len(paths), chunk_size, client)]
    token = stage.token if stage is not None else "python"
    keys = [f"remotemedia-files-{token}-{time.monotonic_ns()}-{i}" for i in range(len(chunks))]
    bar = _batch._Progress(len(paths), progress)
    start = time.monotonic()
    by_input: Dict[str, FileResult] = {}
    try:
        futures = client.map(_run_files, [stage] * len(chunks), [pipeline_object] * len(chunks), chunks,
                             [out] * len(chunks), [threads_per_task] * len(chunks), [resume] * len(chunks),
                             [native] * len(chunks), key=keys, pure=False)
        chunk_of = {future.key: chunk for future, chunk in zip(futures, chunks)}
        for future in as_completed(futures):
            chunk = chunk_of[future.key]
            try:
                rows = [FileResult(**row) for row in future.result()]
            except Exception as exc:  # noqa: BLE001 - a lost task fails its files, not the batch
                rows = [FileResult(path, "failed", error=f"task failed: {type(exc).__name__}: {exc}")
                        for path in chunk]
            for row in rows:
                by_input[row.input] = row
                bar.update(row)
    finally:
        bar.close()
    results = [by_input.get(p) or FileResult(p, "failed", error="not run") for p in paths]
    _batch._write_report(out, results, time.monotonic() - start, "dask" if stage is not None else "dask-python")
    return results


def map_items(stage: NativeStage, items: Sequence[Any], client: Any = None, chunk_size: Optional[int] = None,
              names: Optional[Sequence[Optional[str]]] = None) -> List[ItemResult]:
    """``stage`` over ``items`` (paths, ``(samples, rate)`` tuples, encoded
    bytes) on ``client``, one task per chunk; one
    :class:`~remotemedia.distributed.ItemResult` per item, in order (a
    task lost with its worker fails its items). Arrays travel to the
    workers and back through Dask's own serialization."""
    from dask.distributed import get_client, wait

    items = item_list(items, "map_items")
    _check_chunk_size(chunk_size, "map_items")
    client = client or get_client()
    spans = _chunks(len(items), chunk_size, client)
    names = list(names) if names is not None else None
    stamp = time.monotonic_ns()
    futures = client.map(_run_items, [stage] * len(spans), [[items[i] for i in span] for span in spans],
                         [[names[i] for i in span] if names else None for span in spans],
                         key=[f"remotemedia-items-{stage.token}-{stamp}-{n}" for n in range(len(spans))], pure=False)
    wait(futures)
    results: List[ItemResult] = []
    for future, span in zip(futures, spans):
        try:
            results.extend(future.result())
        except Exception as exc:  # noqa: BLE001
            results.extend(ItemResult(names[i] if names and names[i] else f"item {i}", "failed",
                                      error=f"task failed: {type(exc).__name__}: {exc}") for i in span)
    return results


def __getattr__(name: str) -> Any:
    """``dask_engine.RemoteMediaPlugin``, its old home (now dask_plugin)."""
    if name == "RemoteMediaPlugin":
        from .dask_plugin import RemoteMediaPlugin

        return RemoteMediaPlugin
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
