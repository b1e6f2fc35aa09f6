"""Nodes that run on a node server (``rmrun serve``; docs/remote.md);
exported as ``remotemedia.nodes.remote``.

Made by calling a :class:`~remotemedia.RemoteExecutorConfig`. They run
through the native runtime's RemoteNode plugin (one gRPC stream per run,
items in order, network errors retried like any transient error); there is
no Python gRPC client, so they need the native runtime."""

from __future__ import annotations

from typing import Any, Dict, Optional

from .exceptions import ConfigurationError, PipelineError
from .node import Node
from .remote_config import RemoteExecutorConfig

__all__ = ["RemoteExecutionNode", "RemoteObjectExecutionNode", "remote_native_params"]


def _check_config(config: Any, who: str) -> RemoteExecutorConfig:
    if not isinstance(config, RemoteExecutorConfig):
        raise ConfigurationError(f"{who}: expected a RemoteExecutorConfig, got {type(config).__name__}")
    return config


def remote_native_params(node: Node) -> Dict[str, Any]:
    """The RemoteNode params that run ``node`` (which has a
    ``remote_config``) on its server: a remote node type with its params,
    or a Python node's class with its config (the server needs
    ``--allow-python``)."""
    config: RemoteExecutorConfig = node.remote_config  # type: ignore[attr-defined]
    params = config.connection_params()
    native_params = getattr(node, "native_params", None)
    if callable(native_params):
        return native_params()
    twin = vars(type(node)).get("native_twin")  # as Node.native_twin says
    if twin is not None and node.runtime_hint != "python":
        params.update(node_type=twin, params=dict(node.config))
    else:
        cls = type(node)
        params.update(node_type="PythonNode",
                      params={"module": cls.__module__, "class": cls.__qualname__, "config": dict(node.config),
                              "name": node.name, "is_streaming": bool(getattr(node, "is_streaming", False))})
    return params


class RemoteExecutionNode(Node):
    """Runs node type ``node_type`` with ``node_config`` on the server of
    ``config``. Serializes as that node type with ``"host": "h:p"``.

    Args:
        node_type: a node type of the server's registry (``rmrun list`` there).
        config: the server.
        node_config: its params.
        name: the node's name (default: the node type).
    """

    def __init__(self, node_type: str, config: RemoteExecutorConfig, node_config: Optional[Dict[str, Any]] = None,
                 name: Optional[str] = None, **kwargs: Any) -> None:
        if not isinstance(node_type, str) or not node_type:
            raise ConfigurationError(f"RemoteExecutionNode: node_type must be a non-empty string, got {node_type!r}")
        config = _check_config(config, "RemoteExecutionNode")
        kwargs.setdefault("retry", {"max_retries": config.max_retries})
        super().__init__(name=name or node_type, **kwargs, **dict(node_config or {}))
        self.remote_config = config
        self.remote_node_type = node_type
        self.native_type = "RemoteNode"

    def native_params(self) -> Dict[str, Any]:
        params = self.remote_config.connection_params()
        params.update(node_type=self.remote_node_type, params=dict(self.config))
        return params

    def process(self, data: Any) -> Any:
        raise PipelineError(
            f"RemoteExecutionNode '{self.name}' ({self.remote_node_type} on {self.remote_config.address}) runs "
            "through the native runtime's RemoteNode plugin, which is not available here")


class RemoteObjectExecutionNode(Node):
    """Runs a local node's class with its config on the server of
    ``config`` (not pickled: the server imports the same module and class,
    so it must be installed there, and the server must allow Python nodes:
    ``rmrun serve --allow-python``)."""

    def __init__(self, node: Node, config: RemoteExecutorConfig, name: Optional[str] = None, **kwargs: Any) -> None:
        if not isinstance(node, Node):
            raise ConfigurationError(f"RemoteObjectExecutionNode: expected a Node, got {type(node).__name__}")
        config = _check_config(config, "RemoteObjectExecutionNode")
        kwargs.setdefault("retry", {"max_retries": config.max_retries})
        super().__init__(name=name or node.name, **kwargs, **dict(node.config))
        cls = type(node)
        self.remote_config = config
        self.remote_node_type = "PythonNode"
        self.python_location = {"module": cls.__module__, "class": cls.__qualname__}
        self.is_streaming = bool(getattr(node, "is_streaming", False))
        self.wrapped_name = node.name
        self.native_type = "RemoteNode"

    def native_params(self) -> Dict[str, Any]:
        params = self.remote_config.connection_params()
        params.update(node_type="PythonNode",
                      params={**self.python_location, "config": dict(self.config), "name": self.wrapped_name,
                              "is_streaming": self.is_streaming})
        return params

    def process(self, data: Any) -> Any:
        raise PipelineError(
            f"RemoteObjectExecutionNode '{self.name}' runs through the native runtime's RemoteNode plugin, "
            "which is not available here")
