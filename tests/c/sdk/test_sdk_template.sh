#!/usr/bin/env bash
# Usage: test_sdk_template.sh CMAKE BUILD_DIR SOURCE_DIR
# Fails (exit 1) at the first step that does not do what a plugin author
# expects, saying which.
set -euo pipefail
cmake=$1 build=$2 src=$3
tmp=$(mktemp -d "${TMPDIR:-/tmp}/rm-sdk-test-XXXXXX")
trap '[ -z "${serve_pid:-}" ] || kill "$serve_pid" 2>/dev/null || true; rm -rf "$tmp"' EXIT
step() { echo "== $*"; }
die() { echo "FAIL: $*" >&2; exit 1; }
export REMOTEMEDIA_PLUGIN_PATH=

step "install into a temporary prefix, then move it (relocatable)"
"$cmake" --install "$build" --prefix "$tmp/staged" >"$tmp/install.log" \
  || { cat "$tmp/install.log"; die "cmake --install failed"; }
mv "$tmp/staged" "$tmp/prefix"
prefix=$tmp/prefix
for f in bin/rmrun include/remotemedia/plugin.h include/remotemedia/runtime.h \
         lib/cmake/RemoteMedia/RemoteMediaConfig.cmake \
         lib/pkgconfig/remotemedia.pc lib/pkgconfig/remotemedia-plugin.pc \
         share/remotemedia/remotemedia-plugin.map; do
  [ -e "$prefix/$f" ] || die "not installed: $f"
done
if grep -rl -e "$build" -e "$src/" "$prefix/lib/cmake" "$prefix/lib/pkgconfig"; then
  die "package files refer to the build or source tree"
fi
rmrun=$prefix/bin/rmrun

step "build sdk-template out of tree with find_package(RemoteMedia)"
tb=$tmp/template-cmake
"$cmake" -S "$src/sdk-template" -B "$tb" -DCMAKE_PREFIX_PATH="$prefix" \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_EXPORT_COMPILE_COMMANDS=ON \
  >"$tmp/configure.log" || { cat "$tmp/configure.log"; die "configure failed"; }
"$cmake" --build "$tb" -j 2 >"$tmp/build.log" 2>&1 \
  || { cat "$tmp/build.log"; die "build failed"; }
if grep -q "warning:" "$tmp/build.log"; then cat "$tmp/build.log"; die "warnings"; fi
grep -q -- "$prefix/\(\./\)\?include" "$tb/compile_commands.json" \
  || die "the template did not use the installed headers"
if grep -q "$src/plugin-api\|$src/runtime" "$tb/compile_commands.json"; then
  die "the template compiled against the source tree"
fi
plugin=$tb/plugins/gain.so
[ "$(nm -D --defined-only "$plugin" | awk '{print $3}')" = rm_plugin_entry ] \
  || die "gain.so exports more than rm_plugin_entry"

step "the installed rmrun lists and inspects GainNode"
"$rmrun" --plugins "$tb/plugins" --list >"$tmp/list.txt"
grep -q "GainNode" "$tmp/list.txt" || { cat "$tmp/list.txt"; die "GainNode not listed"; }
grep -q "AudioResampleNode" "$tmp/list.txt" || die "installed plugins not found by the moved rmrun"
"$rmrun" --plugins "$tb/plugins" inspect GainNode | grep -q "gain_db" \
  || die "inspect GainNode shows no gain_db"

step "run a manifest: file -> GainNode -> file"
cat >"$tmp/gain.json" <<JSON
{"version": "v1",
 "nodes": [
  {"id": "read", "node_type": "AudioFileSource",
   "params": {"path": "$src/examples/data/sample.flac", "format": "f32"}},
  {"id": "gain", "node_type": "GainNode", "params": {"gain_db": -6, "clip": true}},
  {"id": "write", "node_type": "AudioFileSink",
   "params": {"path": "$tmp/out.wav", "subtype": "float"}}],
 "connections": [{"from": "read", "to": "gain"}, {"from": "gain", "to": "write"}]}
JSON
"$rmrun" --plugins "$tb/plugins" "$tmp/gain.json" >"$tmp/run.json" \
  || { cat "$tmp/run.json"; die "the manifest run failed"; }
grep -q '"frames"' "$tmp/run.json" || { cat "$tmp/run.json"; die "no sink result"; }
[ -s "$tmp/out.wav" ] || die "no output file"
# A param out of range is caught before running (exit 3: invalid manifest).
sed 's/"gain_db": -6/"gain_db": 99/' "$tmp/gain.json" >"$tmp/bad.json"
set +e
"$rmrun" --plugins "$tb/plugins" "$tmp/bad.json" >/dev/null 2>"$tmp/bad.err"
code=$?
set -e
[ "$code" = 3 ] || die "gain_db 99 should be an invalid manifest (exit 3), got $code"
grep -q "gain_db" "$tmp/bad.err" || die "the range error does not name gain_db"

step "check-plugin: the template plugin and every installed plugin"
"$rmrun" check-plugin "$plugin" >"$tmp/check.txt" \
  || { cat "$tmp/check.txt"; die "check-plugin gain.so"; }
# The audio-file node types need paths: a real file to read, one to write.
# RemoteNode needs a node server: the installed rmrun serves on loopback.
remote=()
if [ -e "$prefix"/lib/remotemedia/plugins/rm_remote.so ]; then
  "$rmrun" serve --listen 127.0.0.1:0 --no-auth 2>"$tmp/serve.log" &
  serve_pid=$!
  for _ in $(seq 300); do grep -q listening "$tmp/serve.log" && break; sleep 0.1; done
  port=$(sed -n 's/.*listening on 127.0.0.1:\([0-9]*\).*/\1/p' "$tmp/serve.log")
  [ -n "$port" ] || { cat "$tmp/serve.log"; die "rmrun serve did not start"; }
  remote=(--param "RemoteNode.host=\"127.0.0.1:$port\"" --param RemoteNode.node_type=PassThroughNode)
fi
"$rmrun" check-plugin "$prefix"/lib/remotemedia/plugins/*.so \
  --param AudioFileSource.path="$src/examples/data/sample.flac" \
  --param AudioFileSink.path="$tmp/check-sink.wav" "${remote[@]}" >"$tmp/check-all.txt" \
  || { cat "$tmp/check-all.txt"; die "check-plugin on the installed plugins"; }
if [ -n "${serve_pid:-}" ]; then kill -TERM "$serve_pid"; wait "$serve_pid"; serve_pid=; fi
if grep -q "skipped" "$tmp/check-all.txt"; then
  cat "$tmp/check-all.txt"; die "check-plugin skipped a node type"
fi

step "the template's own tests (ctest)"
ctest --test-dir "$tb" --output-on-failure >"$tmp/ctest.log" \
  || { cat "$tmp/ctest.log"; die "the template's tests failed"; }

step "build and test the template with pkg-config only (Makefile)"
PKG_CONFIG_PATH="$prefix/lib/pkgconfig" make -s -C "$src/sdk-template" \
  BUILD="$tmp/template-make" test >"$tmp/make.log" 2>&1 \
  || { cat "$tmp/make.log"; die "the pkg-config build or its test failed"; }
if grep -q "warning:" "$tmp/make.log"; then cat "$tmp/make.log"; die "warnings"; fi
"$rmrun" --no-default-plugins --plugins "$tmp/template-make/plugins" --list \
  | grep -q GainNode || die "the pkg-config build's gain.so does not load"

echo "ok: sdk-template builds, loads, runs and checks against the installed runtime"
