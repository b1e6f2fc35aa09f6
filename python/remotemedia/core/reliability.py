"""Retry with back-off, per-call timeouts and a circuit breaker for the
pure-Python executor — the same policies, defaults and messages as the
native runtime (docs/manifest.md, "retry and timeout", "Circuit breaker").
The defaults and the breaker state names come from the shipped schemas
(core/shared_contract.py), as the native runtime's are checked against.

A node's policies come from ``Node(retry={...}, timeout_ms=..., breaker={...})``
or from class attributes ``retry_policy`` / ``timeout_ms`` / ``breaker_policy``
(dicts with the manifest's keys). The breaker lives on the node object, so
like the native one (per compiled pipeline) it spans runs.
"""

from __future__ import annotations

import asyncio
import inspect
import random
import threading
import time
from dataclasses import dataclass
from typing import Any, Awaitable, Callable, Dict, Mapping, Optional

from .exceptions import CircuitOpenError, ConfigurationError
from .node import node_label
from .shared_contract import (BREAKER_DEFAULTS, BREAKER_HALF_OPEN_MESSAGE, BREAKER_OPEN_MESSAGE, BREAKER_STATES,
                              RETRY_DEFAULTS, TIMEOUT_MESSAGE)

__all__ = [
    "RetryPolicy",
    "BreakerPolicy",
    "CircuitBreaker",
    "retry_policy_of",
    "breaker_of",
    "timeout_ms_of",
    "call_with_timeout",
    "note_reliability",
    "BREAKER_CLOSED",
    "BREAKER_OPEN",
    "BREAKER_HALF_OPEN",
]

BREAKER_CLOSED, BREAKER_OPEN, BREAKER_HALF_OPEN = BREAKER_STATES  # "closed", "open", "half_open"


def _check_keys(what: str, given: Mapping[str, Any], valid: tuple) -> None:
    unknown = sorted(set(given) - set(valid))
    if unknown:
        raise ConfigurationError(
            f"{what}: unknown field(s) {', '.join(map(repr, unknown))}; valid: {', '.join(valid)}"
        )


def _number(what: str, value: Any, low: float, high: float, integer: bool) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or (integer and value != int(value)):
        raise ConfigurationError(f"{what}: expected {'an integer' if integer else 'a number'}, got {value!r}")
    if not low <= value <= high:
        raise ConfigurationError(f"{what}: {value} is out of range: must be in [{low:g}, {high:g}]")
    return value


@dataclass(frozen=True)
class RetryPolicy:
    """When and how often a transient failure is retried.

    The delay before retry *n* (1-based) is ``initial_delay_ms *
    multiplier**(n-1)``, capped at ``max_delay_ms`` (0 = no cap); with
    ``jitter`` *j* a delay *d* becomes uniform in ``[d*(1-j), d]``. Defaults:
    3 retries after 100, 200 and 400 ms.
    """

    max_retries: int = RETRY_DEFAULTS["max_retries"]
    initial_delay_ms: float = RETRY_DEFAULTS["initial_delay_ms"]
    multiplier: float = RETRY_DEFAULTS["multiplier"]
    max_delay_ms: float = RETRY_DEFAULTS["max_delay_ms"]
    jitter: float = float(RETRY_DEFAULTS["jitter"])

    FIELDS = tuple(RETRY_DEFAULTS)

    @classmethod
    def from_dict(cls, value: Optional[Mapping[str, Any]], what: str = "retry") -> "RetryPolicy":
        """A policy from the manifest's ``retry`` object (``None`` = defaults)."""
        if value is None:
            return cls()
        if isinstance(value, RetryPolicy):
            return value
        if not isinstance(value, Mapping):
            raise ConfigurationError(f"{what}: expected a retry policy dict, got {value!r}")
        _check_keys(what, value, cls.FIELDS)
        u32 = float(2**32 - 1)
        d = {**cls().to_dict(), **value}
        return cls(
            max_retries=int(_number(f"{what}.max_retries", d["max_retries"], 0, u32, True)),
            initial_delay_ms=_number(f"{what}.initial_delay_ms", d["initial_delay_ms"], 0, u32, True),
            multiplier=_number(f"{what}.multiplier", d["multiplier"], 1, 1000, False),
            max_delay_ms=_number(f"{what}.max_delay_ms", d["max_delay_ms"], 0, u32, True),
            jitter=_number(f"{what}.jitter", d["jitter"], 0, 1, False),
        )

    def to_dict(self) -> Dict[str, Any]:
        """The manifest's ``retry`` object."""
        return {
            "max_retries": self.max_retries,
            "initial_delay_ms": self.initial_delay_ms,
            "multiplier": self.multiplier,
            "max_delay_ms": self.max_delay_ms,
            "jitter": self.jitter,
        }

    def delay_ms(self, attempt: int, rng: Optional[random.Random] = None) -> float:
        """The back-off after failed attempt ``attempt`` (1-based), in ms."""
        delay = float(self.initial_delay_ms) * self.multiplier ** (attempt - 1)
        if self.max_delay_ms and delay > self.max_delay_ms:
            delay = float(self.max_delay_ms)
        if self.jitter > 0:
            delay -= delay * self.jitter * (rng or random).random()
        return delay


@dataclass(frozen=True)
class BreakerPolicy:
    """``failure_threshold`` consecutive failed calls open the breaker
    (0 = no breaker); after ``cooldown_ms`` one trial call is let through."""

    failure_threshold: int = BREAKER_DEFAULTS["failure_threshold"]
    cooldown_ms: float = BREAKER_DEFAULTS["cooldown_ms"]

    FIELDS = tuple(BREAKER_DEFAULTS)

    @classmethod
    def from_dict(cls, value: Optional[Mapping[str, Any]], what: str = "breaker") -> "BreakerPolicy":
        """A policy from the manifest's ``breaker`` object (``None`` = defaults)."""
        if value is None:
            return cls()
        if isinstance(value, BreakerPolicy):
            return value
        if not isinstance(value, Mapping):
            raise ConfigurationError(f"{what}: expected a breaker dict, got {value!r}")
        _check_keys(what, value, cls.FIELDS)
        u32 = float(2**32 - 1)
        d = {**cls().to_dict(), **value}
        return cls(
            failure_threshold=int(_number(f"{what}.failure_threshold", d["failure_threshold"], 0, u32, True)),
            cooldown_ms=_number(f"{what}.cooldown_ms", d["cooldown_ms"], 0, u32, True),
        )

    def to_dict(self) -> Dict[str, Any]:
        """The manifest's ``breaker`` object."""
        return {"failure_threshold": self.failure_threshold, "cooldown_ms": self.cooldown_ms}


class CircuitBreaker:
    """One node's breaker: closed → open after ``failure_threshold``
    consecutive failures → half-open (one trial) after ``cooldown_ms`` →
    closed on the trial's success, open again on its failure."""

    def __init__(self, policy: BreakerPolicy, clock: Callable[[], float] = time.monotonic) -> None:
        self.policy = policy
        self.state = BREAKER_CLOSED
        self.failures = 0
        self.last_error: Optional[str] = None
        self.rejections = 0
        self._opened_at = 0.0
        self._clock = clock

    def admit(self, node_id: str, node_type: str) -> None:
        """Let a call through, or raise :class:`CircuitOpenError`."""
        if self.state == BREAKER_CLOSED:
            return
        now = self._clock()
        cooldown_s = self.policy.cooldown_ms / 1000.0
        if self.state == BREAKER_OPEN and now - self._opened_at >= cooldown_s:
            self.state = BREAKER_HALF_OPEN  # this call is the trial
            return
        self.rejections += 1
        if self.state == BREAKER_OPEN:
            wait_ms = max(0, int((self._opened_at + cooldown_s - now) * 1000))
            message = BREAKER_OPEN_MESSAGE.format(node_id=node_id, node_type=node_type, failures=self.failures,
                                                  last_error=self.last_error, wait_ms=wait_ms)
        else:
            message = BREAKER_HALF_OPEN_MESSAGE.format(node_id=node_id, node_type=node_type,
                                                       failures=self.failures, last_error=self.last_error)
        raise CircuitOpenError(message, node_id=node_id, node_type=node_type, operation="process")

    def record(self, ok: bool, message: Optional[str] = None) -> None:
        """The outcome of an admitted call."""
        if ok:
            self.failures = 0
            self.state = BREAKER_CLOSED
            return
        if not self.policy.failure_threshold:
            return
        self.failures += 1
        self.last_error = message
        if self.state == BREAKER_HALF_OPEN or (
            self.state == BREAKER_CLOSED and self.failures >= self.policy.failure_threshold
        ):
            self.state = BREAKER_OPEN
            self._opened_at = self._clock()


def retry_policy_of(node: Any) -> RetryPolicy:
    """The node's retry policy (``Node(retry=...)`` or ``retry_policy``)."""
    policy = getattr(node, "retry_policy", None)
    if isinstance(policy, RetryPolicy):
        return policy
    return RetryPolicy.from_dict(policy, f"{node_label(node)}: retry")


def timeout_ms_of(node: Any) -> float:
    """The node's per-call timeout in ms (0 = none)."""
    value = getattr(node, "timeout_ms", 0) or 0
    return float(_number(f"{node_label(node)}: timeout_ms", value, 0, float(2**32 - 1), True))


#: The values of a node's ``on_error`` (the manifest's node-level field).
ON_ERROR_VALUES = ("fail", "skip")


def check_on_error(value: Any, what: str) -> str:
    """``value`` if it is a valid ``on_error``, else ConfigurationError."""
    if value not in ON_ERROR_VALUES:
        from .exceptions import ConfigurationError

        raise ConfigurationError(f'{what}: on_error must be one of "fail", "skip"; got {value!r}')
    return value


def on_error_of(node: Any) -> str:
    """What a process call that still fails after its retries does:
    ``"fail"`` (the run fails, the default) or ``"skip"`` (the item is
    dropped and counted in ``skipped_items``; the stream goes on)."""
    return check_on_error(getattr(node, "on_error", "fail") or "fail", node_label(node))


def breaker_of(node: Any) -> CircuitBreaker:
    """The node's breaker, made on first use and kept on the node (so it
    spans runs)."""
    breaker = getattr(node, "_rm_breaker", None)
    if breaker is None:
        policy = BreakerPolicy.from_dict(getattr(node, "breaker_policy", None), f"{node_label(node)}: breaker")
        breaker = CircuitBreaker(policy)
        try:
            node._rm_breaker = breaker
        except AttributeError:  # __slots__ nodes: a breaker per run only
            pass
    return breaker


def _in_daemon_thread(method: Callable[..., Any], args: tuple) -> "asyncio.Future[Any]":
    """Run ``method(*args)`` on its own daemon thread: a stuck call must
    not hold up the loop's shutdown (the default executor is joined by
    ``asyncio.run``) nor the interpreter's exit."""
    loop = asyncio.get_running_loop()
    future: "asyncio.Future[Any]" = loop.create_future()

    def deliver(ok: bool, value: Any) -> None:
        if future.done():  # timed out meanwhile: the result is discarded
            return
        if ok:
            future.set_result(value)
        else:
            future.set_exception(value)

    def work() -> None:
        try:
            outcome = (True, method(*args))
        except BaseException as exc:  # handed to the awaiting task
            outcome = (False, exc)
        try:
            loop.call_soon_threadsafe(deliver, *outcome)
        except RuntimeError:  # the loop is gone: nobody waits any more
            pass

    threading.Thread(target=work, name="remotemedia-timed-call", daemon=True).start()
    return future


async def call_with_timeout(method: Callable[..., Any], args: tuple, timeout_ms: float,
                            resolve: Callable[[Any], Awaitable[Any]]) -> Any:
    """``resolve(method(*args))`` limited to ``timeout_ms`` (0 = none).

    A plain (sync) method runs in a thread so it can be timed out; like the
    native runtime, a timed-out call cannot be killed: it finishes in the
    background and its result is discarded. Raises :class:`TimeoutError`.
    """
    if not timeout_ms:
        return await resolve(method(*args))
    seconds = timeout_ms / 1000.0
    if inspect.iscoroutinefunction(method):
        coroutine = resolve(method(*args))
    else:
        future = _in_daemon_thread(method, args)

        async def _sync() -> Any:
            return await resolve(await future)

        coroutine = _sync()
    try:
        return await asyncio.wait_for(coroutine, seconds)
    except asyncio.TimeoutError:
        raise TimeoutError(TIMEOUT_MESSAGE.format(timeout_ms=timeout_ms)) from None


def note_reliability(metrics: Any, breaker: CircuitBreaker, *, retries: int = 0, retry_wait_ms: float = 0.0,
                     timeouts: int = 0, rejections: int = 0) -> None:
    """Add to a node's run metrics (``NodeMetrics``; ``None`` = not
    recorded): ``retries``, ``retry_wait_us``, ``timeouts``,
    ``breaker_rejections`` and the breaker's ``circuit_state``."""
    if metrics is None:
        return
    metrics.retries = getattr(metrics, "retries", 0) + retries
    metrics.retry_wait_us = getattr(metrics, "retry_wait_us", 0.0) + retry_wait_ms * 1000.0
    metrics.timeouts = getattr(metrics, "timeouts", 0) + timeouts
    metrics.breaker_rejections = getattr(metrics, "breaker_rejections", 0) + rejections
    metrics.circuit_state = breaker.state
