"""`rmrun --batch` as shipped against what users run instead, on WAV and FLAC.

    bench/batch/setup.sh          # once: sox, ffmpeg, gst-launch-1.0 (+ soundfile, soxr in .venv)
    .venv/bin/python bench/batch/bench_peers.py [--files 48] [--seconds 10] [--repeats 5]

The job: N files x S s of 48 kHz stereo int16 ("speech" bursts over faint
noise) -> 16 kHz mono. Contestants, two at a time each (2 cores), run
interleaved per repeat (A B C D E, A B C D E, ...; the first round warms up),
medians reported with the ratio to ours:

  ours     the installed `rmrun` on PATH, no flags but the job's:
           `rmrun trim.json --batch @list --out OUT` (decode, down-mix, soxr HQ
           16 kHz, SpeechSegmenter, speech-only 16 kHz WAV + segments); also
           with `-j 1` (for the scaling) and as two `-j 1` processes on half
           the files each (the job's ceiling: what two cores of this machine
           give this work when nothing is shared but the hardware)
  sox      `sox IN -c 1 -r 16000 OUT` per file, `xargs -P2` style: resample
           only, no VAD (less work than ours)
  python   numpy + soundfile + python-soxr (HQ) + a numpy energy gate, the
           files split over 2 processes
  ffmpeg   one process per file: -ac 1, aresample=16000, silencedetect
           (detects silence, does not trim)
  gst      gst-launch-1.0 per file: decodebin ! audioconvert ! audioresample
           ! 16 kHz mono ! wavenc (no VAD)

Per contestant: wall seconds, CPU seconds (user+sys of every child, from
wait4), audio seconds per wall second and per CPU second, and the
largest peak RSS of any one process (the Python peer's figure includes the
interpreter and numpy; rmrun's is one process running -j files at once).
"""

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
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tests" / "python"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from test_batch import trim_manifest  # noqa: E402
from corpus import to_flac, write_speechlike_wavs  # noqa: E402


# The usual Python script, the same one bench_batch.py times.
from bench_batch import USUAL_PY  # noqa: E402


class Usage:
    """What a contestant's processes used: CPU summed, peak = the largest."""

    wrapper_cpu = 0.0  # CPU of GNU time itself per process (calibrated)

    def __init__(self) -> None:
        self.cpu = 0.0
        self.peak_kb = 0


def run_child(cmd: list, usage: Usage) -> None:
    """Run `cmd` under GNU time for its peak RSS (%M: a child forked from
    this Python process would count this process's RSS from before exec as
    its own peak); CPU time from wait4, which on Linux includes the
    waited-for grandchild, in microseconds (time's %U/%S are 10 ms steps)."""
    with tempfile.NamedTemporaryFile("r", suffix=".time") as stats:
        proc = subprocess.Popen(["/usr/bin/time", "-q", "-o", stats.name, "-f", "%M"] + cmd,
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        _, status, ru = os.wait4(proc.pid, 0)
        err = proc.stderr.read().decode(errors="replace")
        proc.stderr.close()
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode != 0:
            raise RuntimeError(f"{cmd[0]} failed ({proc.returncode}): {err.strip()[:500]}")
        peak_kb = int(stats.read().split()[-1])
    usage.cpu += max(0.0, ru.ru_utime + ru.ru_stime - Usage.wrapper_cpu)
    usage.peak_kb = max(usage.peak_kb, peak_kb)


def calibrate_wrapper() -> None:
    """The CPU GNU time and an exec of `true` cost, taken off every child."""
    samples = []
    for _ in range(21):
        usage = Usage()
        run_child(["true"], usage)
        samples.append(usage.cpu)
    Usage.wrapper_cpu = statistics.median(samples)


def two_at_a_time(commands: list, usage: Usage, jobs: int) -> None:
    with ThreadPoolExecutor(jobs) as pool:
        list(pool.map(lambda c: run_child(c, usage), commands))


def make_inputs(work: Path, count: int, seconds: float) -> dict:
    wav_dir, flac_dir = work / "wav", work / "flac"
    wav_dir.mkdir()
    flac_dir.mkdir()
    wavs = write_speechlike_wavs(wav_dir, count, seconds)
    return {"wav": wavs, "flac": to_flac(wavs, flac_dir)}


ONE_CORE = "rmrun --batch -j 1 (ours, one core: scaling)"
TWO_PROCESSES = "2 x rmrun -j 1, half the files each (ours: the job's ceiling)"


def contestants(rmrun: str, manifest: Path, work: Path, jobs: int) -> dict:
    script = work / "usual.py"
    script.write_text(USUAL_PY)

    def ours(files, out, usage):
        listing = out.parent / f"{out.name}.list"
        listing.write_text("".join(f"{f}\n" for f in files))
        run_child([rmrun, str(manifest), "--batch", f"@{listing}", "--out", str(out)], usage)

    def ours_one_core(files, out, usage):
        listing = out.parent / f"{out.name}.list"
        listing.write_text("".join(f"{f}\n" for f in files))
        run_child([rmrun, str(manifest), "--batch", f"@{listing}", "--out", str(out), "-j", "1"], usage)

    def ours_two_processes(files, out, usage):
        # The machine's ceiling for this very job: two independent -j 1
        # processes on half the files each share nothing but the hardware,
        # so -j 1 over this is the best -j 2 can scale here (caches, memory
        # bandwidth and SMT siblings included, which a register-only loop
        # does not feel).
        halves = [files[i::jobs] for i in range(jobs)]
        commands = []
        for i, half in enumerate(halves):
            listing = out.parent / f"{out.name}.{i}.list"
            listing.write_text("".join(f"{f}\n" for f in half))
            (out / str(i)).mkdir()  # each its own report
            commands.append([rmrun, str(manifest), "--batch", f"@{listing}", "--out", str(out / str(i)), "-j", "1"])
        two_at_a_time(commands, usage, jobs)

    def sox(files, out, usage):
        two_at_a_time([["sox", str(f), "-c", "1", "-r", "16000", str(out / (f.stem + ".wav"))] for f in files],
                      usage, jobs)

    def python(files, out, usage):
        halves = [files[i::jobs] for i in range(jobs)]
        two_at_a_time([[sys.executable, str(script)] + [str(x) for f in half for x in (f, out / (f.stem + ".wav"))]
                       for half in halves], usage, jobs)

    def ffmpeg(files, out, usage):
        two_at_a_time([["ffmpeg", "-nostdin", "-v", "error", "-y", "-i", str(f), "-ac", "1", "-af",
                        "aresample=16000,silencedetect=n=-35dB:d=0.3", "-c:a", "pcm_s16le",
                        str(out / (f.stem + ".wav"))] for f in files], usage, jobs)

    def gst(files, out, usage):
        two_at_a_time([["gst-launch-1.0", "-q", "filesrc", f"location={f}", "!", "decodebin", "!", "audioconvert",
                        "!", "audioresample", "!", "audio/x-raw,rate=16000,channels=1", "!", "wavenc", "!",
                        "filesink", f"location={out / (f.stem + '.wav')}"] for f in files], usage, jobs)

    found = {"rmrun --batch as shipped (ours)": ours, ONE_CORE: ours_one_core, TWO_PROCESSES: ours_two_processes}
    if shutil.which("sox"):
        found["sox -P2, resample only (no VAD)"] = sox
    if subprocess.run([sys.executable, "-c", "import soundfile, soxr"], capture_output=True).returncode == 0:
        found["numpy+soundfile+soxr, 2 processes"] = python
    if shutil.which("ffmpeg"):
        found["ffmpeg per file, 2 at a time"] = ffmpeg
    if shutil.which("gst-launch-1.0"):
        found["gst-launch-1.0 per file, 2 at a time"] = gst
    return found


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--files", type=int, default=48)
    ap.add_argument("--seconds", type=float, default=10.0)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--jobs", type=int, default=2, help="processes at a time for the peers (rmrun: its default -j)")
    ap.add_argument("--rmrun", default=shutil.which("rmrun", path=str(Path(sys.executable).parent)) or "rmrun")
    ap.add_argument("--cpu-pair", default=str(Path(os.environ.get("RM_BUILD_DIR", REPO / "build")) / "bench" / "bench_cpu_pair"),
                    help="the arithmetic probe (cpu_pair.c) for the machine's -j 2 ceiling; skipped if missing")
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="rm-bench-peers-", dir="/tmp"))
    probe = Path(args.cpu_pair)
    probe_cpu = {1: [], 2: []}  # CPU s per copy: one alone, each of two at once

    def run_probe() -> None:
        for copies in (1, 2):
            procs = [subprocess.Popen([str(probe)], stdout=subprocess.DEVNULL) for _ in range(copies)]
            cpu = 0.0
            for proc in procs:
                _, _, ru = os.wait4(proc.pid, 0)
                cpu += ru.ru_utime + ru.ru_stime
            probe_cpu[copies].append(cpu / copies)

    try:
        inputs = make_inputs(work, args.files, args.seconds)
        manifest = work / "trim.json"
        manifest.write_text(json.dumps(trim_manifest(1.0, "pcm16")))
        peers = contestants(args.rmrun, manifest, work, args.jobs)
        calibrate_wrapper()
        audio = args.files * args.seconds
        cpu_model = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo")
                          if line.startswith("model name")), "unknown")
        print(f"\n{args.files} files x {args.seconds:g} s, 48 kHz stereo int16 -> 16 kHz mono; "
              f"{args.rmrun}; CPU: {cpu_model}, {os.cpu_count()} CPUs; median of {args.repeats}, interleaved; "
              f"{Usage.wrapper_cpu * 1e3:.2f} ms CPU of the GNU time wrapper taken off each process; "
              f"load average at the start {os.getloadavg()[0]:.1f}\n")
        for fmt, files in inputs.items():
            wall = {name: [] for name in peers}
            cpu = {name: [] for name in peers}
            peak = {name: 0 for name in peers}
            for rep in range(args.repeats + 1):  # round 0 warms the page cache and the binaries
                for name, fn in peers.items():
                    out = work / f"out-{fmt}-{rep}-{len(wall[name])}-{abs(hash(name)) % 10000}"
                    out.mkdir()
                    usage = Usage()
                    t = time.perf_counter()
                    fn(files, out, usage)
                    elapsed = time.perf_counter() - t
                    if rep:
                        wall[name].append(elapsed)
                        cpu[name].append(usage.cpu)
                        peak[name] = max(peak[name], usage.peak_kb)
                    shutil.rmtree(out, ignore_errors=True)
                if rep and probe.exists():
                    run_probe()
            ours = next(iter(peers))
            ours_wall, ours_cpu = statistics.median(wall[ours]), statistics.median(cpu[ours])
            print(f"**{fmt.upper()}**\n")
            print("| contestant | wall s | CPU s | audio s / wall s | audio s / CPU s | ours faster (wall) "
                  "| ours faster (CPU) | peak RSS per process MB |")
            print("|---|---:|---:|---:|---:|---:|---:|---:|")
            for name in peers:
                w, c = statistics.median(wall[name]), statistics.median(cpu[name])
                print(f"| {name} | {w:.3f} | {c:.3f} | {audio / w:.0f} | {audio / c:.0f} | "
                      f"{w / ours_wall:.2f}× | {c / ours_cpu:.2f}× | {peak[name] / 1024:.1f} |")
            print()
            one_core = statistics.median(wall[ONE_CORE])
            ceiling = one_core / statistics.median(wall[TWO_PROCESSES])
            print(f"-j 1 -> -j {args.jobs} scaling (wall): {one_core / ours_wall:.2f}×; the job's ceiling here "
                  f"(-j 1 over two -j 1 processes on half the files each): {ceiling:.2f}×")
            print()
        if probe_cpu[1]:
            one, two = statistics.median(probe_cpu[1]), statistics.median(probe_cpu[2])
            print(f"machine ceiling (bench_cpu_pair, {len(probe_cpu[1])} rounds interleaved with the above): each of two "
                  f"copies of a register-only loop at once used {two / one:.3f}× the CPU of one alone, so no program "
                  f"scales -j 1 -> -j 2 by more than {2 * one / two:.2f}× here")
        print(f"load average at the end {os.getloadavg()[0]:.1f} (1 min), {os.getloadavg()[1]:.1f} (5 min): "
              "on a machine busier than its cores, -j 2 cannot get two of them")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
