"""Reliability of the pure-Python executor: retry with back-off (exact
delays), attempt counts and error context, non-retryable errors, per-call
timeouts, and the circuit breaker — the same policies as the native runtime
(docs/manifest.md, docs/python-api.md "Reliability").

No assertion depends on how fast the machine is: back-off waits are read
from a recording ``asyncio.sleep`` (the fixture ``sleeps``), the breaker
runs on an injected clock, and a "hung" node blocks on an event that is
released only after the run returned (so the run can only have returned
through the timeout)."""

from __future__ import annotations

import asyncio
import threading
import time
from typing import Any, List

import pytest

from remotemedia import ConfigurationError, Node, NodeError, Pipeline, TransientError
from remotemedia.core.exceptions import CircuitOpenError
from remotemedia.core.manifest import build_manifest
from remotemedia.core.reliability import CircuitBreaker, RetryPolicy


@pytest.fixture
def sleeps(monkeypatch: pytest.MonkeyPatch) -> List[float]:
    """The back-off waits the executor asks for, in ms, without waiting."""
    recorded: List[float] = []
    real_sleep = asyncio.sleep

    async def recording_sleep(seconds: float, result: Any = None) -> Any:
        if seconds > 0:
            recorded.append(seconds * 1000.0)
        return await real_sleep(0, result)

    monkeypatch.setattr(asyncio, "sleep", recording_sleep)
    return recorded


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> FakeClock:
    """The circuit breakers' clock (CircuitBreaker's default argument)."""
    fake = FakeClock()
    monkeypatch.setattr(CircuitBreaker.__init__, "__defaults__", (fake,))
    return fake


class Flaky(Node):
    """Fails ``fail_times`` times per item with ``error``, then passes the
    item on; records the start time of every call."""

    def __init__(self, fail_times: int = 0, error: type = TransientError, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.fail_times = fail_times
        self.error = error
        self.failed_here = 0
        self.calls: List[float] = []

    def process(self, data: Any) -> Any:
        self.calls.append(time.monotonic())
        if self.failed_here < self.fail_times:
            self.failed_here += 1
            raise self.error(f"injected failure {self.failed_here}")
        self.failed_here = 0
        return data


def assert_waits(sleeps: List[float], expected: List[float]) -> None:
    assert sleeps == pytest.approx(expected), (sleeps, expected)


def run_python(pipeline: Pipeline, data: Any) -> Any:
    return asyncio.run(pipeline.run(data, use_native=False))


def test_default_backoff_is_100_200_400_ms(sleeps: List[float]) -> None:
    node = Flaky(fail_times=3)
    assert run_python(Pipeline([node]), [7]) == 7
    assert len(node.calls) == 4
    assert_waits(sleeps, [100, 200, 400])


def test_backoff_really_waits() -> None:
    """Without the recording sleep: the waits happen (lower bounds only;
    how much longer they take depends on the machine)."""
    node = Flaky(fail_times=2, retry={"max_retries": 2, "initial_delay_ms": 10, "multiplier": 2})
    assert run_python(Pipeline([node]), [1]) == 1
    gaps = [(b - a) * 1000.0 for a, b in zip(node.calls, node.calls[1:])]
    assert len(gaps) == 2 and gaps[0] >= 9.0 and gaps[1] >= 19.0, gaps


def test_policy_from_node_argument_with_multiplier_and_cap(sleeps: List[float]) -> None:
    node = Flaky(fail_times=4, retry={"max_retries": 4, "initial_delay_ms": 20, "multiplier": 3, "max_delay_ms": 100})
    assert run_python(Pipeline([node]), [1]) == 1
    assert_waits(sleeps, [20, 60, 100, 100])


def test_policy_from_class_attribute(sleeps: List[float]) -> None:
    class Quick(Flaky):
        retry_policy = {"max_retries": 2, "initial_delay_ms": 10, "multiplier": 1}

    node = Quick(fail_times=2)
    assert run_python(Pipeline([node]), [1]) == 1
    assert_waits(sleeps, [10, 10])


def test_jitter_stays_within_its_fraction() -> None:
    policy = RetryPolicy.from_dict({"initial_delay_ms": 100, "jitter": 0.5})
    delays = [policy.delay_ms(1) for _ in range(200)]
    assert all(50.0 <= d <= 100.0 for d in delays)
    assert max(delays) - min(delays) > 10.0
    assert RetryPolicy().delay_ms(3) == 400.0


def test_exhausted_retries_name_node_type_operation_and_attempt(sleeps: List[float]) -> None:
    node = Flaky(fail_times=100, name="asr", retry={"max_retries": 3, "initial_delay_ms": 5})
    with pytest.raises(NodeError) as info:
        run_python(Pipeline([node]), [1, 2])
    error = info.value
    assert error.node_id == "asr_0"
    assert error.node_type == "Flaky"
    assert error.operation == "process"
    assert error.transient is True
    assert (error.attempt, error.max_attempts) == (4, 4)
    assert "injected failure 4" in str(error)
    assert str(error).endswith("(attempt 4 of 4)")
    assert isinstance(error.__cause__, TransientError)
    assert len(node.calls) == 4
    assert_waits(sleeps, [5, 10, 20])


def test_permanent_error_is_not_retried(sleeps: List[float]) -> None:
    node = Flaky(fail_times=100, error=ValueError)
    with pytest.raises(NodeError) as info:
        run_python(Pipeline([node]), [1, 2, 3])
    assert sleeps == []  # no back-off
    assert len(node.calls) == 1
    assert info.value.transient is False
    assert info.value.attempt == 1
    assert "attempt" not in str(info.value)


def test_timeout_and_connection_errors_are_transient() -> None:
    for error in (TimeoutError, ConnectionError):
        node = Flaky(fail_times=1, error=error, retry={"initial_delay_ms": 1})
        assert run_python(Pipeline([node]), [5]) == 5
        assert len(node.calls) == 2


def test_retries_appear_in_metrics() -> None:
    node = Flaky(fail_times=2, retry={"initial_delay_ms": 10})
    pipeline = Pipeline([node], enable_metrics=True)
    run_python(pipeline, [1])
    metrics = node_metrics(pipeline)
    assert metrics["retries"] == 2
    assert metrics["retry_wait_us"] == pytest.approx(30000.0)
    assert metrics["circuit_state"] == "closed"
    assert metrics["timeouts"] == 0 and metrics["breaker_rejections"] == 0


def node_metrics(pipeline: Pipeline) -> dict:
    document = pipeline.get_metrics()
    nodes = document.get("node_metrics") or document.get("nodes")
    if isinstance(nodes, dict):
        return next(iter(nodes.values()))
    return nodes[0]


class Hung(Node):
    """A sync node that blocks until ``release`` is set (the test sets it
    after the run returned: a run that returns before can only have given
    up on the call)."""

    def __init__(self, hang_first_only: bool = False, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.hang_first_only = hang_first_only
        self.release = threading.Event()
        self.calls = 0

    def process(self, data: Any) -> Any:
        self.calls += 1
        if not self.hang_first_only or self.calls == 1:
            self.release.wait(60)
        return data


def test_hung_sync_node_times_out_as_transient() -> None:
    node = Hung(timeout_ms=100, retry={"max_retries": 0})
    try:
        with pytest.raises(NodeError) as info:
            run_python(Pipeline([node]), [1])
        assert not node.release.is_set()  # returned while the call still hangs
    finally:
        node.release.set()
    assert info.value.transient is True
    assert "timed out after 100 ms" in str(info.value)
    assert info.value.node_id == "Hung_0"


def test_timed_out_call_is_retried() -> None:
    node = Hung(hang_first_only=True, timeout_ms=100, retry={"initial_delay_ms": 10})
    try:
        assert run_python(Pipeline([node]), [1, 2]) == [1, 2]
    finally:
        node.release.set()
    assert node.calls == 3


def test_async_node_times_out() -> None:
    class Stuck(Node):
        async def process(self, data: Any) -> Any:
            await asyncio.sleep(5)
            return data

    with pytest.raises(NodeError, match="timed out after 50 ms"):
        run_python(Pipeline([Stuck(timeout_ms=50, retry={"max_retries": 0})]), [1])


def test_breaker_opens_on_5th_failure_then_half_opens_and_closes(clock: FakeClock) -> None:
    node = Flaky(fail_times=6, retry={"max_retries": 0}, breaker={"failure_threshold": 5, "cooldown_ms": 200})
    pipeline = Pipeline([node])
    for _ in range(5):
        with pytest.raises(NodeError) as info:
            run_python(pipeline, [1])
        assert not isinstance(info.value, CircuitOpenError)
    assert len(node.calls) == 5
    # Open: refused without calling the node.
    with pytest.raises(CircuitOpenError) as info:
        run_python(pipeline, [1])
    assert len(node.calls) == 5
    message = str(info.value)
    assert "circuit breaker open for node 'Flaky_0' (Flaky) after 5 consecutive failures" in message
    assert "injected failure 5" in message
    assert info.value.transient is False
    # Cool-down over: one trial (fails: 6th failure) → open again.
    clock.now += 0.25
    with pytest.raises(NodeError) as info:
        run_python(pipeline, [1])
    assert not isinstance(info.value, CircuitOpenError)
    assert len(node.calls) == 6
    with pytest.raises(CircuitOpenError):
        run_python(pipeline, [1])
    # The next trial succeeds → closed; calls go through again.
    clock.now += 0.25
    assert run_python(pipeline, [3]) == 3
    assert len(node.calls) == 7
    # Closed: the next item reaches the node again (and fails, counted anew).
    with pytest.raises(NodeError) as info:
        run_python(pipeline, [4])
    assert not isinstance(info.value, CircuitOpenError)
    assert len(node.calls) == 8


def test_breaker_stops_retries_within_a_run() -> None:
    node = Flaky(fail_times=100, retry={"max_retries": 10, "initial_delay_ms": 1}, breaker={"failure_threshold": 3})
    with pytest.raises(CircuitOpenError):
        run_python(Pipeline([node]), [1])
    assert len(node.calls) == 3


def test_invalid_policies_are_configuration_errors() -> None:
    with pytest.raises(ConfigurationError, match="max_retrys"):
        Flaky(retry={"max_retrys": 2})
    with pytest.raises(ConfigurationError, match="jitter"):
        Flaky(retry={"jitter": 2})
    with pytest.raises(ConfigurationError, match="failure_treshold"):
        Flaky(breaker={"failure_treshold": 2})
    with pytest.raises(ConfigurationError, match="timeout_ms"):
        Flaky(timeout_ms=-1)


def test_policies_go_into_the_manifest_not_the_params() -> None:
    node = Flaky(fail_times=1, retry={"max_retries": 5}, timeout_ms=250, breaker={"failure_threshold": 2})
    entry = build_manifest("p", [node])["nodes"][0]
    assert entry["retry"]["max_retries"] == 5
    assert entry["retry"]["initial_delay_ms"] == 100
    assert entry["timeout_ms"] == 250
    assert entry["breaker"] == {"failure_threshold": 2, "cooldown_ms": 30000}
    assert "retry" not in entry["params"] and "timeout_ms" not in entry["params"]
    plain = build_manifest("p", [Flaky()])["nodes"][0]
    assert "retry" not in plain and "timeout_ms" not in plain and "breaker" not in plain
