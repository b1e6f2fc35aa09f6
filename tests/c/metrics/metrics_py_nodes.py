"""A Python node the metrics check runs through the CPython adapter."""

from remotemedia.core.node import Node


class Halve(Node):
    def process(self, data):
        return data / 2
