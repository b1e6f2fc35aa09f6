"""Arithmetic nodes on numbers and lists of numbers.

Arithmetic is done in double precision (as the native math plugin does), one
operation per element, so both give identical results. **Integral results
come back as ``int``**: ``MultiplyNode(2.0)`` on ``3`` gives ``6``, on
``1.5`` gives ``3``, on ``1.25`` gives ``2.5``. Lists are processed element
by element (nested lists too) and come back as lists; numpy arrays are
processed element-wise by numpy and keep their dtype rules.
"""

from __future__ import annotations

import numbers
from typing import Any, Callable, NoReturn, Optional

import numpy as np

from ..core import native_runner
from ..core.node import Node, node_label
from ._params import check_params

__all__ = ["MultiplyNode", "AddNode", "normalize_number", "check_input", "check_native_input"]

#: Beyond 2**53 a double no longer holds every integer exactly.
_EXACT_INT_LIMIT = 2 ** 53


def normalize_number(value: float) -> Any:
    """Apply the SDK's number rule: a finite float with an integral value
    (and magnitude below 2**53) becomes an ``int``; other floats stay."""
    if value.is_integer() and abs(value) < _EXACT_INT_LIMIT:
        return int(value)
    return value


#: Sample dtypes of audio the math nodes compute on (the plugin's rule).
_FLOAT_AUDIO = (np.dtype(np.float32), np.dtype(np.float64))


def _audio_samples(node: Node, data: Any) -> Optional[np.ndarray]:
    """The samples of an audio item ``(samples, rate)`` shaped
    ``(channels, frames)``, or ``None`` when ``data`` is no audio item.
    Like the native plugin: the samples are scaled, the rate is kept (it is
    not a number of the list), and integer PCM is refused."""
    if not (type(data) is tuple and len(data) == 2 and isinstance(data[0], np.ndarray) and data[0].ndim in (1, 2)
            and _is_rate(data[1])):
        return None
    samples = data[0]
    if samples.dtype not in _FLOAT_AUDIO:
        raise TypeError(f"{node_label(node)}: audio must be f32 or f64 samples (convert integer PCM first); "
                        f"got {samples.dtype}")
    return samples.reshape(1, -1) if samples.ndim == 1 else samples


def _is_rate(value: Any) -> bool:
    """An int sample rate, or a whole-number float one (``16e3``), as the
    audio nodes read it."""
    if isinstance(value, bool):
        return False
    if isinstance(value, numbers.Integral):
        return True
    return isinstance(value, (float, np.floating)) and float(value).is_integer()


def _native_problem(data: Any, top: bool = True) -> Optional[str]:
    """What in ``data`` (which :func:`check_input` accepted) the native
    plugin cannot take, as a phrase, or ``None``: it takes JSON numbers,
    flat lists of them, float audio and numeric arrays of its tensor
    dtypes; NaN and infinities are not JSON numbers, other values cross
    as Python objects."""
    if isinstance(data, np.ndarray):
        return None if data.dtype in native_runner.TENSOR_CODES and data.ndim >= 1 else (
            f"a {data.dtype} array" if data.ndim >= 1 else "a 0-d array")
    if isinstance(data, (bool, np.bool_)):
        return "a bool"
    if isinstance(data, (float, np.floating)):
        return None if np.isfinite(data) else f"{float(data)!r}, which is not a JSON number"
    if isinstance(data, numbers.Integral):
        return None
    if isinstance(data, numbers.Real):
        return f"a {type(data).__name__}"
    if type(data) is tuple and len(data) == 2 and _is_rate(data[1]) and isinstance(data[0], np.ndarray):
        if data[0].ndim not in (1, 2):
            return f"{data[0].ndim}-d audio samples"
        return None if top else "audio inside a list"
    if type(data) is list and top:
        return next((problem for problem in (_native_problem(e, top=False) for e in data) if problem), None)
    if type(data) is list:
        return "a nested list"
    return f"a {type(data).__name__}"


def check_native_input(node: Node, data: Any) -> None:
    """:func:`check_input`, then what only the native plugin refuses (NaN,
    nested lists, ...): a ValueError naming the value and the way to
    compute with it (the node in Python)."""
    check_input(node, data)
    problem = _native_problem(data)
    if problem is not None:
        raise ValueError(f"{node_label(node)}: the input is or holds {problem}, which the native "
                         f"{type(node).__name__} cannot take (it takes finite numbers, flat lists of them, float "
                         "audio and numeric arrays); runtime_hint='python' on the node, or run(..., "
                         "use_native=False), computes with it in Python")


def check_input(node: Node, data: Any) -> None:
    """Raise the TypeError :func:`_apply` raises for ``data``, without
    computing: the native run checks its inputs with it first, so a bad
    item is the same error, with the same message, on both paths."""
    if isinstance(data, np.ndarray):
        if not np.issubdtype(data.dtype, np.number):
            raise TypeError(f"{node_label(node)}: expected a numeric array, got dtype {data.dtype}")
        return
    if isinstance(data, numbers.Real) or _audio_samples(node, data) is not None:
        return
    if isinstance(data, (list, tuple)):
        for element in data:
            check_input(node, element)
        return
    _not_a_number(node, data)


def _not_a_number(node: Node, data: Any) -> NoReturn:
    got = "None" if data is None else f"a {type(data).__name__}"
    raise TypeError(f"{node_label(node)}: expected a number or a list of numbers, got {got}")


def _apply(node: Node, data: Any, operation: Callable[[float], float]) -> Any:
    samples = _audio_samples(node, data)
    if samples is not None:
        return operation(samples), int(data[1])
    if isinstance(data, np.ndarray):
        if not np.issubdtype(data.dtype, np.number):
            raise TypeError(f"{node_label(node)}: expected a numeric array, got dtype {data.dtype}")
        return operation(data)
    if isinstance(data, numbers.Real):
        return normalize_number(float(operation(float(data))))
    if isinstance(data, (list, tuple)):
        return [_apply(node, element, operation) for element in data]
    _not_a_number(node, data)


class MultiplyNode(Node):
    """Multiplies a number, or each number of a list, by ``factor``.

    Args:
        factor: the multiplier.
        name: the node's name.
    """

    native_twin = "MultiplyNode"
    #: What a native run checks its inputs with first (NativeExecution).
    check_native_input = staticmethod(check_native_input)

    def __init__(self, factor: float = 2.0, name: Optional[str] = None, **params: Any) -> None:
        super().__init__(name=name, **check_params(self, MultiplyNode, dict(factor=factor, **params), name=name))

    # The setting lives in ``config`` (what the manifest and the native
    # plugin read), so ``node.factor = 3`` changes both paths alike.
    @property
    def factor(self) -> float:
        """The multiplier."""
        return self.config["factor"]

    @factor.setter
    def factor(self, value: float) -> None:
        self.config["factor"] = value

    def process(self, data: Any) -> Any:
        """``data * factor`` (element-wise for lists); integral results are ints."""
        factor = float(self.factor)
        return _apply(self, data, lambda x: x * factor)


class AddNode(Node):
    """Adds ``addend`` to a number, or to each number of a list.

    Args:
        addend: the value to add.
        name: the node's name.
    """

    native_twin = "AddNode"
    #: What a native run checks its inputs with first (NativeExecution).
    check_native_input = staticmethod(check_native_input)

    def __init__(self, addend: float = 0.0, name: Optional[str] = None, **params: Any) -> None:
        super().__init__(name=name, **check_params(self, AddNode, dict(addend=addend, **params), name=name))

    @property
    def addend(self) -> float:
        """The value added."""
        return self.config["addend"]

    @addend.setter
    def addend(self, value: float) -> None:
        self.config["addend"] = value

    def process(self, data: Any) -> Any:
        """``data + addend`` (element-wise for lists); integral results are ints."""
        addend = float(self.addend)
        return _apply(self, data, lambda x: x + addend)
