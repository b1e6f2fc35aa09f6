"""A pipeline manifest made ready for :class:`~remotemedia.distributed.NativeStage`.

The stage runs one manifest over many items. Per item it needs a variant
of the manifest:

* a file (or encoded bytes, written to a private temporary file): every
  ``AudioFileSource`` reads it — its path is a create parameter, so the
  variant is compiled per item, as ``rmrun --batch`` does (well under a
  millisecond);
* an ``(array, rate)`` item: the ``AudioFileSource`` nodes are left out and
  the array is pushed, in the source's ``chunk_seconds`` chunks, into the
  nodes they fed;
* outputs as files: each ``AudioFileSink`` writes ``out_dir/<stem><ext>``
  (the rule of :func:`remotemedia.batch.output_paths`), what other sinks
  emit goes to ``out_dir/<stem>.json`` in ``rmrun --batch``'s format;
* outputs as arrays: each ``AudioFileSink`` becomes a ``PassThroughNode``
  of the same id, so what it would have written comes back as items.

A variant with no per-item path (arrays in, arrays out) is compiled once
and reused by every item (a session each).
"""

from __future__ import annotations

import json
from typing import Any, Dict, List, Optional, Sequence, Tuple

from ..batch import _nodes_and_sinks
from ..core.exceptions import PipelineError

__all__ = ["Plan", "json_output_text"]

SOURCE, SINK = "AudioFileSource", "AudioFileSink"


class Plan:
    """The manifest (parsed once) and what the stage changes in it."""

    def __init__(self, text: str) -> None:
        try:
            manifest = json.loads(text)
        except ValueError as exc:
            raise PipelineError(f"NativeStage: the manifest is not JSON: {exc}") from None
        nodes = manifest.get("nodes") if isinstance(manifest, dict) else None
        if not isinstance(nodes, list) or not all(isinstance(n, dict) for n in nodes):
            raise PipelineError("NativeStage: the manifest has no \"nodes\" list of objects")
        self.manifest = manifest
        self.sources = [n for n in nodes if n.get("node_type") == SOURCE]
        if not self.sources:
            raise PipelineError("NativeStage: the pipeline has no AudioFileSource node (it reads each input; "
                                "an (array, rate) item replaces it)")
        self.sink_ids = [n.get("id") for n in nodes if n.get("node_type") == SINK]
        _, _, other_sinks = _nodes_and_sinks(manifest)
        self.other_sink_ids = [n.get("id") for n in other_sinks]
        params = self.sources[0].get("params") or {}
        self.chunk_seconds = float(params.get("chunk_seconds", 1.0))
        self.source_format = str(params.get("format", "f32"))
        self.edges = self._edges(manifest)

    @staticmethod
    def _edges(manifest: Dict[str, Any]) -> List[Dict[str, Any]]:
        edges = manifest.get("connections")
        if edges is None:  # the implicit chain, made explicit
            ids = [n.get("id") for n in manifest["nodes"]]
            return [{"from": a, "to": b} for a, b in zip(ids, ids[1:])]
        return [dict(e) for e in edges]

    def variant(self, source_path: Optional[str], sink_paths: Optional[Sequence[str]]) -> str:
        """The manifest for one item: ``source_path`` (None: no sources, the
        item is pushed) and ``sink_paths`` (one per AudioFileSink; None: the
        sinks become pass-throughs and their items come back)."""
        source_ids = {n.get("id") for n in self.sources}
        nodes = []
        sinks = iter(sink_paths or ())
        for node in self.manifest["nodes"]:
            kind = node.get("node_type")
            if kind == SOURCE:
                if source_path is None:
                    continue
                node = dict(node, params=dict(node.get("params") or {}, path=source_path))
            elif kind == SINK:
                if sink_paths is None:
                    node = {"id": node.get("id"), "node_type": "PassThroughNode", "params": {}}
                else:
                    node = dict(node, params=dict(node.get("params") or {}, path=next(sinks)))
            nodes.append(node)
        edges = self.edges
        if source_path is None:
            edges = [e for e in edges if e.get("from") not in source_ids]
        if sink_paths is None:
            sink_ids = set(self.sink_ids)
            edges = [{k: v for k, v in e.items() if not (k == "to_port" and e.get("to") in sink_ids)}
                     for e in edges]
        return json.dumps(dict(self.manifest, nodes=nodes, connections=edges))


# ---- the .json output, byte for byte as rmrun --batch writes it (cmd_batch.c) ----

_KIND_NAMES = {1: "audio", 2: "tensor", 3: "json", 4: "bytes", 5: "pyobject"}
_SAMPLE_NAMES = {1: "f32", 2: "i16", 3: "i32", 4: "f64"}
_ESCAPES = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _json_string(text: str) -> str:
    out = []
    for ch in text:
        if ch in _ESCAPES:
            out.append(_ESCAPES[ch])
        elif ord(ch) < 0x20:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def _item_text(triple: Tuple[int, Any, Any]) -> str:
    kind, payload, meta = triple
    if kind == 3:
        return payload if payload else "null"
    if kind == 1:
        sample_format, channels, frames, rate, _layout = meta
        return (f'{{"kind":"audio","sample_rate":{rate},"channels":{channels},"frames":{frames},'
                f'"format":"{_SAMPLE_NAMES.get(sample_format, "unknown")}"}}')
    size = len(memoryview(payload).cast("B")) if kind in (2, 4) else 0
    return f'{{"kind":"{_KIND_NAMES.get(kind, "unknown")}","size":{size}}}'


def json_output_text(sink_ids: Sequence[str], items: Dict[str, List[Tuple[int, Any, Any]]]) -> str:
    """``{"<sink id>": [items...], ...}`` of the non-file sinks, in manifest
    order, as rmrun --batch writes ``<stem>.json``."""
    parts = [f"{_json_string(sink)}: [" + ", ".join(_item_text(t) for t in items.get(sink, ())) + "]"
             for sink in sink_ids]
    return "{" + ",\n ".join(parts) + "}\n"
