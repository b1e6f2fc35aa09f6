"""Run pipelines inside distributed engines: an in-process native stage.

* :class:`NativeStage` — a picklable stage that builds the native pipeline
  once per process and processes batches of files, ``(samples, rate)``
  arrays or encoded bytes, with a per-item result instead of exceptions.
* Dask: :func:`process_files` (the batch of :mod:`remotemedia.batch` on a
  cluster), :func:`map_items`, :class:`RemoteMediaPlugin`.
* Ray Data: :class:`RemoteMediaBatches` (tasks; the stage kept in Ray's
  worker processes across runs) and :class:`RemoteMediaStage` (an actor
  pool per run) for ``ds.map_batches``.

docs/distributed.md shows both engines.
"""

from __future__ import annotations

from typing import Any

from .dask_engine import map_items, process_files
from .stage import ItemResult, NativeStage

# RemoteMediaPlugin is not in __all__: `import *` would import Dask for it
# (and fail where only Ray is installed); `distributed.RemoteMediaPlugin`
# works wherever Dask does.
__all__ = ["NativeStage", "ItemResult", "process_files", "map_items", "RemoteMediaBatches", "RemoteMediaStage"]


def __getattr__(name: str) -> Any:
    # Imported on first use: the Ray classes import nothing of Ray (only
    # numpy), the Dask plugin imports distributed (a Ray worker need not).
    if name in ("RemoteMediaStage", "RemoteMediaBatches"):
        from . import ray_engine

        return getattr(ray_engine, name)
    if name == "RemoteMediaPlugin":
        try:
            from .dask_plugin import RemoteMediaPlugin
        except ImportError as exc:
            raise ImportError(f"remotemedia.distributed.RemoteMediaPlugin needs dask[distributed] "
                              f"(pip install \"remotemedia[dask]\"): {exc}") from exc
        return RemoteMediaPlugin
    raise AttributeError(f"module 'remotemedia.distributed' has no attribute {name!r}")
