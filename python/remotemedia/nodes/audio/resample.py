"""AudioResampleNode: sample-rate conversion."""

from __future__ import annotations

from typing import Any, AsyncIterator, List, Optional, Tuple

import numpy as np

from ...core.node import Node
from ...dsp.resample import StreamingResampler, normalize_quality, resample
from .._params import check_params
from ._common import rewrap
from ...core.audio_input import parse_audio, to_float

__all__ = ["AudioResampleNode"]


class AudioResampleNode(Node):
    """Resamples ``(samples, rate)`` audio to ``target_sample_rate``.

    Called directly, ``process((samples, rate))`` resamples that one clip:
    exactly ``ceil(frames * target / rate)`` frames per channel, shaped
    ``(channels, frames)`` (a 1-D input comes back ``(1, N)``, as from the
    original SDK and the native plugin), float64 for float64 input, else
    float32 (integer input is scaled to [-1, 1] first). Audio already at the
    target rate is returned with its samples unchanged (also as
    ``(channels, frames)``); audio with no frames gives no output (``None``),
    as the native plugin emits nothing for it.

    In a pipeline the node receives the stream (``is_streaming``) and, like
    the native plugin, carries the filter state across chunks: one output
    item per input item, one item late (the output of item k leaves when
    item k+1 arrives; the last with the filter's tail at end of stream).
    So a one-item run gives one item of exactly ``ceil(frames * to / from)``
    frames, and a chunked stream gives, in total, exactly the frames and
    samples of resampling the whole at once, with no seams at chunk
    boundaries. A change of rate, channel count or dtype ends the current
    segment (its tail comes out first).

    Args:
        target_sample_rate: the output rate in Hz.
        quality: ``"low"``, ``"medium"``, ``"high"`` or ``"very_high"``
            (also soxr's ``LQ``/``MQ``/``HQ``/``VHQ``): selects the filter;
            see :mod:`remotemedia.dsp.resample` for the measured quality.
        runtime_hint: ``"auto"``, ``"native"`` or ``"python"``.
        name: the node's name.
    """

    native_twin = "AudioResampleNode"

    def __init__(self, target_sample_rate: int = 16000, quality: str = "high", runtime_hint: str = "auto",
                 name: Optional[str] = None, **params: Any) -> None:
        try:  # soxr's LQ/MQ/HQ/VHQ are other names of the plugin's values
            quality = normalize_quality(quality)
        except (ValueError, TypeError):
            pass  # check_params says what is expected
        params = check_params(self, AudioResampleNode, dict(target_sample_rate=target_sample_rate,
                                                            quality=quality, **params), name=name)
        super().__init__(name=name, runtime_hint=runtime_hint, **params)
        self.target_sample_rate = params["target_sample_rate"]
        self.quality = params["quality"]

    is_streaming = True

    def process(self, data: Any) -> Any:
        """One clip → ``(resampled_samples, target_sample_rate)``; an async
        iterator of chunks → an async generator of resampled chunks."""
        if hasattr(data, "__aiter__"):
            return self._stream(data)
        return self._one_shot(data)

    async def _stream(self, chunks: AsyncIterator[Any]) -> AsyncIterator[Any]:
        stream: Optional[StreamingResampler] = None
        segment: Optional[Tuple[int, int, np.dtype]] = None
        pending: List[np.ndarray] = []
        async for data in chunks:
            item = parse_audio(self, data)
            if item.samples_2d.shape[1] == 0:
                continue
            fmt = (item.sample_rate, item.samples_2d.shape[0], item.samples.dtype)
            if stream is not None and fmt != segment:
                tail = self._finish(stream, segment, pending)
                stream, pending = None, []
                if tail is not None:
                    yield tail
            if item.sample_rate == self.target_sample_rate:
                yield rewrap(item, item.samples_2d, item.sample_rate)
                continue
            if stream is None:
                stream = StreamingResampler(item.sample_rate, self.target_sample_rate, item.samples_2d.shape[0],
                                            self.quality)
                segment = fmt
            else:
                ready = self._output(np.concatenate(pending, axis=1), segment)
                pending = []
                if ready is not None:
                    yield ready
            pending.append(stream.push(to_float(item.samples_2d)))
        if stream is not None:
            tail = self._finish(stream, segment, pending)
            if tail is not None:
                yield tail

    def _finish(self, stream: StreamingResampler, segment: Any, pending: List[np.ndarray]) -> Any:
        return self._output(np.concatenate(pending + [stream.finish()], axis=1), segment)

    def _output(self, out: np.ndarray, segment: Any) -> Any:
        """An output item in the segment's format, or ``None`` when empty."""
        if out.shape[1] == 0:
            return None
        out = out.astype(np.float64 if segment[2] == np.float64 else np.float32, copy=False)
        return (out, self.target_sample_rate)

    def _one_shot(self, data: Any) -> Any:
        item = parse_audio(self, data)
        if item.samples_2d.shape[1] == 0:
            return None
        if item.sample_rate == self.target_sample_rate:
            return rewrap(item, item.samples_2d, item.sample_rate)
        out_dtype = np.float64 if item.samples.dtype == np.float64 else np.float32
        out = resample(to_float(item.samples_2d), item.sample_rate, self.target_sample_rate, self.quality)
        return rewrap(item, out.astype(out_dtype, copy=False), self.target_sample_rate)
