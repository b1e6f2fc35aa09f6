"""``on_error`` per node (#21.8): ``"fail"`` (default) ends the run on an
item whose call still fails after its retries; ``"skip"`` drops that item,
counts it in the metrics' ``skipped_items`` and goes on — the same in the
pure-Python executor and the native runtime (a Python node run by the
CPython adapter)."""

from __future__ import annotations

import asyncio
from typing import Any, List

import pytest

from remotemedia import ConfigurationError, Node, NodeError, Pipeline, TransientError
from remotemedia.core.manifest import build_manifest


class FailsOn(Node):
    """Fails every call for the items in ``bad`` (transiently: retried
    first), passes the others on."""

    def __init__(self, bad: List[int] = (), **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.bad = set(bad)

    def process(self, data: Any) -> Any:
        if data in self.bad:
            raise TransientError(f"item {data} keeps failing")
        return data


def node_metrics(pipeline: Pipeline) -> dict:
    nodes = pipeline.get_metrics()["node_metrics"]
    return nodes[0]


@pytest.mark.parametrize("native", [False, True])
def test_skip_drops_the_failing_items_and_goes_on(native: bool) -> None:
    node = FailsOn(bad=[2, 5], on_error="skip", retry={"max_retries": 2, "initial_delay_ms": 0})
    pipeline = Pipeline([node], enable_metrics=True)
    out = asyncio.run(pipeline.run(list(range(8)), use_native=native))
    assert out == [0, 1, 3, 4, 6, 7]
    metrics = node_metrics(pipeline)
    assert metrics["skipped_items"] == 2
    assert metrics["retries"] == 4  # 2 retries for each of the 2 items


@pytest.mark.parametrize("native", [False, True])
def test_fail_is_the_default_and_ends_the_run(native: bool) -> None:
    node = FailsOn(bad=[2], retry={"max_retries": 1, "initial_delay_ms": 0})
    with pytest.raises(NodeError, match="item 2 keeps failing"):
        asyncio.run(Pipeline([node]).run(list(range(8)), use_native=native))


def test_on_error_is_validated_and_goes_into_the_manifest() -> None:
    with pytest.raises(ConfigurationError, match='on_error must be one of "fail", "skip"; got \'ignore\''):
        FailsOn(on_error="ignore")
    entry = build_manifest("p", [FailsOn(on_error="skip")])["nodes"][0]
    assert entry["on_error"] == "skip"
    assert "on_error" not in entry["params"]
    # The default is not written: older runtimes read the manifest too.
    assert "on_error" not in build_manifest("p", [FailsOn()])["nodes"][0]


def test_manifest_on_error_reaches_the_node() -> None:
    manifest = build_manifest("p", [FailsOn(bad=[1], on_error="skip")])
    manifest["nodes"][0]["params"] = {"bad": [1]}
    loaded = Pipeline.from_manifest(manifest)
    assert loaded.nodes[0].on_error == "skip"
