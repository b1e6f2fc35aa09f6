#!/usr/bin/env python3
"""Per-node metrics of a run (enable_metrics=True)."""

import asyncio
import json

import numpy as np

from remotemedia import Pipeline
from remotemedia.nodes.audio import AudioResampleNode, FormatConverterNode


async def main() -> None:
    chunks = [(np.zeros((2, 4800), dtype=np.float32), 48000) for _ in range(20)]
    pipeline = Pipeline([AudioResampleNode(target_sample_rate=16000), FormatConverterNode(target_format="i16")],
                        name="metrics_demo", enable_metrics=True)
    await pipeline.run(chunks)
    metrics = pipeline.get_metrics()
    print("total_duration_us:", metrics["total_duration_us"])
    print("execution_order:", metrics["execution_order"])
    for node in metrics["node_metrics"]:
        print(f"{node['node_id']}: {node['implementation']} calls={node['calls']} "
              f"items {node['items_in']}->{node['items_out']} bytes {node['bytes_in']}->{node['bytes_out']} "
              f"p50={node['p50_duration_us']}us status={node['status']}")
    print("keys:", json.dumps(sorted(metrics["node_metrics"][0])))


if __name__ == "__main__":
    asyncio.run(main())
