"""Per-run metrics: what ``Pipeline.get_metrics()`` returns.

The schema (documented in docs/python-api.md, "Metrics") is flat and uses
plain JSON types so that the native runtime can emit the very same document.
Times are integers in microseconds.
"""

from __future__ import annotations

import sys
import time
from datetime import datetime, timezone
from typing import Any, Dict, List, Optional

import numpy as np

__all__ = ["METRICS_SCHEMA", "NodeMetrics", "RunMetrics", "estimate_nbytes"]

#: Identifies the document layout; bumped when a field changes meaning.
METRICS_SCHEMA = "remotemedia.metrics/1"


def estimate_nbytes(value: Any) -> int:
    """Approximate payload size of a pipeline item in bytes.

    Arrays count their buffer, containers the sum of their elements, numbers
    8 bytes, strings their UTF-8 length; anything else ``sys.getsizeof``.
    """
    if value is None:
        return 0
    if isinstance(value, np.ndarray):
        return int(value.nbytes)
    if isinstance(value, (bool, int, float, np.generic)):
        return 8
    if isinstance(value, (bytes, bytearray, memoryview)):
        return len(value)
    if isinstance(value, str):
        return len(value.encode("utf-8"))
    if isinstance(value, (list, tuple)):
        return sum(estimate_nbytes(v) for v in value)
    if isinstance(value, dict):
        return sum(estimate_nbytes(k) + estimate_nbytes(v) for k, v in value.items())
    return int(sys.getsizeof(value))


def _percentile(sorted_values: List[int], fraction: float) -> int:
    """Nearest-rank percentile of an ascending list (0 for an empty list)."""
    if not sorted_values:
        return 0
    rank = max(1, int(np.ceil(fraction * len(sorted_values))))
    return int(sorted_values[rank - 1])


class NodeMetrics:
    """Counters of one node during one run."""

    def __init__(self, node_id: str, node_type: str, implementation: str = "python") -> None:
        self.node_id = node_id
        self.node_type = node_type
        self.implementation = implementation
        self.durations_ns: List[int] = []
        self.items_in = 0
        self.items_out = 0
        self.bytes_in = 0
        self.bytes_out = 0
        self.errors = 0
        self.retries = 0
        self.status = "not_run"

    def record_call(self, duration_ns: int) -> None:
        """Count one call (one process/flush step) that took ``duration_ns``."""
        self.durations_ns.append(max(0, int(duration_ns)))
        if self.status == "not_run":
            self.status = "running"

    def record_input(self, item: Any) -> None:
        """Count one item received."""
        self.items_in += 1
        self.bytes_in += estimate_nbytes(item)

    def record_output(self, item: Any) -> None:
        """Count one item emitted."""
        self.items_out += 1
        self.bytes_out += estimate_nbytes(item)

    def to_dict(self) -> Dict[str, Any]:
        """The node's entry in ``node_metrics``."""
        micros = sorted(d // 1000 for d in self.durations_ns)
        total_us = sum(self.durations_ns) // 1000
        calls = len(micros)
        return {
            "node_id": self.node_id,
            "node_type": self.node_type,
            "implementation": self.implementation,
            "status": self.status,
            "calls": calls,
            "total_duration_us": int(total_us),
            "min_duration_us": int(micros[0]) if micros else 0,
            "max_duration_us": int(micros[-1]) if micros else 0,
            "avg_duration_us": float(total_us / calls) if calls else 0.0,
            "p50_duration_us": _percentile(micros, 0.50),
            "p99_duration_us": _percentile(micros, 0.99),
            "items_in": self.items_in,
            "items_out": self.items_out,
            "bytes_in": self.bytes_in,
            "bytes_out": self.bytes_out,
            # The pure-Python executor cannot attribute memory to a node; the
            # native runtime fills this from its host allocator.
            "peak_memory_bytes": None,
            "errors": self.errors,
            "retries": self.retries,
        }


class RunMetrics:
    """Metrics of one pipeline run, filled in by the executor."""

    def __init__(self, pipeline_name: str, runtime: str = "python") -> None:
        self.pipeline_name = pipeline_name
        self.runtime = runtime
        self.nodes: Dict[str, NodeMetrics] = {}
        self.execution_order: List[str] = []
        self._started_ns: Optional[int] = None
        self._finished_ns: Optional[int] = None
        self._started_at: Optional[str] = None
        self._finished_at: Optional[str] = None
        self.status = "running"

    def add_node(self, node_id: str, node_type: str, implementation: str = "python") -> NodeMetrics:
        """Register a node (in pipeline order) and return its counters."""
        metrics = NodeMetrics(node_id, node_type, implementation)
        self.nodes[node_id] = metrics
        return metrics

    def mark_started(self, node_id: str) -> None:
        """Note the first time a node runs, for ``execution_order``."""
        if node_id not in self.execution_order:
            self.execution_order.append(node_id)

    def start(self) -> None:
        """Start the run clock."""
        self._started_ns = time.perf_counter_ns()
        self._started_at = datetime.now(timezone.utc).isoformat()

    def finish(self, failed: bool = False) -> None:
        """Stop the run clock and settle every node's status."""
        self._finished_ns = time.perf_counter_ns()
        self._finished_at = datetime.now(timezone.utc).isoformat()
        self.status = "failed" if failed else "ok"
        for node in self.nodes.values():
            if node.status == "running":
                node.status = "ok"

    def to_dict(self) -> Dict[str, Any]:
        """The metrics document (see docs/python-api.md, "Metrics")."""
        total_ns = 0
        if self._started_ns is not None and self._finished_ns is not None:
            total_ns = self._finished_ns - self._started_ns
        return {
            "schema": METRICS_SCHEMA,
            "pipeline_id": self.pipeline_name,
            "runtime": self.runtime,
            "status": self.status,
            "started_at": self._started_at,
            "finished_at": self._finished_at,
            "total_duration_us": int(total_ns // 1000),
            "execution_order": list(self.execution_order),
            "node_metrics": [n.to_dict() for n in self.nodes.values()],
        }
