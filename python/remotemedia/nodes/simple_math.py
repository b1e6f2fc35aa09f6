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
from typing import Any, Callable, Optional

import numpy as np

from ..core.node import Node, node_label
from ._params import check_params

__all__ = ["MultiplyNode", "AddNode", "normalize_number"]

#: Beyond 2**53 a double no longer holds every integer exactly.
_EXACT_INT_LIMIT = 2 ** 53


def normalize_number(value: float) -> Any:
    """Apply the SDK's number rule: a finite float with an integral value
    (and magnitude below 2**53) becomes an ``int``; other floats stay."""
    if value.is_integer() and abs(value) < _EXACT_INT_LIMIT:
        return int(value)
    return value


def _apply(node: Node, data: Any, operation: Callable[[float], float], what: str) -> Any:
    if isinstance(data, np.ndarray):
        if not np.issubdtype(data.dtype, np.number):
            raise TypeError(f"{node_label(node)}: expected a numeric array, got dtype {data.dtype}")
        return operation(data)
    if isinstance(data, numbers.Real):
        return normalize_number(float(operation(float(data))))
    if isinstance(data, (list, tuple)):
        return [_apply(node, element, operation, what) for element in data]
    raise TypeError(
        f"{node_label(node)}: expected a number or a list of numbers "
        f"to {what}, got {type(data).__name__}"
    )


class MultiplyNode(Node):
    """Multiplies a number, or each number of a list, by ``factor``.

    Args:
        factor: the multiplier.
        name: the node's name.
    """

    native_twin = "MultiplyNode"

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
        return _apply(self, data, lambda x: x * factor, "multiply")


class AddNode(Node):
    """Adds ``addend`` to a number, or to each number of a list.

    Args:
        addend: the value to add.
        name: the node's name.
    """

    native_twin = "AddNode"

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
        return _apply(self, data, lambda x: x + addend, "add to")
