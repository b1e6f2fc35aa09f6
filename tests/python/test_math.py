"""MultiplyNode / AddNode and the integral-result rule."""

from __future__ import annotations

import numpy as np
import pytest

from remotemedia import ConfigurationError
from remotemedia.nodes.simple_math import AddNode, MultiplyNode, normalize_number


def test_defaults() -> None:
    assert MultiplyNode().factor == 2.0
    assert AddNode().addend == 0.0


@pytest.mark.parametrize("value, expected, kind", [
    (3, 6, int), (1.5, 3, int), (1.25, 2.5, float), (-2, -4, int), (0, 0, int),
])
def test_multiply_numbers(value, expected, kind) -> None:
    result = MultiplyNode(factor=2.0).process(value)
    assert result == expected and type(result) is kind


def test_add_numbers_and_lists() -> None:
    node = AddNode(addend=0.5)
    assert node.process(1.5) == 2 and type(node.process(1.5)) is int
    assert node.process([1, 2.5, [0.25]]) == [1.5, 3, [0.75]]
    assert AddNode(addend=10).process((1, 2)) == [11, 12]


def test_double_precision_like_native() -> None:
    assert AddNode(addend=0.1).process(0.2) == 0.1 + 0.2
    assert MultiplyNode(factor=0.1).process(3) == 3 * 0.1


def test_arrays_are_elementwise() -> None:
    result = MultiplyNode(factor=3).process(np.array([1, 2], dtype=np.int16))
    assert isinstance(result, np.ndarray) and result.tolist() == [3.0, 6.0]


def test_integral_rule_edges() -> None:
    assert normalize_number(2.0 ** 60) == 2.0 ** 60 and isinstance(normalize_number(2.0 ** 60), float)
    assert type(normalize_number(-0.0)) is int
    assert normalize_number(float("inf")) == float("inf")


@pytest.mark.parametrize("node", [MultiplyNode(name="m"), AddNode(name="a")])
def test_bad_input_names_the_node(node) -> None:
    with pytest.raises(TypeError, match=rf"^node '{node.name}' \({type(node).__name__}\): .*number"):
        node.process("12")
    with pytest.raises(TypeError, match="numeric array"):
        node.process(np.array(["a"]))


def test_bad_parameters() -> None:
    with pytest.raises(TypeError, match="factor must be a number"):
        MultiplyNode(factor="2")
    with pytest.raises(TypeError, match="addend must be a number"):
        AddNode(addend=None)
    assert issubclass(ConfigurationError, ValueError)
