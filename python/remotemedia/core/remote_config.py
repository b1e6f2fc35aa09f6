"""``RemoteExecutorConfig``: where a node runs remotely (the original SDK's
name). Calling a config is a factory for remote nodes (see
:mod:`remotemedia.nodes.remote`); a node with a ``remote_config`` attribute
runs on that node server (``rmrun serve``, docs/remote.md) through the
native RemoteNode plugin, and serializes with ``"host": "h:p"``."""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any, Dict, List, Optional

from .exceptions import ConfigurationError

__all__ = ["RemoteExecutorConfig"]


@dataclass
class RemoteExecutorConfig:
    """A node server to run nodes on.

    Args:
        host: the server's host name or address.
        port: its port (``rmrun serve --listen HOST:PORT``).
        protocol: ``"grpc"`` (the only one).
        auth_token: the server's bearer token (default:
            ``$REMOTEMEDIA_REMOTE_TOKEN`` where the pipeline runs). Never
            written into a serialized manifest.
        timeout: seconds to wait for one reply before the call counts as
            stuck (a transient error, retried).
        max_retries: retries of a call that failed transiently (connection
            refused or lost, ``UNAVAILABLE``, ``DEADLINE_EXCEEDED``).
        ssl_enabled: TLS (roots from ``$REMOTEMEDIA_REMOTE_CA`` or the
            system's); ``False`` for plaintext.
        pip_packages: accepted for the original SDK's signature; the server's
            environment provides packages (a warning when given).

    Raises:
        ConfigurationError: bad protocol, host, port, timeout or retries.
    """

    host: str
    port: int
    protocol: str = "grpc"
    auth_token: Optional[str] = None
    timeout: float = 30.0
    max_retries: int = 3
    ssl_enabled: bool = True
    pip_packages: Optional[List[str]] = None

    def __post_init__(self) -> None:
        if self.protocol != "grpc":
            raise ConfigurationError(f"RemoteExecutorConfig: protocol must be 'grpc', got {self.protocol!r}")
        bracketed = isinstance(self.host, str) and self.host.startswith("[") and self.host.endswith("]")
        if not isinstance(self.host, str) or not self.host.strip("[]") or (":" in self.host and not bracketed):
            raise ConfigurationError(
                f"RemoteExecutorConfig: host must be a host name or address without a port (an IPv6 "
                f"address in brackets: '[::1]'), got {self.host!r}")
        if isinstance(self.port, bool) or not isinstance(self.port, int) or not 1 <= self.port <= 65535:
            raise ConfigurationError(f"RemoteExecutorConfig: port must be an int from 1 to 65535, got {self.port!r}")
        if isinstance(self.timeout, bool) or not isinstance(self.timeout, (int, float)) or not self.timeout > 0:
            raise ConfigurationError(f"RemoteExecutorConfig: timeout must be seconds > 0, got {self.timeout!r}")
        if isinstance(self.max_retries, bool) or not isinstance(self.max_retries, int) or self.max_retries < 0:
            raise ConfigurationError(
                f"RemoteExecutorConfig: max_retries must be an int >= 0, got {self.max_retries!r}")
        if self.pip_packages:
            warnings.warn("RemoteExecutorConfig: pip_packages is not supported (the node server's environment "
                          "provides packages); ignored", stacklevel=3)

    @property
    def address(self) -> str:
        """``"host:port"``, the manifest's ``"host"`` field."""
        return f"{self.host}:{self.port}"

    def __repr__(self) -> str:  # never shows the token
        token = "***" if self.auth_token else None
        return (f"RemoteExecutorConfig(host={self.host!r}, port={self.port}, protocol={self.protocol!r}, "
                f"auth_token={token!r}, timeout={self.timeout}, max_retries={self.max_retries}, "
                f"ssl_enabled={self.ssl_enabled})")

    def connection_params(self) -> Dict[str, Any]:
        """The RemoteNode params that say how to connect (token included:
        for the native runtime in this process, not for manifests)."""
        params: Dict[str, Any] = {"host": self.address, "tls": bool(self.ssl_enabled),
                                  "timeout_ms": int(round(self.timeout * 1000))}
        if self.auth_token:
            params["token"] = self.auth_token
        return params

    def __call__(self, node: Any, node_config: Optional[Dict[str, Any]] = None, name: Optional[str] = None,
                 **kwargs: Any) -> Any:
        """``config("NodeType", node_config={...})`` → a
        :class:`~remotemedia.nodes.remote.RemoteExecutionNode`;
        ``config(local_node)`` → a
        :class:`~remotemedia.nodes.remote.RemoteObjectExecutionNode`."""
        from .remote_nodes import RemoteExecutionNode, RemoteObjectExecutionNode
        from .node import Node

        if isinstance(node, Node):
            if node_config is not None:
                raise ConfigurationError("RemoteExecutorConfig(node): node_config goes with a node type name, "
                                         "not a node object (its config travels with it)")
            return RemoteObjectExecutionNode(node, self, name=name, **kwargs)
        if isinstance(node, str):
            return RemoteExecutionNode(node, self, node_config=node_config, name=name, **kwargs)
        raise ConfigurationError(
            f"RemoteExecutorConfig(...): expected a node type name or a Node, got {type(node).__name__}")
