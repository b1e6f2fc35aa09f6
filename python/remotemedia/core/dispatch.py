"""Which implementation runs each node.

Today every node runs in the pure-Python executor. When the native bridge is
installed, this is the one place that will decide, per node, between a
native plugin and Python (following the node's ``runtime_hint``) and hand
the pipeline's manifest to the native runtime.
"""

from __future__ import annotations

import logging
import warnings
from dataclasses import dataclass, field
from typing import List, Sequence

from .. import native
from .node import Node

__all__ = ["ExecutionPlan", "plan_execution"]

logger = logging.getLogger("remotemedia.dispatch")

_warned_unavailable = False


@dataclass
class ExecutionPlan:
    """The implementation chosen for every node of a run.

    Attributes:
        implementations: ``"python"`` or ``"native"`` per node, pipeline order.
        native_requested: whether the caller asked for native execution.
        reason: why this plan was chosen (for logs and metrics).
    """

    implementations: List[str] = field(default_factory=list)
    native_requested: bool = False
    reason: str = ""

    @property
    def all_python(self) -> bool:
        """Whether every node runs in the pure-Python executor."""
        return all(impl == "python" for impl in self.implementations)


def plan_execution(nodes: Sequence[Node], use_native: bool, explicit: bool) -> ExecutionPlan:
    """Choose the implementation of each node.

    Args:
        nodes: the pipeline's nodes.
        use_native: whether native execution is wanted.
        explicit: whether the caller asked for it explicitly
            (``use_native=True``) rather than by default; only an explicit
            request that cannot be honoured gives a (one-time) warning.
    """
    global _warned_unavailable
    plan = ExecutionPlan(native_requested=use_native)
    if use_native:
        ok, _, error = native.try_load_native_runtime()
        if not ok:
            if explicit and not _warned_unavailable:
                _warned_unavailable = True
                warnings.warn(
                    f"use_native=True but {error}; running the pipeline in pure Python",
                    native.NativeRuntimeWarning,
                    stacklevel=3,
                )
            else:
                logger.info("native runtime unavailable (%s); running in pure Python", error)
            plan.reason = error or "native runtime unavailable"
        else:
            # The native bridge is not wired into the SDK yet: everything still
            # runs in Python until it is.
            plan.reason = "native execution not wired in yet"
    else:
        plan.reason = "native execution not requested"
    plan.implementations = ["python" for _ in nodes]
    return plan
