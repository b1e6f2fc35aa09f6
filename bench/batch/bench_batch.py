"""Batch preprocessing, side by side: N files x S s stereo 48 kHz int16 WAV
-> mono 16 kHz, VAD-trimmed, written as WAV. One command:

    python bench/batch/bench_batch.py [--files 48] [--seconds 10] [--repeats 3] [--big-gb 2.0]

Runs, interleaved per repeat (A B C ... A B C ...), median wall time:
  rmrun --batch -j 2        (ours, native; AudioFileSource -> mono -> soxr 16 kHz
                             -> SpeechSegmenter emit_audio -> AudioFileSink)
  rmrun, chain without VAD  (the SDK row's job, natively: apples to apples)
  SDK pure-Python path      (remotemedia.batch.process_files(native=False), 2 threads;
                             chain without the VAD trim: the SDK chain cannot route port 1)
  ffmpeg, one process/file  (-ac 1, aresample=16000, silencedetect; 2 at a time)
  gst-launch-1.0, one/file  (audioconvert ! audioresample ! 16 kHz mono wav; 2 at a time)
  Python the usual way      (soundfile + soxr + numpy energy VAD, trimmed; 2 processes)
and peak RSS streaming a big WAV (default 2 GB) and a 200 MB one through
resample + VAD + sink. Prints a markdown table; seconds of audio per wall
second and the ratio to ours. Needs rmrun (REMOTEMEDIA_RMRUN or RM_BUILD_DIR),
and a venv with soundfile + soxr for the "usual Python" peer (BENCH_PY)."""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import wave
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "python"))
sys.path.insert(0, str(REPO / "tests" / "python"))

from test_batch import speechlike_block, trim_manifest  # noqa: E402
from corpus import write_speechlike_wavs  # noqa: E402

RATE = 48000

USUAL_PY = r'''
import sys, numpy as np, soundfile as sf, soxr
def vad_trim(x, rate, frame_ms=30, thresh_db=-35.0, pad=0.1):
    n = rate * frame_ms // 1000
    frames = len(x) // n
    if frames == 0: return x[:0]
    e = 10*np.log10(np.mean(x[:frames*n].reshape(frames, n)**2, axis=1) + 1e-12)
    speech = e > thresh_db  # a fixed energy gate
    keep = np.zeros(len(x), bool)
    p = int(pad*rate)
    for i in np.flatnonzero(speech):
        keep[max(0, i*n-p):(i+1)*n+p] = True
    return x[keep]
for src, dst in zip(sys.argv[1::2], sys.argv[2::2]):
    x, rate = sf.read(src, dtype="float32")
    x = x.mean(axis=1) if x.ndim == 2 else x
    y = soxr.resample(x, rate, 16000, quality="HQ")
    sf.write(dst, vad_trim(y, 16000), 16000, subtype="PCM_16")
'''


def make_files(directory: Path, count: int, seconds: float) -> list:
    directory.mkdir(parents=True, exist_ok=True)
    return write_speechlike_wavs(directory, count, seconds)


def pool_run(commands: list, jobs: int = 2) -> None:
    def one(cmd):
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    with ThreadPoolExecutor(jobs) as pool:
        list(pool.map(one, commands))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--files", type=int, default=48)
    ap.add_argument("--seconds", type=float, default=10.0)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--big-gb", type=float, default=2.0)
    ap.add_argument("--jobs", type=int, default=2)
    args = ap.parse_args()
    rmrun = os.environ.get("REMOTEMEDIA_RMRUN") or str(Path(os.environ.get("RM_BUILD_DIR", REPO / "build")) / "bin" / "rmrun")
    bench_py = os.environ.get("BENCH_PY", sys.executable)
    work = Path(tempfile.mkdtemp(prefix="rm-bench-batch-", dir="/tmp"))
    try:
        files = make_files(work / "in", args.files, args.seconds)
        audio = args.files * args.seconds
        manifest = work / "trim.json"
        manifest.write_text(json.dumps(trim_manifest(1.0, "pcm16")))
        listing = work / "list.txt"
        listing.write_text("".join(f"{f}\n" for f in files))

        def ours(out):
            subprocess.run([rmrun, str(manifest), "--batch", f"@{listing}", "--out", str(out), "-j", str(args.jobs),
                            "-q"], check=True)

        from remotemedia import Pipeline
        from remotemedia.batch import process_files
        from remotemedia.nodes import AudioFileSink, AudioFileSource, AudioResampleNode, FormatConverterNode
        chain = Pipeline([AudioFileSource("x.wav"), FormatConverterNode(target_format="f32", channels=1),
                          AudioResampleNode(target_sample_rate=16000), AudioFileSink("y.wav")])
        chain_manifest = work / "chain.json"
        chain_manifest.write_text(chain.serialize())

        def ours_chain(out):
            subprocess.run([rmrun, str(chain_manifest), "--batch", f"@{listing}", "--out", str(out), "-j",
                            str(args.jobs), "-q"], check=True)

        def sdk_python(out):
            r = process_files(chain, files, out, workers=args.jobs, progress=False, native=False)
            assert all(x.ok for x in r), [x.error for x in r if not x.ok][:1]

        def ffmpeg(out):
            out.mkdir(parents=True, exist_ok=True)
            pool_run([["ffmpeg", "-nostdin", "-v", "error", "-y", "-i", str(f), "-ac", "1", "-af",
                       "aresample=16000,silencedetect=n=-35dB:d=0.3", "-c:a", "pcm_s16le",
                       str(out / f.name)] for f in files], args.jobs)

        def gst(out):
            out.mkdir(parents=True, exist_ok=True)
            pool_run([["gst-launch-1.0", "-q", "filesrc", f"location={f}", "!", "wavparse", "!", "audioconvert",
                       "!", "audioresample", "!", "audio/x-raw,rate=16000,channels=1", "!", "wavenc", "!",
                       "filesink", f"location={out / f.name}"] for f in files], args.jobs)

        def usual(out):
            out.mkdir(parents=True, exist_ok=True)
            script = work / "usual.py"
            script.write_text(USUAL_PY)
            halves = [files[i::args.jobs] for i in range(args.jobs)]
            pool_run([[bench_py, str(script)] + [str(x) for f in half for x in (f, out / f.name)] for half in halves],
                     args.jobs)

        peers = {"rmrun --batch -j %d (ours)" % args.jobs: ours,
                 "rmrun --batch, chain without VAD (= the SDK row's job)": ours_chain,
                 "SDK pure-Python path (chain without VAD)": sdk_python}
        if shutil.which("ffmpeg"):
            peers["ffmpeg (1 process/file)"] = ffmpeg
        if shutil.which("gst-launch-1.0"):
            peers["gst-launch-1.0 (1 process/file)"] = gst
        if subprocess.run([bench_py, "-c", "import soundfile, soxr"], capture_output=True).returncode == 0:
            peers["Python: soundfile+soxr+numpy VAD"] = usual
        times = {name: [] for name in peers}
        for rep in range(args.repeats + 1):  # the first round warms up
            for name, fn in peers.items():
                out = work / f"out-{rep}-{abs(hash(name))}"
                t = time.perf_counter()
                fn(out)
                if rep:
                    times[name].append(time.perf_counter() - t)
                shutil.rmtree(out, ignore_errors=True)
        ours_name = next(iter(peers))
        ours_rate = audio / statistics.median(times[ours_name])
        print(f"\n{args.files} files x {args.seconds:g} s stereo 48 kHz int16 -> mono 16 kHz "
              f"({audio:.0f} s of audio), {args.jobs} at a time, median of {args.repeats}\n")
        print("| pipeline | median wall s | audio s / wall s | ours is x faster |")
        print("|---|---|---|---|")
        for name, ts in times.items():
            med = statistics.median(ts)
            print(f"| {name} | {med:.3f} | {audio / med:.0f} | {ours_rate / (audio / med):.1f} |")

        # Peak RSS on big files (rmrun's own VmHWM from its report).
        print("\n| file | size | audio | wall s | peak RSS MB |")
        print("|---|---|---|---|---|")
        block = speechlike_block(10.0)
        for label, gb in (("200 MB", 0.2), (f"{args.big_gb:g} GB", args.big_gb)):
            big = work / "big.wav"
            repeat = max(1, int(gb * 1e9 / block.nbytes))
            with wave.open(str(big), "wb") as w:
                w.setnchannels(2)
                w.setsampwidth(2)
                w.setframerate(RATE)
                data = block.tobytes()
                for _ in range(repeat):
                    w.writeframes(data)
            out = work / "big-out"
            t = time.perf_counter()
            subprocess.run([rmrun, str(manifest), "--batch", str(big), "--out", str(out), "-q"], check=True)
            wall = time.perf_counter() - t
            report = json.loads((out / "batch-report.json").read_text())
            print(f"| {label} | {big.stat().st_size / 1e6:.0f} MB | {repeat * 10 / 3600:.2f} h | {wall:.1f} | "
                  f"{report['peak_rss_mb']:.1f} |")
            big.unlink()
            shutil.rmtree(out)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
