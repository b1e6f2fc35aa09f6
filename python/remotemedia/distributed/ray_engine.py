"""The stage on Ray Data: ``ds.map_batches(...)`` in two forms.

::

    import ray
    from remotemedia.distributed import RemoteMediaBatches, RemoteMediaStage

    ds = ray.data.read_audio("s3://bucket/raw/")          # amplitude, sample_rate
    # Tasks: Ray's pooled worker processes, each keeping the stage it built
    # for later batches and later runs of the same pipeline (no start-up per run).
    ds = ds.map_batches(RemoteMediaBatches(manifest), batch_format="numpy")
    # Actors: a pool Ray Data starts (and stops) for every run.
    ds = ds.map_batches(RemoteMediaStage, fn_constructor_kwargs={"pipeline": manifest},
                        batch_format="numpy", compute=ray.data.ActorPoolStrategy(size=4))

:class:`RemoteMediaBatches` is a picklable callable: Ray Data runs it as
tasks in Ray's worker processes, which outlive a dataset run; the
:class:`~remotemedia.distributed.NativeStage` inside is built on a
process's first batch and kept there (per process and pipeline), so a
second run in the same Ray session finds it built. The class form
:class:`RemoteMediaStage` builds the stage once per actor, in the
constructor; Ray Data starts fresh actor processes for every run.
A batch's items come from (the first that is there, or ``column=``):

* ``amplitude`` + ``sample_rate`` (``ray.data.read_audio``): arrays;
* ``bytes`` (``ray.data.read_binary_files``): encoded audio files;
* ``path`` or ``item`` (``ray.data.from_items([...paths])``): file paths.

Columns out: the input columns (all but the audio or bytes one), ``status``
and ``error`` (``""`` when ok) per row; with ``out_dir``, ``outputs`` (the
files written, one string, ``\\n``-separated); else ``audio`` (what the
pipeline's ``AudioFileSink`` would have written, ``(channels, frames)``
float32) and ``audio_rate`` — ``audio_<sink id>`` / ``audio_<sink id>_rate``
when there are several — and per other sink a ``<sink id>`` column of its
items as JSON text. A failed row has empty audio and its error.
"""

from __future__ import annotations

import json
import os
from typing import Any, Dict, List, Optional

import numpy as np

from ..batch import PipelineLike
from .stage import ItemResult, NativeStage

__all__ = ["RemoteMediaBatches", "RemoteMediaStage"]

_AUDIO, _BYTES, _PATHS = ("amplitude", "sample_rate"), ("bytes",), ("path", "item")


class RemoteMediaBatches:
    """A Ray Data batch function (tasks) running one native pipeline.

    Args:
        pipeline: a Pipeline, manifest dict, JSON text or .json path.
        out_dir: write outputs as files there (see :class:`NativeStage`);
            default: return arrays.
        column: the input column (default: found as the module doc says);
            with ``rate_column`` for arrays.
        threads, resume, allow_python: as :class:`NativeStage`.

    Picklable (it travels as the manifest and options); each worker process
    builds the stage on its first batch and keeps it for the process's life.
    """

    def __init__(self, pipeline: PipelineLike, *, out_dir: Optional[str] = None, column: Optional[str] = None,
                 rate_column: str = "sample_rate", threads: int = 1, resume: bool = False,
                 allow_python: bool = True) -> None:
        self.stage = NativeStage(pipeline, out_dir=out_dir, threads=threads, resume=resume,
                                 allow_python=allow_python)
        self.column, self.rate_column = column, rate_column

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.stage!r})"

    def _input(self, batch: Dict[str, np.ndarray]) -> str:
        if self.column is not None:
            if self.column not in batch:
                raise KeyError(f"{type(self).__name__}: no column {self.column!r} in the batch "
                               f"(columns: {sorted(batch)})")
            return self.column
        for candidate in (_AUDIO[0], _BYTES[0]) + _PATHS:
            if candidate in batch:
                return candidate
        raise KeyError(f"{type(self).__name__}: the batch has none of the columns amplitude (+ sample_rate), bytes, "
                       f"path or item (columns: {sorted(batch)}); pass column=")

    def __call__(self, batch: Dict[str, np.ndarray]) -> Dict[str, np.ndarray]:
        column = self._input(batch)
        values = batch[column]
        rows = len(values)
        names: List[Optional[str]] = [None] * rows
        if "path" in batch and column != "path":  # read_*(include_paths=True): name outputs after the file
            names = [os.path.splitext(os.path.basename(str(p)))[0] for p in batch["path"]]
        if column == self.rate_column:
            raise KeyError(f"{type(self).__name__}: column {column!r} is the rate column")
        first = values[0] if rows else None
        if isinstance(first, np.ndarray) and first.dtype != object:
            rates = batch.get(self.rate_column)
            if rates is None:
                raise KeyError(f"{type(self).__name__}: column {column!r} holds arrays but the batch has no "
                               f"{self.rate_column!r} column (their sample rates)")
            items: List[Any] = [(values[i], int(rates[i])) for i in range(rows)]
        elif isinstance(first, (bytes, bytearray, memoryview)):
            items = list(values)
        else:
            items = [str(v) for v in values]
        results = self.stage(items, names=names)
        # The input columns pass through, but for the audio or bytes one.
        heavy = column if not isinstance(items[0] if items else "", str) else None
        out = {key: value for key, value in batch.items() if key != heavy}
        out["status"] = np.array([r.status for r in results])
        out["error"] = np.array([r.error or "" for r in results])
        if self.stage.outputs == "files":
            out["outputs"] = np.array(["\n".join(r.outputs) for r in results])
        else:
            self._arrays(out, results)
        return out

    def _arrays(self, out: Dict[str, np.ndarray], results: List[ItemResult]) -> None:
        for sink in self.stage.sink_ids:
            name = "audio" if len(self.stage.sink_ids) == 1 else f"audio_{sink}"
            audio = np.empty(len(results), dtype=object)
            rates = np.zeros(len(results), dtype=np.int64)
            for i, r in enumerate(results):
                value = r.arrays.get(sink)
                if isinstance(value, tuple):
                    audio[i], rates[i] = value[0], value[1]
                else:  # failed, or no audio reached the sink
                    audio[i] = np.zeros((1, 0), dtype=np.float32)
            out[name], out[f"{name}_rate"] = audio, rates
        for sink in self.stage.other_sink_ids:
            out[str(sink)] = np.array([json.dumps(_plain(r.arrays.get(sink, []))) for r in results])


class RemoteMediaStage(RemoteMediaBatches):
    """A Ray Data batch function class (actors): Ray makes one instance per
    actor, and the instance builds its stage in the constructor. Arguments
    as :class:`RemoteMediaBatches`."""

    def __init__(self, pipeline: PipelineLike, **options: Any) -> None:
        super().__init__(pipeline, **options)
        self.stage.build()


def _plain(values: Any) -> Any:
    if isinstance(values, tuple):  # audio: its shape and rate, not the samples
        return {"kind": "audio", "shape": list(values[0].shape), "sample_rate": values[1]}
    return [v.tolist() if hasattr(v, "tolist") else v for v in values]
