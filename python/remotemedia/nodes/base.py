"""Generic building-block nodes."""

from __future__ import annotations

from typing import Any, Optional

from ..core.node import Node
from ._params import check_params

__all__ = ["PassThroughNode"]


class PassThroughNode(Node):
    """Returns its input unchanged (useful as a placeholder or for testing)."""

    native_twin = "PassThroughNode"

    def __init__(self, name: Optional[str] = None, **params: Any) -> None:
        super().__init__(name=name, **check_params(self, PassThroughNode, params, name=name))

    def process(self, data: Any) -> Any:
        """Return ``data`` as is."""
        return data
