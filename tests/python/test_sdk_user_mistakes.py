"""A data scientist's mistakes with the SDK (QA, second day): each error
names what the user did wrong, in the user's terms, not the SDK's insides.

Runs on the native runtime when it is installed (`make test` requires it);
the pure-Python cases run everywhere.
"""

import asyncio
import os

import pytest

import remotemedia
from remotemedia import Node, NodeError, Pipeline
from remotemedia.nodes.simple_math import MultiplyNode

NATIVE = remotemedia.is_native_runtime_available()
if not NATIVE and os.environ.get("REMOTEMEDIA_REQUIRE_NATIVE") == "1":
    raise RuntimeError("REMOTEMEDIA_REQUIRE_NATIVE=1 but the native runtime does not load")
needs_native = pytest.mark.skipif(not NATIVE, reason="native runtime not installed (source-tree run)")


class Boom(Node):
    def process(self, data):
        raise RuntimeError(f"user code failed on {data}")


class StreamBoom(Node):
    is_streaming = True

    async def process(self, stream):
        async for item in stream:
            raise ValueError(f"stream failed on {item}")
            yield item


@needs_native
@pytest.mark.parametrize("node", [Boom(), StreamBoom()], ids=["plain", "streaming"])
def test_python_node_traceback_starts_at_user_code(node):
    """The traceback in a Python node's NodeError (native run) shows the
    user's frames and the exception, not the adapter's own frames."""
    with pytest.raises(NodeError) as info:
        asyncio.run(Pipeline([node, MultiplyNode(factor=2)]).run([7]))
    text = str(info.value)
    assert "failed on 7" in text
    assert "Traceback" in text and __file__ in text
    assert "native_runner.py" not in text, text
    assert "_calls.py" not in text, text


class NoSuperInit(Node):
    """A user node whose __init__ forgets super().__init__()."""

    def __init__(self, gain=2):
        self.gain = gain

    def process(self, data):
        return data * self.gain


def test_node_without_super_init_is_named_when_added():
    with pytest.raises(remotemedia.PipelineError, match=r"NoSuperInit.*super\(\)\.__init__\(\)"):
        Pipeline([NoSuperInit()])
    with pytest.raises(remotemedia.PipelineError, match=r"NoSuperInit.*super\(\)\.__init__\(\)"):
        Pipeline().add_node(NoSuperInit())
