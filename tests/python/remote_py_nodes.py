"""A Python-only node for the remote tests: the node server imports it
(its PYTHONPATH has this folder) when a client runs it remotely."""

from remotemedia.core.node import Node


class Tripler(Node):
    def process(self, data):
        return data * 3
