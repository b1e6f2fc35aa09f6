"""``RemoteMediaPlugin``: a Dask WorkerPlugin that builds a stage on every
worker. A module of its own because subclassing WorkerPlugin imports
``distributed`` (~0.2-0.3 s): ``remotemedia.distributed`` imports it only
when the name is used, so a Ray worker (or any process that only runs a
stage) never pays for Dask."""

from __future__ import annotations

from typing import Any

from distributed.diagnostics.plugin import WorkerPlugin

from .stage import NativeStage

__all__ = ["RemoteMediaPlugin"]


class RemoteMediaPlugin(WorkerPlugin):
    """Builds ``stage`` on every worker as it starts (and on those already
    running): ``client.register_plugin(RemoteMediaPlugin(stage))``. The
    first task then finds the native runtime loaded. Optional: without it
    each worker builds the stage on its first task."""

    def __init__(self, stage: NativeStage) -> None:
        self.stage = stage
        self.name = f"remotemedia-{stage.token}"

    def setup(self, worker: Any) -> None:
        self.stage.build()
