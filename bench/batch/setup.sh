#!/usr/bin/env bash
# The peers of bench/batch/bench_peers.py, installed when missing: sox,
# ffmpeg, gst-launch-1.0 and GNU time (Debian), soundfile and soxr (.venv).
set -euo pipefail
cd "$(dirname "$0")/../.."
need=()
[ -x /usr/bin/time ] || need+=(time)
command -v sox >/dev/null || need+=(sox libsox-fmt-all)
command -v ffmpeg >/dev/null || need+=(ffmpeg)
command -v gst-launch-1.0 >/dev/null || need+=(gstreamer1.0-tools gstreamer1.0-plugins-base gstreamer1.0-plugins-good)
if [ ${#need[@]} -gt 0 ]; then
  echo "bench set-up: apt-get install ${need[*]}"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi
.venv/bin/python -c 'import soundfile, soxr' 2>/dev/null || .venv/bin/python -m pip install -q soundfile soxr
