#!/usr/bin/env bash
# Installs the Debian packages in scripts/apt-packages.txt that are missing.
# Does nothing (and needs no root) when all are present.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
mapfile -t wanted < <(grep -v '^\s*#' "$here/apt-packages.txt" | sed '/^\s*$/d')
missing=()
for pkg in "${wanted[@]}"; do
  # python3/cmake may come from elsewhere (pyenv, pip); accept a working tool.
  case "$pkg" in
    cmake) command -v cmake >/dev/null && continue ;;
    python3|python3-dev|python3-venv)
      python3 -c 'import sysconfig, venv, os, sys; sys.exit(not os.path.exists(os.path.join(sysconfig.get_paths()["include"], "Python.h")))' 2>/dev/null && continue ;;
  esac
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
echo "setup: installing Debian packages: ${missing[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "error: need root (or sudo) to install: ${missing[*]}" >&2; exit 1; }
  SUDO=sudo
fi
export DEBIAN_FRONTEND=noninteractive
# One line on the terminal; apt's output goes to a log, shown when it fails.
log=${APT_LOG:-$here/../.stamps/apt.log}
mkdir -p "$(dirname "$log")"
if ! { $SUDO apt-get update -qq && \
       $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"; } >"$log" 2>&1; then
  cat "$log"
  echo "error: apt-get failed (log: $log)" >&2
  exit 1
fi
