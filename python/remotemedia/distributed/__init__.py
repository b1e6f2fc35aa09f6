"""Run pipelines inside distributed engines: an in-process native stage.

* :class:`NativeStage` — a picklable stage that builds the native pipeline
  once per process and processes batches of files, ``(samples, rate)``
  arrays or encoded bytes, with a per-item result instead of exceptions.
* Dask: :func:`process_files` (the batch of :mod:`remotemedia.batch` on a
  cluster), :func:`map_items`, :class:`RemoteMediaPlugin`.
* Ray Data: :class:`RemoteMediaStage` for ``ds.map_batches``.

docs/distributed.md shows both engines.
"""

from __future__ import annotations

from typing import Any

from .dask_engine import RemoteMediaPlugin, map_items, process_files
from .stage import ItemResult, NativeStage

__all__ = ["NativeStage", "ItemResult", "process_files", "map_items", "RemoteMediaPlugin", "RemoteMediaStage"]


def __getattr__(name: str) -> Any:
    if name == "RemoteMediaStage":  # imports nothing of Ray; only numpy
        from .ray_engine import RemoteMediaStage

        return RemoteMediaStage
    raise AttributeError(f"module 'remotemedia.distributed' has no attribute {name!r}")
