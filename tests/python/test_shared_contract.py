"""One source for what the two executors share (issue 15): the pure-Python
executor takes its retry/timeout/breaker defaults, the metrics schema id and
the breaker state names from the schemas shipped in the package
(remotemedia/schemas/, the files of docs/), and its messages from
core/shared_contract.py. The native runtime keeps C copies; these tests run
both executors on the same failing nodes and check that the defaults and
the messages agree. No assertion depends on timing: back-off totals are the
computed delays both executors record, not measured waits."""

from __future__ import annotations

import asyncio
import os
import re
import time
from importlib import resources
from pathlib import Path
from typing import Any, Dict

import pytest

import remotemedia
from remotemedia import Node, NodeError, Pipeline, TransientError
from remotemedia.core import shared_contract as contract
from remotemedia.core.exceptions import CircuitOpenError
from remotemedia.core.reliability import BreakerPolicy, RetryPolicy
from remotemedia.nodes.simple_math import MultiplyNode

DOCS = Path(__file__).resolve().parents[2] / "docs"

needs_native = pytest.mark.skipif(
    not remotemedia.is_native_runtime_available() and os.environ.get("REMOTEMEDIA_REQUIRE_NATIVE") != "1",
    reason="native runtime not installed (source-tree run)")


@pytest.mark.parametrize("name", ["manifest", "metrics"])
def test_the_package_ships_the_docs_schemas(name: str) -> None:
    shipped = resources.files("remotemedia").joinpath("schemas", f"{name}.schema.json").read_text(encoding="utf-8")
    assert shipped == (DOCS / f"{name}.schema.json").read_text(encoding="utf-8")


def test_python_defaults_are_the_schema_defaults() -> None:
    retry = contract.load_schema("manifest")["$defs"]["retry"]["properties"]
    assert RetryPolicy().to_dict() == {k: v["default"] for k, v in retry.items()}
    breaker = contract.load_schema("manifest")["$defs"]["breaker"]["properties"]
    assert BreakerPolicy().to_dict() == {k: v["default"] for k, v in breaker.items()}
    assert Node.timeout_ms == 0 == contract.TIMEOUT_MS_DEFAULT
    assert contract.BREAKER_STATES == ("closed", "open", "half_open")


def _pattern(template: str) -> "re.Pattern[str]":
    """A template's text with every {field} as a wildcard (the SDK wraps a
    native message: the node and call before it, the status code after)."""
    parts = re.split(r"\{[a-z_]+(?::g)?\}", template)
    return re.compile("(.+?)".join(re.escape(p) for p in parts), re.S)


class Busy(Node):
    def process(self, data: Any) -> Any:
        raise TransientError("backend busy")


class Boom(Node):
    def process(self, data: Any) -> Any:
        raise ValueError("cannot handle it")


class Sleepy(Node):
    def process(self, data: Any) -> Any:
        time.sleep(2.0)
        return data


def _fail(pipeline: Pipeline, use_native: bool) -> NodeError:
    with pytest.raises(NodeError) as info:
        asyncio.run(pipeline.run([1], use_native=use_native))
    return info.value


def _node_metrics(pipeline: Pipeline, node_id: str) -> Dict[str, Any]:
    return next(n for n in pipeline.get_metrics()["node_metrics"] if n["node_id"] == node_id)


@needs_native
@pytest.mark.parametrize("use_native", [True, False])
def test_default_retry_policy_is_the_same_in_both_executors(use_native: bool) -> None:
    # 3 retries after 100, 200, 400 ms: the schema's defaults
    pipeline = Pipeline([MultiplyNode(factor=1), Busy(name="busy")], enable_metrics=True)
    error = _fail(pipeline, use_native)
    defaults = contract.RETRY_DEFAULTS
    attempts = defaults["max_retries"] + 1
    assert (error.attempt, error.max_attempts) == (attempts, attempts)
    assert contract.ATTEMPT_SUFFIX.format(attempt=attempts, max_attempts=attempts) in str(error), str(error)
    waited_ms = sum(defaults["initial_delay_ms"] * defaults["multiplier"] ** k for k in range(attempts - 1))
    node = _node_metrics(pipeline, "busy_1")
    assert node["retries"] == defaults["max_retries"]
    assert node["retry_wait_us"] == pytest.approx(waited_ms * 1000)
    assert pipeline.get_metrics()["schema"] == contract.METRICS_SCHEMA_ID


@needs_native
def test_breaker_messages_read_the_same_in_both_executors() -> None:
    def broken() -> Pipeline:
        return Pipeline([MultiplyNode(factor=1), Boom(name="boom", retry={"max_retries": 0},
                                                      breaker={"failure_threshold": 2, "cooldown_ms": 60000})],
                        enable_metrics=True)
    fields = {}
    for use_native in (True, False):
        pipeline = broken()
        for _ in range(2):
            assert not isinstance(_fail(pipeline, use_native), CircuitOpenError)
        refused = _fail(pipeline, use_native)
        assert isinstance(refused, CircuitOpenError)
        match = _pattern(contract.BREAKER_OPEN_MESSAGE).search(str(refused))
        assert match, (use_native, str(refused))
        node_id, node_type, failures, _, wait_ms = match.groups()
        assert 0 < int(wait_ms) <= 60000
        fields[use_native] = (node_id, node_type, failures)
        assert _node_metrics(pipeline, "boom_1")["circuit_state"] == contract.BREAKER_STATES[1]
    assert fields[True] == fields[False] == ("boom_1", "Boom", "2")


@needs_native
@pytest.mark.parametrize("use_native", [True, False])
def test_timeout_message_reads_the_same_in_both_executors(use_native: bool) -> None:
    pipeline = Pipeline([MultiplyNode(factor=1), Sleepy(name="slow", timeout_ms=50, retry={"max_retries": 0})])
    error = _fail(pipeline, use_native)
    assert error.transient is True
    assert contract.TIMEOUT_MESSAGE.format(timeout_ms=50) in str(error), str(error)
