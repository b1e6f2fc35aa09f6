"""Nodes that run on a node server (``rmrun serve``; docs/remote.md).
Defined in core (RemoteExecutorConfig makes them); exported here."""

from ..core.remote_nodes import RemoteExecutionNode, RemoteObjectExecutionNode, remote_native_params

__all__ = ["RemoteExecutionNode", "RemoteObjectExecutionNode", "remote_native_params"]
