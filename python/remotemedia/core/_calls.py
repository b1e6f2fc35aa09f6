"""Calling user hooks that may be sync, coroutines or (async) generators."""

from __future__ import annotations

import inspect
from typing import Any, AsyncIterator


class CompletedAwaitable:
    """A value that may be awaited or ignored: the result of the base class's
    lifecycle hooks, so both ``node.initialize()`` and
    ``await node.initialize()`` work without a "never awaited" warning."""

    __slots__ = ()

    def __await__(self):  # type: ignore[no-untyped-def]
        return iter(())

    def __repr__(self) -> str:
        return "<completed>"


COMPLETED = CompletedAwaitable()


async def resolve(value: Any) -> Any:
    """Await ``value`` if it is awaitable, else return it as is."""
    if inspect.isawaitable(value):
        return await value
    return value


async def call_hook(hook: Any, *args: Any) -> Any:
    """Call a sync or async hook and return its (awaited) result."""
    value = hook(*args)
    if value is COMPLETED:  # the base class's hooks: nothing to await
        return value
    return await resolve(value)


def is_multi(value: Any) -> bool:
    """Whether a node's return value is a sequence of outputs (a generator or
    async generator) rather than one output."""
    return inspect.isasyncgen(value) or inspect.isgenerator(value)


async def iterate_outputs(value: Any) -> AsyncIterator[Any]:
    """Yield the outputs contained in a node's (awaited) return value.

    ``None`` means nothing; a generator or async generator yields each of its
    non-``None`` items; anything else is one output.
    """
    if value is None:
        return
    if inspect.isasyncgen(value):
        async for item in value:
            if item is not None:
                yield item
    elif inspect.isgenerator(value):
        for item in value:
            if item is not None:
                yield item
    else:
        yield value
