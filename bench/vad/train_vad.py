#!/usr/bin/env python3
"""Fit SpeechSegmenter's learnt score: the small MLP whose weights live in
plugins/vad/segmenter_model.h (C) and python/remotemedia/dsp/speech_model.py
(the numpy twin). ``--write`` regenerates both files.

Data recipe: the ``tune``, ``tune2`` and ``tune3`` corpora of
bench_vad_quality.py only (their own seeds, foreground voices and babble
voices, tune's sentences, all disjoint from the ``report`` and ``holdout``
corpora the results are quoted on): each 48 files x 10 s of espeak-ng
speech with random pauses, clean and mixed with white, pink, brown, hum and
babble noise at 20/10/5/0 dB (1,008 files per corpus). Of each
condition's files 0..47, the even ones are used at frame_ms 30, files 1,
9, 17, ... at 20 ms and files 3, 11, 19, ... at 10 ms (the frame length is
an input).

Inputs per frame, exactly as the detector computes them (the Python twin is
run and its model inputs are read back; see speech.py for their
definitions): the level over the floor, over the background and its
averages over ~50 ms and ~300 ms; the flatness, its ~100 ms average and the
background's; the band ratio over the background's, its ~50 ms average and
the background's; the frame-to-frame level change and its ~200 ms average
magnitude (syllabic flux); how far the background sits above the floor; two
products with the background's flatness; the frame length / 30 ms.
Label: a frame is speech when at least half of its 10 ms label frames are
(2 of 3 at 30 ms). Frames below the quiet gate (-65 dBFS) and tonal frames are left out:
hand rules decide those. Model: inputs -> HIDDEN (32) tanh units -> logit,
trained with Adam on mini-batches (10 epochs, cosine-decayed rate) of the
cross-entropy, speech and non-speech frames weighted to equal totals,
fixed seed (numpy only).

How the size, the training and the node's default threshold (0.5) were
chosen, on tune corpora only: a model fitted on tune + tune2 and scored
(segments, frame MCC) on tune3's voices it never saw: 32 units beat 16
(0.850 vs 0.843 at threshold 0.5), threshold 0.5 beat 0.6 and 0.7 (0.850 /
0.845 / 0.834), hysteresis 0.3 was not better than 0.1. The shipped
weights are then fitted on all three.

Usage: .venv/bin/python bench/vad/train_vad.py [--cache /tmp/rm-vad-bench] [--write]
It runs the twin of the installed SDK: after changing the inputs in
speech.py, `make sdk` first (and rebuild the plugin after --write). a few minutes
on 2 cores (plus ~20 s to make each corpus the first time).
"""
import argparse
import os
import sys
import textwrap

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench_vad_quality as bench  # noqa: E402

from remotemedia.dsp import speech  # noqa: E402

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
HIDDEN = 32
EPOCHS = 10
CORPORA = ("tune", "tune2", "tune3")
SEED = 0
FRAME_MS_OF_FILE = ((30,), (20,), (30,), (10,), (30,), (), (30,), ())  # by file index mod 8


class Recorder(speech.SpeechSegmenterState):
    """The twin, recording each frame's model inputs and whether the model
    decides it (not quiet, not tonal)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.rows, self.keep = [], []
        self._decided = True

    def _score(self, band_db, floor_db, flatness, ratio, tonal):
        self._decided = band_db >= speech._QUIET_GATE_DB and not tonal
        return super()._score(band_db, floor_db, flatness, ratio, tonal)

    def _model_score(self, inputs):
        self.rows.append(inputs)
        self.keep.append(self._decided)
        return 0.0


def fit(X, y, hidden=HIDDEN, epochs=EPOCHS, batch=2048, rate=0.01, l2=1e-4, seed=SEED):
    """One tanh hidden layer, Adam on the class-weighted cross-entropy:
    mini-batches of ``batch`` frames, ``epochs`` passes, cosine-decayed rate."""
    rng = np.random.default_rng(seed)
    weight = np.where(y > 0, 0.5 / y.mean(), 0.5 / (1 - y.mean()))
    n = X.shape[1]
    params = [rng.normal(0, 1 / np.sqrt(n), (n, hidden)), np.zeros(hidden),
              rng.normal(0, 1 / np.sqrt(hidden), hidden), np.zeros(1)]
    m = [np.zeros_like(p) for p in params]
    v = [np.zeros_like(p) for p in params]
    steps_per_epoch = len(y) // batch
    steps = epochs * steps_per_epoch
    t = 0
    for _epoch in range(epochs):
        order = rng.permutation(len(y))
        for s in range(steps_per_epoch):
            idx = order[s * batch:(s + 1) * batch]
            xb, yb = X[idx], y[idx]
            h = np.tanh(xb @ params[0] + params[1])
            p = 1 / (1 + np.exp(-(h @ params[2] + params[3][0])))
            g = weight[idx] / batch * (p - yb)
            gh = np.outer(g, params[2]) * (1 - h * h)
            grads = [xb.T @ gh + l2 * params[0], gh.sum(0), h.T @ g + l2 * params[2], np.array([g.sum()])]
            t += 1
            lr = rate * 0.5 * (1 + np.cos(np.pi * t / steps))
            for i, grad in enumerate(grads):
                m[i] = 0.9 * m[i] + 0.1 * grad
                v[i] = 0.999 * v[i] + 0.001 * grad * grad
                params[i] -= lr * (m[i] / (1 - 0.9 ** t)) / (np.sqrt(v[i] / (1 - 0.999 ** t)) + 1e-8)
    return params


def numbers(values, indent="        "):
    """Comma-separated, wrapped to fit 100 columns (continuation lines indented)."""
    text = ", ".join(f"{float(x):.9g}" for x in values)
    return textwrap.fill(text, 92, subsequent_indent=indent, break_on_hyphens=False)


def write_python(path, W1, B1, W2, B2):
    rows = "\n".join(f"    [{numbers(row, '     ')}]," for row in W1)
    with open(path, "w") as f:
        f.write(f'''"""SpeechSegmenter's learnt score (the numpy twin's copy of
plugins/vad/segmenter_model.h): {W1.shape[0]} inputs -> {W1.shape[1]} tanh units -> logit.
Generated by bench/vad/train_vad.py --write; do not edit."""

import numpy as np

INPUTS = {W1.shape[0]}
HIDDEN = {W1.shape[1]}
W1 = np.array([
{rows}
])
B1 = np.array([{numbers(B1)}])
W2 = np.array([{numbers(W2)}])
B2 = {float(B2[0]):.9g}
''')


def write_c(path, W1, B1, W2, B2):
    rows = "\n".join(f"    {{{numbers(row, '     ')}}}," for row in W1)
    with open(path, "w") as f:
        f.write(f'''/*
 * segmenter_model.h — SpeechSegmenter's learnt score: {W1.shape[0]} inputs ->
 * {W1.shape[1]} tanh units -> logit (see segmenter.h for the inputs).
 * Generated by bench/vad/train_vad.py --write (the numpy twin has the same
 * numbers in python/remotemedia/dsp/speech_model.py); do not edit.
 */
#ifndef RM_SEGMENTER_MODEL_H
#define RM_SEGMENTER_MODEL_H

#define MODEL_INPUTS {W1.shape[0]}
#define MODEL_HIDDEN {W1.shape[1]}

static const double MODEL_W1[MODEL_INPUTS][MODEL_HIDDEN] = {{
{rows}
}};
static const double MODEL_B1[MODEL_HIDDEN] = {{{numbers(B1)}}};
static const double MODEL_W2[MODEL_HIDDEN] = {{{numbers(W2)}}};
static const double MODEL_B2 = {float(B2[0]):.9g};

#endif /* RM_SEGMENTER_MODEL_H */
''')


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cache", default="/tmp/rm-vad-bench")
    ap.add_argument("--files", type=int, default=48)
    ap.add_argument("--write", action="store_true", help="write the weights into the plugin and the twin")
    args = ap.parse_args()
    os.makedirs(args.cache, exist_ok=True)
    X, y = [], []
    for corpus in CORPORA:
        clean, babble, seed = bench.make_corpus(corpus, args.files, args.cache)
        truth = bench.labels(clean)
        for _noise, _snr, mixed in bench.mixtures(clean, babble, truth, int(seed)):
            for f in range(len(mixed)):
                for frame_ms in FRAME_MS_OF_FILE[f % 8]:
                    state = Recorder(bench.RATE, frame_ms=frame_ms)
                    state.push(mixed[f].astype(np.float32))
                    rows, keep = np.array(state.rows), np.array(state.keep)
                    per = frame_ms // 10
                    labels = truth[f][: len(rows) * per].reshape(-1, per).sum(axis=1) * 2 >= per
                    X.append(rows[keep])
                    y.append(labels[keep])
    X, y = np.vstack(X), np.concatenate(y).astype(np.float64)
    W1, B1, W2, B2 = fit(X, y)
    p = 1 / (1 + np.exp(-(np.tanh(X @ W1 + B1) @ W2 + B2[0])))
    print(f"{len(y)} frames, {y.mean() * 100:.0f} % speech, training accuracy {np.mean((p > 0.5) == (y > 0)):.3f}")
    if args.write:
        write_python(os.path.join(ROOT, "python", "remotemedia", "dsp", "speech_model.py"), W1, B1, W2, B2)
        write_c(os.path.join(ROOT, "plugins", "vad", "segmenter_model.h"), W1, B1, W2, B2)
        print("wrote python/remotemedia/dsp/speech_model.py and plugins/vad/segmenter_model.h")


if __name__ == "__main__":
    main()
