"""The local engines the distributed tests run on, started once per test
module by a fixture: a Dask LocalCluster of two worker processes
(``client``) and a Ray instance of two CPUs (``ray_local``), both on
127.0.0.1 with no dashboard. A test module imports the fixtures it uses
(``from distributed_engines import client``); module scope gives each
module its own engine."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any, Callable, Iterator

import pytest

HANG_S = 120  # generous bound that only catches hangs


@contextmanager
def dask_client() -> Iterator[Any]:
    from dask.distributed import Client, LocalCluster

    # No rmrun subprocess on the workers: a REMOTEMEDIA_RMRUN that cannot
    # run would fail every chunk that tried one.
    with LocalCluster(n_workers=2, processes=True, threads_per_worker=1, host="127.0.0.1",
                      dashboard_address=None, env={"REMOTEMEDIA_RMRUN": "/nonexistent/rmrun"}) as cluster, \
            Client(cluster) as client:
        yield client


@contextmanager
def ray_session() -> Iterator[Any]:
    import ray

    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, logging_level="ERROR")
    ray.data.DataContext.get_current().enable_progress_bars = False
    try:
        yield ray
    finally:
        ray.shutdown()


@pytest.fixture(scope="module")
def client() -> Iterator[Any]:
    with dask_client() as c:
        yield c


@pytest.fixture(scope="module")
def ray_local() -> Iterator[Any]:
    with ray_session() as session:
        yield session


def within(fn: Callable[[], Any], seconds: float = HANG_S) -> Any:
    """fn() on a thread; a TimeoutError (the test fails) if it hangs."""
    pool = ThreadPoolExecutor(max_workers=1)
    try:
        return pool.submit(fn).result(timeout=seconds)
    finally:
        pool.shutdown(wait=False)
