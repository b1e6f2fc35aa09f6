"""Python node classes the CPython adapter tests run inside native pipelines."""

import asyncio

import numpy as np

from remotemedia.core.exceptions import TransientError
from remotemedia.core.node import Node


class Square(Node):
    """Sync process on numbers or lists."""

    def process(self, data):
        if isinstance(data, list):
            return [x * x for x in data]
        return data * data


class AsyncScale(Node):
    """Coroutine process with a config param."""

    def __init__(self, factor=1, **kwargs):
        super().__init__(factor=factor, **kwargs)
        self.factor = factor

    async def process(self, data):
        await asyncio.sleep(0)
        return data * self.factor


class Echo(Node):
    """Returns its input untouched (audio stays the same buffer)."""

    def process(self, data):
        return data


class AudioInfo(Node):
    """Describes the audio it receives: proves numpy sees the native buffer."""

    def process(self, data):
        samples, rate = data
        return {
            "shape": list(samples.shape),
            "dtype": str(samples.dtype),
            "rate": rate,
            "sum": float(np.asarray(samples, dtype=np.float64).sum()),
            "writable": bool(samples.flags.writeable),
        }


class Counter(Node):
    """A source: process() with no input yields 0..count-1."""

    def __init__(self, count=5, **kwargs):
        super().__init__(count=count, **kwargs)
        self.count = count

    async def process(self):
        for i in range(self.count):
            yield i


class RunningSum(Node):
    """A streaming node: one async iterator in, running sums out, a tail at
    the end (the total, as a dict)."""

    is_streaming = True

    async def process(self, stream):
        total = 0
        async for value in stream:
            total += value
            yield total
        yield {"total": total}


class Pairs(Node):
    """Emits Python objects that are not JSON (tuples): passed untouched."""

    def process(self, data):
        return (data, "tag")


class Unpair(Node):
    def process(self, data):
        assert isinstance(data, tuple), f"expected the tuple object, got {type(data).__name__}"
        return data[0]


class WithFlush(Node):
    """Buffers everything and emits the list at flush."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.seen = []

    def process(self, data):
        self.seen.append(data)

    async def flush(self):
        return list(self.seen)


class Boom(Node):
    def process(self, data):
        raise ValueError(f"cannot handle {data!r}")


class Flaky(Node):
    def process(self, data):
        raise TransientError("backend busy")


class Slow(Node):
    """Sleeps in Python (releasing the GIL, like real I/O)."""

    def process(self, data):
        import time

        time.sleep(0.002)
        return data
