"""Which implementation runs each node.

The one place that decides, per node, between a native plugin and Python
(following the node's ``runtime_hint`` and ``use_native``). A pipeline with
at least one native node runs as one native execution (Python nodes inside
it through the runtime's CPython adapter); an all-Python plan runs in the
pure-Python executor.
"""

from __future__ import annotations

import logging
import warnings
from dataclasses import dataclass, field
from typing import List, Sequence

from .. import native
from .node import Node, node_label

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


def plan_execution(nodes: Sequence[Node], use_native: bool, explicit: bool, graph: bool = False) -> ExecutionPlan:
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
            from .native_exec import native_runtime, native_types_for

            try:
                available = native_runtime().types
            except Exception as exc:  # a broken install must not break the SDK
                plan.reason = f"native runtime failed to open: {exc}"
                plan.implementations = ["python" for _ in nodes]
                return plan
            plan.implementations = [
                "native" if native_type else "python" for native_type in native_types_for(nodes, available, graph)
            ]
            _warn_unhonoured_hints(nodes, plan.implementations)
            plan.reason = (
                "native runtime: no node has a native implementation"
                if plan.all_python
                else "native runtime: native plugins where available, Python elsewhere"
            )
            return plan
    else:
        plan.reason = "native execution not requested"
    plan.implementations = ["python" for _ in nodes]
    return plan


_warned_hints: set = set()


def _warn_unhonoured_hints(nodes: Sequence[Node], implementations: Sequence[str]) -> None:
    """A node that asks for ``runtime_hint="native"`` but has no native
    implementation runs in Python: say so once per node type."""
    for node, impl in zip(nodes, implementations):
        name = type(node).__name__
        if node.runtime_hint == "native" and impl == "python" and name not in _warned_hints:
            _warned_hints.add(name)
            from .native_exec import SPLIT_TWINS

            reason = (
                "it runs natively only as the pipeline's last node, fed the inputs or a native node "
                "(its native outputs are split over two ports)"
                if name in SPLIT_TWINS else "no native implementation is installed for it"
            )
            warnings.warn(
                f"{node_label(node)} has runtime_hint='native' but {reason}; it runs in Python",
                native.NativeRuntimeWarning,
                stacklevel=4,
            )
