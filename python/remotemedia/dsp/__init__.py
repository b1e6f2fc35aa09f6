"""Numpy reference implementations of the audio algorithms.

Pure functions on arrays shaped ``(channels, frames)``; the nodes in
:mod:`remotemedia.nodes.audio` wrap them. The native plugins implement the
same algorithms, and these functions are what their results are checked
against.
"""
