"""NativeNode: any native node type (e.g. a third-party plugin's) in a
Python pipeline. Defined in core (manifests load it); exported here."""

from ..core.native_node import NativeNode

__all__ = ["NativeNode"]
