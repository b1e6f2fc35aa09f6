#!/usr/bin/env python3
"""Audio nodes on a generated signal: resample, convert format, detect speech."""

import asyncio

import numpy as np

from remotemedia import Pipeline
from remotemedia.nodes.audio import (AudioResampleNode, FormatConverterNode, SpeechSegmenter, VADNode,
                                     VoiceActivityDetector)

RATE = 48000


def voiced(seconds: float, f0: float = 150.0) -> np.ndarray:
    """A crude vowel: harmonics of f0 shaped by two formants."""
    t = np.arange(int(RATE * seconds)) / RATE
    x = sum((1 / (1 + ((k * f0 - 700) / 150) ** 2) + 1 / (1 + ((k * f0 - 1800) / 200) ** 2))
            * np.sin(2 * np.pi * k * f0 * t) for k in range(1, 40))
    return 0.3 * x / np.abs(x).max()


def signal() -> np.ndarray:
    rng = np.random.default_rng(7)
    quiet = lambda s: rng.normal(0, 0.002, int(RATE * s))  # noqa: E731
    return np.concatenate([quiet(1.0), voiced(1.0), quiet(1.0)]).astype(np.float32)


async def main() -> None:
    audio = signal()
    # Audio nodes return (channels, frames): the 1-D mono input comes back shaped (1, N).
    resampled, rate = AudioResampleNode(target_sample_rate=16000, quality="high").process((audio, RATE))
    print(f"resampled: {audio.shape[0]} frames @ {RATE} Hz -> {resampled.shape[1]} frames @ {rate} Hz")

    ints, _ = FormatConverterNode(target_format="i16").process((resampled, rate))
    print(f"format: {ints.dtype}, shape {ints.shape}, peak {int(np.abs(ints).max())}")

    _, _, info = VADNode(frame_duration_ms=30, energy_threshold=0.02).process((resampled, rate))
    print(f"VADNode: speech frames {info['speech_frames']} of {info['total_frames']}")

    chunks = [(resampled[:, i:i + 8000], rate) for i in range(0, resampled.shape[1], 8000)]
    detector = Pipeline([VoiceActivityDetector(filter_mode=False)])
    flags = [meta["is_speech"] for _, meta in await detector.run(chunks)]
    print("VoiceActivityDetector per 0.5 s chunk:", flags)

    clip = SpeechSegmenter().process((resampled, rate))  # direct call: one clip, one result
    print("SpeechSegmenter segments:", [(round(a, 2), round(b, 2)) for a, b in clip["segments"]])

    # In a pipeline it streams: one dict per chunk, then a final one with every segment.
    outputs = await Pipeline([AudioResampleNode(target_sample_rate=16000), SpeechSegmenter()]).run(
        [(audio[i:i + 4800], RATE) for i in range(0, len(audio), 4800)])
    print(f"streamed: {len(outputs)} outputs, final segments:",
          [(round(a, 2), round(b, 2)) for a, b in outputs[-1]["segments"]])


if __name__ == "__main__":
    asyncio.run(main())
