"""The remote tests' and benchmarks' pipeline: test_batch's _pipeline()
(read, mono f32, resample to 16 kHz, write) with its resampler on the node
server at an address (tests/python/test_distributed_remote.py,
bench/distributed/remote_channel.py)."""

from __future__ import annotations

import json

from remote_server import remote_node
from test_batch import _pipeline


def remote_manifest(address: str) -> dict:
    """_pipeline() with its resampler on the node server at `address`."""
    manifest = json.loads(_pipeline().serialize())
    nodes = manifest["nodes"]
    resample = next(i for i, n in enumerate(nodes) if n["node_type"] == "AudioResampleNode")
    node = nodes[resample]
    nodes[resample] = remote_node(node["id"], address, "AudioResampleNode", node["params"])
    return manifest
