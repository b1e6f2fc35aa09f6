"""Built-in nodes. Submodules are imported on use, except these light ones."""

from .audio import (
    AudioBuffer,
    AudioFileSink,
    AudioFileSource,
    AudioResampleNode,
    AudioTransform,
    FormatConverterNode,
    SileroVADNode,
    SpeechSegmenter,
    VADNode,
    VoiceActivityDetector,
)
from .base import PassThroughNode
from .native import NativeNode
from .simple_math import AddNode, MultiplyNode
from .source import AudioTrackSource, MediaReaderNode

__all__ = [
    "PassThroughNode",
    "MultiplyNode",
    "AddNode",
    "AudioTransform",
    "AudioBuffer",
    "VoiceActivityDetector",
    "VADNode",
    "AudioResampleNode",
    "FormatConverterNode",
    "SpeechSegmenter",
    "SileroVADNode",
    "NativeNode",
    "AudioFileSource",
    "AudioFileSink",
    "MediaReaderNode",
    "AudioTrackSource",
]
