"""Per-run metrics: what ``Pipeline.get_metrics()`` returns.

One document for both executors: the pure-Python one builds it here, the
native runtime writes the very same layout (``rm_run_result_metrics_json``,
``rmrun --metrics``). The schema is ``remotemedia.metrics/1``, documented in
docs/metrics.md with a JSON Schema in docs/metrics.schema.json. Times are
microseconds as JSON numbers (nanosecond resolution: three decimals).
"""

from __future__ import annotations

import json
import sys
import time
from datetime import datetime, timezone
from typing import Any, Dict, List, Optional

import numpy as np

from .shared_contract import METRICS_SCHEMA_ID

__all__ = ["METRICS_SCHEMA", "NodeMetrics", "RunMetrics", "estimate_nbytes", "python_class_of", "python_trace"]

#: Identifies the document layout (bumped when a field changes meaning): the
#: ``schema`` constant of docs/metrics.schema.json.
METRICS_SCHEMA = METRICS_SCHEMA_ID


def python_class_of(obj: Any) -> str:
    """``module.QualifiedClass`` of an object (a node), as in the schema's
    ``python_class``."""
    cls = type(obj)
    return f"{cls.__module__}.{cls.__qualname__}"


def _us(ns: float) -> float:
    """Nanoseconds as microseconds, rounded to the nanosecond."""
    return round(ns / 1000.0, 3)


def _iso(ts_us: int) -> str:
    """``2026-11-22T12:34:56.123456Z`` for microseconds since the epoch."""
    moment = datetime.fromtimestamp(ts_us // 1_000_000, tz=timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S") + f".{ts_us % 1_000_000:06d}Z"


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

    def __init__(self, node_id: str, node_type: str, implementation: str = "python",
                 python_class: Optional[str] = None) -> None:
        self.node_id = node_id
        self.node_type = node_type
        self.implementation = implementation
        self.python_class = python_class
        self.durations_ns: List[int] = []
        self.items_in = 0
        self.items_out = 0
        self.bytes_in = 0
        self.bytes_out = 0
        #: Calls whose failure ended the node's work (not retried).
        self.errors = 0
        # Reliability (the executor's reliability.note_reliability adds to
        # these): retried calls, total back-off, timed-out calls, calls the
        # open breaker refused, the breaker's state at the end.
        self.retries = 0
        self.retry_wait_us = 0.0
        self.timeouts = 0
        self.skipped_items = 0
        self.breaker_rejections = 0
        self.circuit_state: Optional[str] = None
        self.status = "not_run"
        #: perf_counter_ns() at the start of the first call / end of the last.
        self.first_start_ns: Optional[int] = None
        self.last_end_ns: Optional[int] = None

    def record_call(self, duration_ns: int) -> None:
        """Count one call (one process/flush step) that took ``duration_ns``
        and has just ended."""
        end = time.perf_counter_ns()
        duration = max(0, int(duration_ns))
        self.durations_ns.append(duration)
        if self.first_start_ns is None:
            self.first_start_ns = end - duration
        self.last_end_ns = end
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

    def to_dict(self, run_start_ns: Optional[int] = None) -> Dict[str, Any]:
        """The node's entry in ``node_metrics``; ``run_start_ns`` (the
        run's perf_counter_ns() origin) places its first start / last end."""
        durations = sorted(self.durations_ns)
        calls = len(durations)
        total_us = _us(sum(durations))
        since = None if run_start_ns is None or self.first_start_ns is None else run_start_ns
        return {
            "node_id": self.node_id,
            "node_type": self.node_type,
            "implementation": self.implementation,
            # Pure Python runs no plugin file.
            "plugin": None,
            "python_class": self.python_class,
            "status": "failed" if self.errors else self.status,
            "calls": calls,
            "total_duration_us": total_us,
            "min_duration_us": _us(durations[0]) if calls else 0.0,
            "max_duration_us": _us(durations[-1]) if calls else 0.0,
            "avg_duration_us": total_us / calls if calls else 0.0,
            "p50_duration_us": _us(_percentile(durations, 0.50)),
            "p99_duration_us": _us(_percentile(durations, 0.99)),
            "first_start_us": None if since is None else _us(max(0, self.first_start_ns - since)),
            "last_end_us": None if since is None else _us(max(0, self.last_end_ns - since)),
            "items_in": self.items_in,
            "items_out": self.items_out,
            "bytes_in": self.bytes_in,
            "bytes_out": self.bytes_out,
            # The pure-Python executor cannot attribute memory to a node; the
            # native runtime fills this from its host allocator.
            "peak_memory_bytes": None,
            # Failed calls, retried ones included (each retry follows one),
            # as the native runtime counts them.
            "errors": self.errors + self.retries,
            "retries": self.retries,
            "circuit_state": (None if self.circuit_state is None
                              else str(self.circuit_state).replace("-", "_")),
            "timeouts": self.timeouts,
            "abandoned_calls": None,
            "workers_replaced": None,
            "skipped_items": self.skipped_items,
            "retry_wait_us": round(float(self.retry_wait_us), 3),
            "breaker_rejections": self.breaker_rejections,
            # Native executor details (input queues, inline calls).
            "queue_high_water": None,
            "inline_calls": None,
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
        self._started_us: Optional[int] = None
        self.status = "running"
        #: The failure that ended the run (see ``set_error``), or ``None``.
        self.error: Optional[Dict[str, Any]] = None

    def add_node(self, node_id: str, node_type: str, implementation: str = "python",
                 python_class: Optional[str] = None) -> NodeMetrics:
        """Register a node (in pipeline order) and return its counters."""
        metrics = NodeMetrics(node_id, node_type, implementation, python_class)
        self.nodes[node_id] = metrics
        return metrics

    def mark_started(self, node_id: str) -> None:
        """Note the first time a node runs, for ``execution_order``."""
        if node_id not in self.execution_order:
            self.execution_order.append(node_id)

    def start(self) -> None:
        """Start the run clock."""
        self._started_ns = time.perf_counter_ns()
        self._started_us = time.time_ns() // 1000

    def set_error(self, error: BaseException) -> None:
        """Record the exception that ended the run (a ``NodeError`` names
        its node and operation)."""
        self.error = {
            "code": "EPYTHON",
            "node_id": getattr(error, "node_id", None),
            "node_type": getattr(error, "node_type", None),
            "operation": getattr(error, "operation", None),
            "message": str(error),
            "transient": getattr(error, "transient", None),
        }

    def finish(self, failed: bool = False) -> None:
        """Stop the run clock and settle every node's status."""
        self._finished_ns = time.perf_counter_ns()
        self.status = "failed" if failed else "ok"
        for node in self.nodes.values():
            if node.status == "running":
                node.status = "ok"

    def to_dict(self) -> Dict[str, Any]:
        """The metrics document (docs/metrics.md)."""
        total_ns = 0
        if self._started_ns is not None and self._finished_ns is not None:
            total_ns = self._finished_ns - self._started_ns
        started_us = self._started_us if self._started_us is not None else time.time_ns() // 1000
        error = self.error
        if self.status == "failed" and error is None:
            failed = next((n for n in self.nodes.values() if n.errors), None)
            error = {"code": None, "node_id": failed.node_id if failed else None,
                     "node_type": failed.node_type if failed else None,
                     "operation": None, "message": None, "transient": None}
        return {
            "schema": METRICS_SCHEMA,
            "pipeline_id": self.pipeline_name,
            "runtime": self.runtime,
            "status": "failed" if self.status == "failed" else "ok",
            "error": error if self.status == "failed" else None,
            "started_at": _iso(started_us),
            "started_at_us": started_us,
            "finished_at": _iso(started_us + total_ns // 1000),
            "total_duration_us": _us(total_ns),
            "detailed": True,
            "execution_order": list(self.execution_order),
            "node_metrics": [n.to_dict(self._started_ns) for n in self.nodes.values()],
        }


def python_trace(metrics: Dict[str, Any]) -> str:
    """A Chrome trace-event document for a pure-Python run, from its metrics:
    one slice per node from its first start to its last end (the pure-Python
    executor interleaves nodes item by item on one thread, so per-call
    slices would overlap; the native runtime's trace has them)."""
    events: List[Dict[str, Any]] = [
        {"ph": "M", "name": "process_name", "pid": 1, "tid": 0,
         "args": {"name": f"remotemedia {metrics.get('pipeline_id', '')} (python)"}},
        {"ph": "M", "name": "thread_name", "pid": 1, "tid": 1, "args": {"name": "python executor"}},
    ]
    for node in metrics.get("node_metrics", []):
        start, end = node.get("first_start_us"), node.get("last_end_us")
        if start is None or end is None:
            continue
        events.append({
            "ph": "X", "pid": 1, "tid": 1, "name": node["node_id"], "cat": node["node_type"],
            "ts": start, "dur": max(0.0, end - start),
            "args": {"calls": node["calls"], "total_duration_us": node["total_duration_us"],
                     "implementation": node["implementation"]},
        })
    return json.dumps({"traceEvents": events, "displayTimeUnit": "ms"})
