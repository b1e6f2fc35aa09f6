"""Turning a pipeline into its manifest (the JSON document ``rmrun`` reads).

Shape (``version`` ``"v1"``)::

    {"version": "v1",
     "metadata": {"name": ..., "created_at": ..., "description": ...},
     "nodes": [{"id": "{name}_{index}", "node_type": <class name>,
                "params": <node.config>, "is_streaming": bool,
                "runtime_hint": "auto"|"native"|"python",
                "python": {"module": ..., "class": ...}}],
     "connections": [{"from": id, "to": id}]}

``python`` tells the native runtime where the node's Python implementation
lives, so its CPython adapter can run the node when no native plugin
provides ``node_type`` (or when ``runtime_hint`` is ``"python"``).
"""

from __future__ import annotations

import json
import math
from datetime import datetime, timezone
from typing import Any, Dict, List, Optional, Sequence, Tuple, Union

import numpy as np

from .exceptions import SerializationError
from .node import Node

__all__ = ["MANIFEST_VERSION", "node_ids", "build_manifest", "manifest_json", "to_json_value"]

MANIFEST_VERSION = "v1"


def node_ids(nodes: Sequence[Node]) -> List[str]:
    """The manifest id of each node: ``"{name}_{index}"``."""
    return [f"{node.name}_{index}" for index, node in enumerate(nodes)]


def to_json_value(value: Any, where: str) -> Any:
    """Convert a parameter value to plain JSON types.

    Tuples become lists, numpy scalars and small arrays become numbers and
    lists. Raises :class:`SerializationError` naming ``where`` for anything
    that has no JSON form (NaN and infinities included).
    """
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        return int(value)
    if isinstance(value, (float, np.floating)):
        if not math.isfinite(float(value)):
            raise SerializationError(f"{where}: {value!r} has no JSON form (use a finite number)")
        return float(value)
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, np.ndarray):
        return to_json_value(value.tolist(), where)
    if isinstance(value, (list, tuple)):
        return [to_json_value(v, f"{where}[{i}]") for i, v in enumerate(value)]
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise SerializationError(f"{where}: dict keys must be strings, got {key!r}")
            out[key] = to_json_value(item, f"{where}.{key}")
        return out
    raise SerializationError(
        f"{where}: a {type(value).__name__} cannot go into a manifest "
        "(parameters must be JSON values: numbers, strings, booleans, lists, dicts)"
    )


def _node_entry(node: Node, node_id: str) -> Dict[str, Any]:
    cls = type(node)
    entry = {
        "id": node_id,
        "node_type": cls.__name__,
        "params": to_json_value(node.config, f"node '{node_id}' params"),
        "is_streaming": bool(getattr(node, "is_streaming", False)),
        "runtime_hint": node.runtime_hint,
        "python": {"module": cls.__module__, "class": cls.__qualname__},
    }
    # Reliability policies only when set (the runtime's defaults otherwise).
    if getattr(node, "retry_policy", None) is not None:
        entry["retry"] = to_json_value(dict(node.retry_policy), f"node '{node_id}' retry")
    if getattr(node, "timeout_ms", 0):
        entry["timeout_ms"] = int(node.timeout_ms)
    if getattr(node, "breaker_policy", None) is not None:
        entry["breaker"] = to_json_value(dict(node.breaker_policy), f"node '{node_id}' breaker")
    _remote_entry(node, entry)
    on_error = getattr(node, "on_error", "fail")
    if on_error != "fail":
        from .reliability import check_on_error

        entry["on_error"] = check_on_error(on_error, f"node '{node_id}'")
    return entry


def _remote_entry(node: Node, entry: Dict[str, Any]) -> None:
    """A node with a ``remote_config`` runs on that node server: ``"host":
    "h:p"`` (the token is never written; docs/remote.md)."""
    config = getattr(node, "remote_config", None)
    if config is None:
        return
    entry["host"] = config.address
    remote_type = getattr(node, "remote_node_type", None)
    location = getattr(node, "python_location", None)
    if remote_type is not None:
        entry["node_type"] = location["class"].rsplit(".", 1)[-1] if location else remote_type
        if location:
            entry["python"] = dict(location)
        else:
            entry.pop("python", None)


#: An explicit connection: (from node, to node, from_port, to_port); ports
#: are indices or port names (the manifest accepts both).
Edge = Tuple[Node, Node, Union[int, str], Union[int, str]]


def _connection(edge: Edge, id_of: Dict[int, str]) -> Dict[str, Any]:
    src, dst, from_port, to_port = edge
    entry: Dict[str, Any] = {"from": id_of[id(src)], "to": id_of[id(dst)]}
    if from_port != 0:
        entry["from_port"] = from_port
    if to_port != 0:
        entry["to_port"] = to_port
    return entry


def build_manifest(name: str, nodes: Sequence[Node], description: Optional[str] = None,
                   edges: Optional[Sequence[Edge]] = None) -> Dict[str, Any]:
    """The manifest of ``nodes`` as a dict: a linear chain in their order,
    or the graph of ``edges`` (``Pipeline.connect``) when given."""
    ids = node_ids(nodes)
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise SerializationError(f"duplicate node ids in pipeline '{name}': {duplicates}")
    metadata: Dict[str, Any] = {
        "name": name,
        "created_at": datetime.now(timezone.utc).isoformat(),
    }
    if description is not None:
        metadata["description"] = description
    return {
        "version": MANIFEST_VERSION,
        "metadata": metadata,
        "nodes": [_node_entry(node, node_id) for node, node_id in zip(nodes, ids)],
        "connections": ([{"from": a, "to": b} for a, b in zip(ids, ids[1:])] if edges is None
                        else [_connection(edge, {id(n): i for n, i in zip(nodes, ids)}) for edge in edges]),
    }


def manifest_json(manifest: Dict[str, Any], indent: Optional[int] = None) -> str:
    """Encode a manifest dict as JSON text."""
    try:
        return json.dumps(manifest, indent=indent, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise SerializationError(f"manifest is not valid JSON: {exc}") from exc
