"""Run a batch on a Dask cluster: ``process_files(pipeline, files, out_dir, client=...)``.

::

    from dask.distributed import Client
    from remotemedia.distributed import process_files

    client = Client("tcp://scheduler:8786")          # or a LocalCluster
    results = process_files(pipeline, files, "/shared/out", client=client)

The files are split into chunks; each chunk is one Dask task that runs
``rmrun --batch`` (the native runtime) on its worker, ``threads_per_task``
files in flight, or the pure-Python path where no native runtime is
installed. A pipeline with a node class defined in the script itself
(``__main__``) is shipped to the workers as an object (Dask pickles the
class by value) and runs there in-process, as
:func:`remotemedia.batch.process_files` does. Each worker keeps the manifest it was sent (written once to a
worker-local file, keyed by its hash) and reuses it for every chunk.
Inputs and ``out_dir`` must be paths every worker can reach (a shared
filesystem); the workers need the same ``remotemedia`` installed. Outputs
follow the rule of :mod:`remotemedia.batch`; a bad file fails alone. The
combined report goes to ``out_dir/batch-report.json``.

Needs ``dask[distributed]`` (``pip install "dask[distributed]"``).
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import threading
import time
from typing import Any, Dict, Iterable, List, Optional

from . import batch as _batch
from .batch import FileResult, PathLike, PipelineLike

__all__ = ["process_files"]

# Per worker process: manifest hash -> path of the manifest file.
_worker_manifests: Dict[str, str] = {}
_worker_lock = threading.Lock()


def _worker_manifest(text: str) -> str:
    key = hashlib.sha256(text.encode()).hexdigest()[:16]
    with _worker_lock:
        path = _worker_manifests.get(key)
        if path is None or not os.path.exists(path):
            directory = tempfile.mkdtemp(prefix="rm-dask-")
            path = os.path.join(directory, f"manifest-{key}.json")
            with open(path, "w") as f:
                f.write(text)
            _worker_manifests[key] = path
        return path


def _run_chunk(text: str, pipeline: Any, files: List[str], out_dir: str, threads: int,
               resume: bool, native: Optional[bool], in_process: bool,
               allow_python: bool = True) -> List[Dict[str, Any]]:
    """One task on a worker: the chunk through the native runtime (or
    Python). ``in_process``: a node class lives in ``__main__`` (decided
    once by the client, check_main_module_nodes)."""
    rmrun = _batch.find_rmrun() if native is not False and not in_process else None
    if rmrun is not None:
        with tempfile.TemporaryDirectory(prefix="rm-dask-report-") as tmp:
            results = _batch.run_native(rmrun, text, files, out_dir, threads, resume=resume,
                                        report=os.path.join(tmp, "report.json"),
                                        manifest_file=_worker_manifest(text), allow_python=allow_python)
    else:
        if not allow_python:
            raise RuntimeError("remotemedia.distributed: allow_python=False needs rmrun on every worker")
        if pipeline is None:
            raise RuntimeError("remotemedia.distributed: this worker has no rmrun with --batch and the pipeline "
                               "was given as a manifest (pass a Pipeline for the pure-Python path)")
        results = _batch.process_files(pipeline, files, out_dir, workers=threads, progress=False,
                                       resume=resume, native=native if in_process else False)
    return [r.__dict__ for r in results]


def process_files(pipeline: PipelineLike, files: Iterable[PathLike], out_dir: PathLike, client: Any = None,
                  threads_per_task: int = 1, chunk_size: Optional[int] = None, progress: bool = True,
                  resume: bool = False, native: Optional[bool] = None,
                  allow_python: bool = True) -> List[FileResult]:
    """Run the batch on ``client`` (a ``dask.distributed.Client``; default:
    the current one from ``get_client()``).

    Args:
        pipeline, files, out_dir, resume, native, allow_python: as
            :func:`remotemedia.batch.process_files`.
        threads_per_task: files in flight inside one task (default 1: Dask
            runs one task per worker thread).
        chunk_size: files per task (default: about 4 tasks per worker thread).
        progress: a progress bar (tqdm when installed) on the client.

    Returns:
        One :class:`~remotemedia.batch.FileResult` per input, in input order.
    """
    from dask.distributed import as_completed, get_client

    client = client or get_client()
    paths = [os.path.abspath(os.fspath(p)) for p in files]
    _batch._check_stems(paths)
    out = os.path.abspath(os.fspath(out_dir))
    os.makedirs(out, exist_ok=True)
    text = _batch.manifest_text(pipeline)
    # Fail here, once, not on every worker.
    in_process = _batch.check_main_module_nodes(json.loads(text), pipeline, "remotemedia.distributed.process_files",
                                                native)
    pipeline_object = pipeline if hasattr(pipeline, "nodes") else None
    if chunk_size is None:
        slots = sum(client.nthreads().values()) or 1
        chunk_size = max(1, -(-len(paths) // (4 * slots)))
    chunks = [paths[i:i + chunk_size] for i in range(0, len(paths), chunk_size)]
    bar = _batch._Progress(len(paths), progress)
    start = time.monotonic()
    by_input: Dict[str, FileResult] = {}
    try:
        futures = {client.submit(_run_chunk, text, pipeline_object, chunk, out, threads_per_task, resume, native,
                                 in_process, allow_python, pure=False): chunk for chunk in chunks}
        for future in as_completed(futures):
            chunk = futures[future]
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
    _batch._write_report(out, results, time.monotonic() - start, "dask")
    return results
