"""Comparing a native result with the pure-Python one."""

from __future__ import annotations

import numpy as np


def assert_same(native, python, path: str = "result") -> None:
    """Equal structure and types; arrays and floats exactly equal (NaN
    equals NaN)."""
    assert type(native) is type(python), f"{path}: {native!r} vs {python!r}"
    if isinstance(python, np.ndarray):
        assert native.dtype == python.dtype and native.shape == python.shape, path
        np.testing.assert_array_equal(native, python, err_msg=path)
    elif isinstance(python, (tuple, list)):
        assert len(native) == len(python), f"{path}: {len(native)} vs {len(python)} items"
        for i, (n, p) in enumerate(zip(native, python)):
            assert_same(n, p, f"{path}[{i}]")
    elif isinstance(python, dict):
        assert set(native) == set(python), path
        for key in python:
            assert_same(native[key], python[key], f"{path}[{key!r}]")
    elif isinstance(python, float) and np.isnan(python):
        assert np.isnan(native), path
    else:
        assert native == python, path
