#!/usr/bin/env bash
# rmrun check-plugin: every deliberate ABI violation is reported, healthy
# plugins pass, usage errors exit 2.
# Usage: test_check_plugin.sh RMRUN BAD.so EXPORTS.so GOOD.so PROJECT_PLUGIN_DIR LOAD_FAULT_DIR
set -uo pipefail
rmrun=$1 bad=$2 exports=$3 good=$4 project_dir=$5 load_faults=$6
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
out=$(mktemp)
trap 'rm -f "$out"' EXIT

# expect_exit CODE ARGS... : run check-plugin, keep the output in $out.
expect_exit() {
  local want=$1; shift
  "$rmrun" check-plugin "$@" >"$out" 2>&1
  local got=$?
  if [ "$got" != "$want" ]; then
    fail "check-plugin $* exited $got, expected $want"; cat "$out"
  fi
}
expect_line() {
  grep -qE -- "$1" "$out" || { fail "no line matching: $1"; cat "$out"; }
}

expect_exit 1 --timeout 1 "$bad"
expect_line 'PROBLEM BadCrash: .* crashed with SIGSEGV .*during process/flush'
expect_line 'PROBLEM BadSilentError: .* without calling host->error_set'
expect_line 'PROBLEM BadLeak: .* never released after destroy'
expect_line 'PROBLEM BadKeepsInput: .* input item still has 1 reference besides ours'
expect_line 'PROBLEM BadNullEmit: .* emitted a NULL item'
expect_line 'PROBLEM BadHang: .* did not finish within 1 s during process/flush'
expect_line 'PROBLEM BadAllocLeak: \[no input \(flush only\)\] 1 block from host->alloc/realloc never freed'
# An endless source is stopped by whichever limit it reaches first: the
# 1 s alarm on a slow or loaded machine, the 1024 MiB memory cap on a fast
# one. Both are the right answer; which one depends on speed.
expect_line 'NOTE +SourceEndless: .* still generating after (1 s|[0-9]+ MiB of output)'
expect_line 'symbols +ok'
expect_line '=> NOT conformant'

expect_exit 1 "$exports"
expect_line 'PROBLEM symbols: .*check_plugin_leaked_helper'
expect_line 'ExportsPass +ok'

expect_exit 0 "$good"
expect_line '=> conformant'

# The registry's load checks, reported under the file's own name.
testdir=$(dirname "$good")
expect_exit 1 "$testdir/rmtest_bad_param.so" "$testdir/rmtest_abi_major2.so"
expect_line "PROBLEM load: bad descriptor: $testdir/rmtest_bad_param.so: .*'volume'"
expect_line "PROBLEM load: unsupported ABI: $testdir/rmtest_abi_major2.so: plugin ABI 2.0"
expect_line '0 of 2 plugin files conformant'

# Every plugin the project ships.
shopt -s nullglob
shipped=("$project_dir"/*.so)
[ ${#shipped[@]} -gt 0 ] || fail "no plugins in $project_dir"
expect_exit 0 "${shipped[@]}"
expect_line "${#shipped[@]} of ${#shipped[@]} plugin files conformant|=> conformant"

# Faults while loading (#21.5), with and without the registry's scanner
# child: exit(0) in a constructor was "conformant", a FIFO named x.so and a
# hanging constructor ignored --timeout (the FIFO hung for ever).
fifo_dir=$(mktemp -d)
mkfifo "$fifo_dir/x.so"
expect_exit 1 --timeout 1 "$fifo_dir/x.so"
expect_line 'PROBLEM load: not a regular file \(a FIFO\)'
rm -rf "$fifo_dir"
expect_exit 1 "$load_faults/rmtest_ctor_exit0.so"
expect_line 'PROBLEM load: .*exit\(0\) while loading'
REMOTEMEDIA_SCAN=0 expect_exit 1 "$load_faults/rmtest_ctor_exit0.so"
expect_line 'PROBLEM load: ended the process with exit\(0\) while loading'
REMOTEMEDIA_SCAN=0 expect_exit 1 "$load_faults/rmtest_ctor_exit42.so"
expect_line 'PROBLEM load: ended the process with exit\(42\) while loading'
expect_exit 1 --timeout 1 "$load_faults/rmtest_ctor_hang.so"
expect_line 'did not finish loading within 1000 ms'
REMOTEMEDIA_SCAN=0 expect_exit 1 --timeout 1 "$load_faults/rmtest_ctor_hang.so"
expect_line 'PROBLEM load: still loading after 6 s'

# Not a plugin, missing files, usage.
expect_exit 1 /nonexistent/plugin.so
expect_line 'PROBLEM load'
expect_exit 2
expect_exit 2 --param nodot "$good"
expect_exit 2 --timeout 0 "$good"
expect_exit 2 --bogus "$good"

if [ "$failures" -ne 0 ]; then echo "$failures failure(s)"; exit 1; fi
echo "ok: check-plugin reports every violation"
