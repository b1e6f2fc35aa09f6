"""``Pipeline.from_manifest``: a Python pipeline from a manifest.

Each manifest node becomes the SDK's node class of that ``node_type`` when
the SDK has one (the built-in nodes), else the Python class its ``python``
location names (what ``serialize()`` writes for user nodes) when that
imports, else a :class:`NativeNode` of the type (any plugin's node); it is
named by its manifest ``id``. Node-level
``runtime_hint``, ``retry``, ``timeout_ms`` and ``breaker`` are kept. The
connections, ports included, become ``Pipeline.connect`` calls — except a
plain chain in node order, which stays a chain (and so also runs in pure
Python).
"""

from __future__ import annotations

import importlib
import json
import os
from typing import Any, Dict, List, Optional, Union

from .exceptions import ConfigurationError
from .native_node import NativeNode
from .node import Node

__all__ = ["pipeline_from_manifest", "manifest_source_text", "node_class", "sdk_node_classes"]

#: Where the SDK's own node classes live.
_SDK_NODES = "remotemedia.nodes"

_NODE_LEVEL = ("runtime_hint", "retry", "timeout_ms", "breaker", "on_error")


def manifest_source_text(manifest: Union[str, "os.PathLike[str]"]) -> str:
    """The JSON text of a manifest given as a path or as JSON text: a
    ``str`` whose first non-blank character is ``{`` is the text itself,
    any other ``str`` or path-like is a file to read (OSError if it cannot
    be read)."""
    if isinstance(manifest, os.PathLike) or not manifest.lstrip().startswith("{"):
        with open(manifest, encoding="utf-8") as handle:
            return handle.read()
    return manifest


def sdk_node_classes() -> Dict[str, type]:
    """The SDK's node classes by name. The node package is found by name,
    like a manifest's ``python`` location: core does not import it (it
    imports core), and heavy modules stay out of ``import remotemedia``."""
    nodes = importlib.import_module(_SDK_NODES)
    return {name: obj for name in getattr(nodes, "__all__", ())
            if isinstance(obj := getattr(nodes, name, None), type) and obj is not NativeNode}


def _load(manifest: Any) -> Dict[str, Any]:
    if isinstance(manifest, dict):
        return manifest
    if isinstance(manifest, (str, os.PathLike)):
        try:
            text = manifest_source_text(manifest)
        except OSError as exc:
            raise ConfigurationError(f"cannot read manifest {str(manifest)!r}: {exc}") from exc
        try:
            loaded = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ConfigurationError(f"manifest is not valid JSON: {exc}") from exc
        if isinstance(loaded, dict):
            return loaded
    raise ConfigurationError(
        f"from_manifest() expects a manifest dict, a path to a JSON file or JSON text; got {type(manifest).__name__}"
    )


def _node(entry: Any, index: int, classes: Dict[str, type]) -> Any:
    if not isinstance(entry, dict) or not isinstance(entry.get("id"), str) or not isinstance(
            entry.get("node_type"), str):
        raise ConfigurationError(f"manifest node [{index}] needs a string 'id' and 'node_type'; got {entry!r}")
    node_id, node_type = entry["id"], entry["node_type"]
    params = entry.get("params") or {}
    if not isinstance(params, dict):
        raise ConfigurationError(f"manifest node '{node_id}': params must be an object; got {params!r}")
    extra = {key: entry[key] for key in _NODE_LEVEL if key in entry}
    cls = node_class(entry, classes)
    try:
        if cls is None:
            return NativeNode(node_type, name=node_id, **extra, **params)
        return cls(name=node_id, **extra, **params)
    except ConfigurationError as exc:
        # A built-in node's message names it already: node 'vad' (Type): ...
        named = str(exc).startswith(f"node '{node_id}' ({node_type}): ")
        raise ConfigurationError(f"manifest {exc}" if named else f"manifest node '{node_id}' ({node_type}): {exc}") \
            from exc
    except TypeError as exc:
        raise ConfigurationError(f"manifest node '{node_id}' ({node_type}): bad params: {exc}") from exc


def node_class(entry: Dict[str, Any], classes: Dict[str, type]) -> Optional[type]:
    """The Python class of a manifest node: the SDK's class of its
    ``node_type`` (``classes``: :func:`sdk_node_classes`), else the class its
    ``python`` location names (ConfigurationError when that does not
    import), else ``None`` (a native node type)."""
    cls = classes.get(entry.get("node_type"))  # type: ignore[arg-type]
    if cls is None and isinstance(entry.get("python"), dict) and "module" in entry["python"]:
        cls = _python_class(str(entry.get("id")), entry["python"])
    return cls


def _python_class(node_id: str, location: Dict[str, Any]) -> type:
    """A user node class named by a manifest's ``python`` location
    (``serialize()`` writes module and class)."""
    module_name, class_name = location.get("module"), location.get("class")
    try:
        obj: Any = importlib.import_module(str(module_name))
        for part in str(class_name).split("."):
            obj = getattr(obj, part)
    except (ImportError, AttributeError) as exc:
        raise ConfigurationError(
            f"manifest node '{node_id}': cannot import its Python class {module_name}.{class_name} ({exc}); "
            "make it importable, or add that node object with add_node()/connect()"
        ) from exc
    if not (isinstance(obj, type) and issubclass(obj, Node)):
        raise ConfigurationError(f"manifest node '{node_id}': {module_name}.{class_name} is not a Node class")
    return obj


def pipeline_from_manifest(pipeline_cls: type, manifest: Any, name: Optional[str] = None,
                           enable_metrics: bool = False) -> Any:
    data = _load(manifest)
    nodes_in = data.get("nodes")
    if not isinstance(nodes_in, list) or not nodes_in:
        raise ConfigurationError("manifest has no 'nodes' (a non-empty list)")
    metadata = data.get("metadata") if isinstance(data.get("metadata"), dict) else {}
    classes = sdk_node_classes()
    nodes = [_node(entry, index, classes) for index, entry in enumerate(nodes_in)]
    by_id = {node.name: node for node in nodes}
    if len(by_id) != len(nodes):
        raise ConfigurationError("manifest node ids must be unique")
    pipeline = pipeline_cls(name=name or metadata.get("name"), enable_metrics=enable_metrics)
    for node in nodes:
        pipeline.add_node(node)
    connections: List[Any] = data.get("connections") or []
    if not isinstance(connections, list):
        raise ConfigurationError("manifest 'connections' must be a list")
    ids = [node.name for node in nodes]
    plain_chain = len(connections) == len(nodes) - 1 and all(
        isinstance(c, dict) and c.get("from") == a and c.get("to") == b
        and c.get("from_port", 0) in (0, "out") and c.get("to_port", 0) in (0, "in")
        for c, a, b in zip(connections, ids, ids[1:]))
    if plain_chain:
        return pipeline
    for index, c in enumerate(connections):
        if not isinstance(c, dict):
            raise ConfigurationError(f"manifest connection [{index}] must be an object; got {c!r}")
        for end in ("from", "to"):
            if c.get(end) not in by_id:
                raise ConfigurationError(
                    f"manifest connection [{index}]: '{end}' names no node: {c.get(end)!r} (ids: {ids})")
        pipeline.connect(by_id[c["from"]], by_id[c["to"]], c.get("from_port", 0), c.get("to_port", 0))
    if not connections and len(nodes) > 1:
        # Unconnected nodes: a graph of independent nodes, not a chain.
        pipeline._edges = []
    return pipeline
