#!/usr/bin/env bash
# `make bench`: every benchmark, one after the other, each printing its
# Markdown table to stdout (and to bench/out/<name>.md). Copy the tables
# you re-measured into bench/RESULTS.md with the date and the CPU model.
# Usage: bench/run.sh [executor|session|metrics|audio|math|sdk|streaming|batch|distributed|vad]...
# (default: all but batch, which needs ffmpeg/gstreamer and takes minutes,
# see bench/batch/; distributed, Dask and Ray clusters for minutes, see
# bench/distributed/; and vad, the VAD quality benchmark: espeak-ng + sox and
# the peers of bench/vad/requirements.txt, ~10 min the first time).
set -euo pipefail
cd "$(dirname "$0")/.."
build=${BUILD:-build}
py=.venv/bin/python
out=bench/out
mkdir -p "$out"
which=("$@")
[ ${#which[@]} -gt 0 ] || which=(executor session metrics audio math sdk streaming)
cmake --build "$build" -j "$(nproc)" >/dev/null
for name in "${which[@]}"; do
  echo "## $name — $(date -u '+%Y-%m-%d %H:%M UTC'), CPU: $(lscpu | sed -n 's/^Model name:\s*//p')"
  case "$name" in
    executor) "$build"/bench/bench_executor ;;
    session) "$build"/bench/bench_session ;;
    metrics) "$build"/bench/bench_metrics ;;
    audio) "$build"/bench/bench_audio convert ratio resample latency vad ;;
    math) "$build"/bench/bench_math_tensor ;;
    sdk) "$py" bench/sdk/bench_sdk.py ;;
    streaming) "$py" bench/sdk/bench_streaming.py ;;
    batch) "$py" bench/batch/bench_batch.py ;;
    distributed) "$py" bench/distributed/bench_distributed.py ;;
    vad) "$py" bench/vad/bench_vad_quality.py --corpus report && "$py" bench/vad/bench_vad_quality.py --corpus holdout --no-tones ;;
    *) echo "unknown benchmark: $name (executor, session, metrics, audio, math, sdk, streaming, batch, distributed, vad)" >&2; exit 2 ;;
  esac | tee "$out/$name.md"
done
