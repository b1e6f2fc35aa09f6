#!/usr/bin/env bash
# MultiplyNode on a 1 M-element tensor of each dtype (bench_math_tensor):
# 1. instructions (callgrind's Ir, a count: the same on a busy machine)
#    of one call, inside the node's process call only
#    (--toggle-collect=math_process: the loops and the output's
#    allocation, not the setup);
# 2. with --rounds R, time: R rounds, each running every binary once (21
#    calls per dtype, its median), interleaved; the median of the rounds.
# With two binaries (built before and after a change) each table has both
# and their ratio (after / before).
# Usage: bench/math/count_math.sh BENCH [BENCH_AFTER] [--elements N] [--rounds R]
#   e.g. bench/math/count_math.sh build/bench/bench_math_tensor
set -euo pipefail
bins=()
elements=1000000
rounds=0
while [ $# -gt 0 ]; do
  case "$1" in
    --elements) elements=$2; shift 2 ;;
    --rounds) rounds=$2; shift 2 ;;
    *) bins+=("$1"); shift ;;
  esac
done
if [ ${#bins[@]} -lt 1 ] || [ ${#bins[@]} -gt 2 ]; then
  echo "usage: $0 BENCH [BENCH_AFTER] [--elements N] [--rounds R]" >&2
  exit 2
fi
command -v valgrind >/dev/null || { echo "$0: valgrind is not installed" >&2; exit 2; }
dtypes="i8 i16 i32 i64 u8 u16 u32 u64 f32 f64"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

count() { # BIN DTYPE -> Ir of math_process and its callees
  valgrind --tool=callgrind --toggle-collect=math_process \
    --callgrind-out-file="$out/cg" "$1" --elements "$elements" --repeats 1 "$2" \
    >/dev/null 2>"$out/log" || { cat "$out/log" >&2; exit 1; }
  sed -n 's/^totals: *\([0-9]*\).*/\1/p;s/^summary: *\([0-9]*\).*/\1/p' "$out/cg" | head -1
}
echo "Instructions per call (callgrind), $elements elements:"
echo
if [ ${#bins[@]} -eq 1 ]; then
  echo "| dtype | instructions | per element |"
  echo "|---|---:|---:|"
else
  echo "| dtype | instructions before | after | after / before | per element before | after |"
  echo "|---|---:|---:|---:|---:|---:|"
fi
for dtype in $dtypes; do
  a=$(count "${bins[0]}" "$dtype")
  if [ ${#bins[@]} -eq 1 ]; then
    awk -v d="$dtype" -v n="$elements" -v a="$a" \
      'BEGIN { printf "| %s | %d | %.2f |\n", d, a, a / n }'
  else
    b=$(count "${bins[1]}" "$dtype")
    awk -v d="$dtype" -v n="$elements" -v a="$a" -v b="$b" \
      'BEGIN { printf "| %s | %d | %d | %.3f | %.2f | %.2f |\n", d, a, b, b / a, a / n, b / n }'
  fi
done

[ "$rounds" -gt 0 ] || exit 0
for r in $(seq "$rounds"); do
  for i in "${!bins[@]}"; do
    "${bins[$i]}" --elements "$elements" | awk -v b="$i" -F'|' \
      'NR > 2 { gsub(/ /, "", $2); print b, $2, $4 + 0 }' >>"$out/times"
  done
done
echo
echo "Median ms per call, $rounds interleaved rounds (each a median of 21 calls):"
echo
awk -v nbins=${#bins[@]} -v order="$dtypes" '
  function median(key,   n, i, j, t, v) {
    n = split(all[key], v, " ")
    for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++)
      if (v[j] < v[i]) { t = v[i]; v[i] = v[j]; v[j] = t }
    return n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
  }
  { all[$1 " " $2] = all[$1 " " $2] " " $3 }
  END {
    if (nbins == 1) { print "| dtype | ms |"; print "|---|---:|" }
    else { print "| dtype | ms before | after | after / before |"; print "|---|---:|---:|---:|" }
    n = split(order, d, " ")
    for (k = 1; k <= n; k++) {
      a = median("0 " d[k])
      if (nbins == 1) printf "| %s | %.3f |\n", d[k], a
      else { b = median("1 " d[k]); printf "| %s | %.3f | %.3f | %.2f |\n", d[k], a, b, b / a }
    }
  }' "$out/times"
