#!/usr/bin/env python3
"""Fit SpeechSegmenter's score weights (the W_* constants of
plugins/vad/segmenter.c and the _W_* of remotemedia/dsp/speech.py).

Data recipe: the ``tune`` corpus of bench_vad_quality.py only (its own
seed, foreground voices, babble voices and sentences, all disjoint from
the ``report`` corpus the results are quoted on): 48 files x 10 s of
espeak-ng speech with random pauses, clean and mixed with white, pink,
brown, hum and babble noise at 20/10/5/0 dB. Every second file is used.

Features per 30 ms frame, exactly as the detector computes them (the Python
twin is run and its per-frame state read back):
  floor_snr  band level over the minimum-statistics floor, dB, clipped -5..30
  snr_avg    band level over the learnt background level, clipped, averaged
             over ~50 ms
  flatness   spectral flatness in 300-3400 Hz
  bg_flat    flatness of the background (frames near the floor)
  ratio_ex   band/total power ratio minus the background's, averaged
             over ~50 ms
  (bg_flat - flatness) * bg_flat, floor_snr * bg_flat   interactions: a
             flatness drop and the level count more in flat backgrounds
Label: a 30 ms frame is speech when at least 2 of its 10 ms label frames are.
Frames below the quiet gate (-65 dBFS) and tonal frames (<= 2 narrow peaks) are
left out: hand rules decide those. The model is a plain logistic regression
(Newton iterations, small L2, speech and non-speech frames weighted to equal
totals); the node's default threshold 0.7 is p = 0.7. The printed bias
includes BIAS_MARGIN.

Usage: .venv/bin/python bench/vad/train_vad.py [--cache /tmp/rm-vad-bench]
"""
import argparse
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench_vad_quality as bench  # noqa: E402

from remotemedia.dsp import speech  # noqa: E402

# Subtracted from the fitted bias: a margin against false runs in white noise
# with 10 ms frames at threshold 0.5 (tests/c/audio/test_vad.c); costs
# 0.005 of MCC on the tune corpus.
BIAS_MARGIN = -0.205

NAMES = ["bias", "floor_snr", "snr_average", "flatness", "background_flatness", "ratio_excess", "flatness_drop_x_background", "floor_snr_x_background"]


class Recorder(speech.SpeechSegmenterState):
    """The twin, recording each frame's model inputs."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = []

    def _score(self, band_db, floor_db, flatness, ratio, tonal):
        z = super()._score(band_db, floor_db, flatness, ratio, tonal)
        floor_snr = min(max(band_db - floor_db, speech._SNR_MIN_DB), speech._SNR_MAX_DB)
        keep = band_db >= speech._QUIET_GATE_DB and not tonal
        self.rows.append((keep, 1.0, floor_snr, self._snr_average, flatness, self._background_flatness,
                          self._ratio_excess, (self._background_flatness - flatness) * self._background_flatness,
                          floor_snr * self._background_flatness))
        return z


def fit(X, y, l2=1e-3, iterations=30):
    """Logistic regression, classes weighted to equal total weight."""
    w = np.where(y > 0, 0.5 / y.mean(), 0.5 / (1 - y.mean()))
    b = np.zeros(X.shape[1])
    for _ in range(iterations):
        p = 1 / (1 + np.exp(-X @ b))
        g = X.T @ (w * (p - y)) + l2 * b
        H = (X * (w * p * (1 - p))[:, None]).T @ X + l2 * np.eye(len(b))
        b -= np.linalg.solve(H, g)
    return b


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cache", default="/tmp/rm-vad-bench")
    ap.add_argument("--files", type=int, default=48)
    args = ap.parse_args()
    os.makedirs(args.cache, exist_ok=True)
    clean, babble, seed = bench.make_corpus("tune", args.files, args.cache)
    truth = bench.labels(clean)
    X, y = [], []
    for _noise, _snr, mixed in bench.mixtures(clean, babble, truth, int(seed)):
        for f in range(0, len(mixed), 2):
            state = Recorder(bench.RATE)
            state.push(mixed[f].astype(np.float32))
            rows = np.array(state.rows)
            labels = truth[f][: len(rows) * 3].reshape(-1, 3).sum(axis=1) >= 2
            keep = rows[:, 0] > 0
            X.append(rows[keep, 1:])
            y.append(labels[keep])
    X, y = np.vstack(X), np.concatenate(y).astype(np.float64)
    b = fit(X, y)
    p = 1 / (1 + np.exp(-X @ b))
    accuracy = np.mean((p > 0.5) == (y > 0))
    print(f"{len(y)} frames, {y.mean() * 100:.0f} % speech, training accuracy {accuracy:.3f}")
    b[0] += BIAS_MARGIN
    for name, w in zip(NAMES, b):
        print(f"W_{name.upper():24s} {w:+.3f}")


if __name__ == "__main__":
    main()
