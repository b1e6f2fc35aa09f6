"""Direct calls: ``node.process(data)`` on a built-in node with a native twin
runs the native plugin.

The old SDK's scripts call audio nodes directly and synchronously
(``FormatConverterNode(target_format="i16").process((x, 48000))``). For the
built-in node types listed in :data:`DIRECT_TYPES`, the class's
``process`` is wrapped (at class creation, :func:`install`) so that such a
call goes through a one-node native session held by the node object: the
plugin's state is kept across calls, as the Python implementation keeps
its own. The Python implementation runs instead when

- ``runtime_hint="python"``, or the native runtime (or the twin's plugin)
  is not installed;
- the object is a subclass instance (it may override behaviour);
- the call has extra arguments, or another thread is using the session.

The executors (pure-Python and the native runtime's Python adapter) call
the Python implementation itself (:func:`python_method`): inside a
pipeline the pipeline decides where a node runs.

``node.last_runtime`` says which ran the last direct call: ``"native"`` or
``"python"``.
"""

from __future__ import annotations

import functools
import threading
from typing import Any, Callable, Optional

import numpy as np

__all__ = ["DIRECT_TYPES", "install", "python_method"]

#: Built-in types whose direct calls run natively (module prefix checked).
DIRECT_TYPES = frozenset({"FormatConverterNode", "AudioResampleNode", "VADNode", "MultiplyNode", "AddNode"})

#: Types whose direct call treats its input as one whole clip (the Python
#: implementation resamples each call's clip on its own; in a pipeline the
#: node streams): one session per call, ended after the item.
ONE_SHOT_TYPES = frozenset({"AudioResampleNode"})

_BUILTIN_PREFIX = "remotemedia.nodes."


def python_method(node: Any, operation: str) -> Callable[..., Any]:
    """``getattr(node, operation)``, but a direct-call wrapper's Python
    implementation: what the executors call."""
    method = getattr(node, operation)
    python = getattr(getattr(method, "__func__", None), "__rm_python__", None)
    return python.__get__(node) if python is not None else method


def install(cls: type) -> None:
    """Wrap ``cls.process`` when ``cls`` is one of :data:`DIRECT_TYPES`
    (called from ``Node.__init_subclass__``)."""
    if cls.__name__ not in DIRECT_TYPES or not cls.__module__.startswith(_BUILTIN_PREFIX):
        return
    python = cls.__dict__.get("process")
    if python is None or getattr(python, "__rm_python__", None) is not None:
        return

    @functools.wraps(python)
    def process(self: Any, data: Any = None, *args: Any, **kwargs: Any) -> Any:
        if (args or kwargs or type(self) is not cls or self.runtime_hint == "python"
                or hasattr(data, "__aiter__")):
            self.last_runtime = "python"
            return python(self, data, *args, **kwargs)
        runner = _runner_for(self)
        if runner is None or not runner.lock.acquire(blocking=False):
            self.last_runtime = "python"
            return python(self, data)
        try:
            triple = runner.convert(data)
            if triple is None:  # not something the plugin takes: Python
                self.last_runtime = "python"  # answers (or raises) as always
                return python(self, data)
            ok, result = runner.call(data, triple)
        finally:
            runner.lock.release()
        if not ok:
            # The plugin refused the item or emitted other than one output
            # (an empty clip, a nested list): the direct types are
            # stateless per call, so the Python implementation answers —
            # or raises — exactly as it always did.
            if runner.session is not None and runner.session.status != 0:
                self.__dict__.pop("_rm_direct", None)  # a failed session: a new one next time
            self.last_runtime = "python"
            return python(self, data)
        self.last_runtime = "native"
        return result

    process.__rm_python__ = python  # type: ignore[attr-defined]
    cls.process = process  # type: ignore[attr-defined]


class _DirectRunner:
    """A node's one-node native session (created on its first direct call,
    re-created when its config changes)."""

    def __init__(self, node: Any) -> None:
        from .native_exec import NativeExecution
        from .native_session import NativeSession

        self.execution = NativeExecution(f"{type(node).__name__}-direct", [node], source_first=False)
        if self.execution.implementations != ["native"]:
            raise LookupError("no native twin")
        self.one_shot = type(node).__name__ in ONE_SHOT_TYPES
        self._session_type = NativeSession
        self.session = None if self.one_shot else NativeSession(self.execution)
        self.lock = threading.Lock()

    def convert(self, data: Any) -> Any:
        """The item as the plugin takes it, or ``None`` when the input is
        bad (the Python implementation then reports it, in its words)."""
        try:
            return self.execution.convert_one(data)
        except Exception:
            return None

    def call(self, data: Any, triple: Any) -> "tuple[bool, Any]":
        """``(True, output)``, or ``(False, None)`` when the native call
        failed or did not give exactly one output."""
        execution = self.execution
        session = self._session_type(execution) if self.one_shot else self.session
        try:
            try:
                tagged = session.push_triple(triple)
            except ValueError:
                # The session refused the item (e.g. audio with no
                # channels): nothing ran; Python names the node and the fault.
                return False, None
            if self.one_shot and session.status == 0:
                tagged += session.end()
                while session.status == 0 and not session.finished:
                    tagged += session.step()
            if session.status != 0:
                return False, None
        finally:
            if self.one_shot:
                session.close()
        outputs = execution.session_outputs([data], tagged)
        if len(outputs) != 1:
            return False, None
        return True, _same_array_as_input(data, outputs[0])


def _same_array_as_input(data: Any, out: Any) -> Any:
    """The input's own array object when the plugin returned its memory
    unchanged (same format: "returned as is", as in Python)."""
    if not (type(data) is tuple and type(out) is tuple and len(out) >= 2 and len(data) >= 1):
        return out
    x, y = data[0], out[0]
    if (isinstance(x, np.ndarray) and isinstance(y, np.ndarray) and y is not x and x.dtype == y.dtype
            and x.shape == y.shape and x.strides == y.strides
            and x.__array_interface__["data"][0] == y.__array_interface__["data"][0]):
        same = (x,) + out[1:]
        if len(same) == len(data) and all(a is b or (type(a) is type(b) and a == b)
                                          for a, b in zip(same[1:], data[1:])):
            return data  # returned as is
        return same
    return out


_unavailable = object()


def _runner_for(node: Any) -> Optional[_DirectRunner]:
    runner = node.__dict__.get("_rm_direct")
    if runner is _unavailable:
        return None
    if runner is not None and runner.execution.is_current([node], False):
        return runner
    try:
        from .. import native

        ok, _bridge, _error = native.try_load_native_runtime()
        runner = _DirectRunner(node) if ok else _unavailable
    except Exception:  # no twin installed, a broken install: Python
        runner = _unavailable
    node.__dict__["_rm_direct"] = runner
    return None if runner is _unavailable else runner
