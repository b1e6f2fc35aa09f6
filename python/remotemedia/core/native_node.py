"""NativeNode: any native node type (e.g. a third-party plugin's) in a
Python pipeline."""

from __future__ import annotations

from typing import Any, Optional

from .exceptions import ConfigurationError, PipelineError
from .node import Node

__all__ = ["NativeNode"]


class NativeNode(Node):
    """A node implemented only by a native plugin, named by its node type.

    ``NativeNode("GainNode", gain_db=6.0)`` puts the plugin's ``GainNode``
    with params ``{"gain_db": 6.0}`` into a pipeline. Plugins are found in
    the installed plugin directory and in ``REMOTEMEDIA_PLUGIN_PATH``
    (colon-separated directories); ``rmrun inspect TYPE`` shows the params.
    There is no Python implementation: running without the native runtime,
    or with ``use_native=False``, raises :class:`PipelineError`.

    Args:
        node_type: the native node type name.
        name: the node's name (default: the node type).
        **params: the node type's params (validated by the runtime before the
            run; errors name the param and the valid range).
    """

    def __init__(self, node_type: str, name: Optional[str] = None, **params: Any) -> None:
        if not isinstance(node_type, str) or not node_type:
            raise ConfigurationError(f"NativeNode: node_type must be a non-empty string, got {node_type!r}")
        super().__init__(name=name or node_type, **params)
        self.native_type = node_type

    def process(self, data: Any) -> Any:
        raise PipelineError(
            f"NativeNode '{self.name}' ({self.native_type}) has no Python implementation: it needs the "
            "native runtime and a plugin that provides the type (see `rmrun --list`)"
        )
