"""Audio nodes. Audio items are ``(samples, sample_rate)`` tuples, samples a
numpy array shaped ``(channels, frames)`` (1-D = mono), float32 in [-1, 1]
by convention. Every node here can be called directly:
``node.process((samples, rate))`` returns its result."""

from .buffer import AudioBuffer
from .files import AudioFileSink, AudioFileSource
from .format import FormatConverterNode
from .resample import AudioResampleNode
from .segmenter import SpeechSegmenter
from .silero import SileroVADNode
from .transform import AudioTransform
from .vad import VADNode, VoiceActivityDetector

__all__ = [
    "AudioTransform",
    "AudioBuffer",
    "VoiceActivityDetector",
    "VADNode",
    "AudioResampleNode",
    "FormatConverterNode",
    "SpeechSegmenter",
    "SileroVADNode",
    "AudioFileSource",
    "AudioFileSink",
]
