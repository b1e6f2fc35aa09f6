"""Shared fixtures for the SDK tests.

The tests run against an installed ``remotemedia`` (e.g. ``make test``) or,
when it is not installed, against the source tree in ``python/`` (so
``PYTHONPATH=python pytest tests/python`` and plain ``pytest tests/python``
both work).
"""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path
from typing import Any, Callable, Coroutine

import numpy as np
import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
SDK_SOURCE = REPO_ROOT / "python"

try:
    import remotemedia  # noqa: F401
except ImportError:
    sys.path.insert(0, str(SDK_SOURCE))
    import remotemedia  # noqa: F401


def sdk_pythonpath() -> str:
    """The PYTHONPATH a subprocess needs to import the same ``remotemedia``."""
    package_parent = str(Path(remotemedia.__file__).resolve().parents[1])
    existing = os.environ.get("PYTHONPATH")
    return package_parent + (os.pathsep + existing if existing else "")


@pytest.fixture
def run() -> Callable[[Coroutine[Any, Any, Any]], Any]:
    """Run a coroutine to completion (``run(pipeline.run(data))``)."""
    return asyncio.run


@pytest.fixture
def subprocess_env() -> dict:
    """Environment for subprocesses that import the SDK under test."""
    env = dict(os.environ)
    env["PYTHONPATH"] = sdk_pythonpath()
    return env


def make_sine(freq: float, rate: int, seconds: float, amplitude: float = 0.5, dtype=np.float32) -> np.ndarray:
    """A mono sine, 1-D."""
    t = np.arange(int(round(rate * seconds))) / rate
    return (amplitude * np.sin(2 * np.pi * freq * t)).astype(dtype)


@pytest.fixture
def sine() -> Callable[..., np.ndarray]:
    """``sine(freq, rate, seconds, amplitude=0.5, dtype=float32)`` → 1-D array."""
    return make_sine


@pytest.fixture
def rng() -> np.random.Generator:
    """A seeded random generator."""
    return np.random.default_rng(1234)
