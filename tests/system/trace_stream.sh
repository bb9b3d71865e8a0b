#!/usr/bin/env bash
# trace_stream.sh: `petrel trace trace-stream --dom0` on one architecture
# (docs/debugging.md "Streaming with a dom0"): tests/guest/trace-stream
# records 12000 marks, more than the traced ring's 8192 events, while its
# trace streams over vchan to dom0. The JSON must hold every mark, 0 to
# 11999 in order, with nothing dropped or lost, and most events must have
# come through the stream. Then the traced image's switch trace point is
# checked for the store order the reader relies on (trace_store_order.sh).
# Usage: trace_stream.sh PETREL ARCH OUT_DIR
set -u
if [[ $# -ne 3 ]]; then
  echo "usage: trace_stream.sh PETREL ARCH OUT_DIR" >&2
  exit 2
fi
petrel=$1 arch=$2 out=$3
here=$(cd "$(dirname "$0")" && pwd)
rm -rf "$out"
log=$(mktemp) || exit 1
trap 'rm -f "$log"' EXIT
"$petrel" trace trace-stream --dom0 --arch "$arch" --out "$out" --timeout 240 >"$log" 2>&1
status=$?
cat "$log"
fail() {
  echo "trace_stream: FAIL: $*"
  exit 1
}
((status == 0)) || fail "petrel trace exited with $status"
summary=$(grep -E '^  [0-9]+ events, [0-9]+ of them streamed over vchan' "$log") ||
  fail "no summary of the stream"
read -r total streamed dropped lost < <(sed -E 's/^ *([0-9]+) events, ([0-9]+) of them streamed over vchan while the guest ran, ([0-9]+) dropped, ([0-9]+) lost$/\1 \2 \3 \4/' <<<"$summary")
((dropped == 0 && lost == 0)) || fail "$dropped events dropped, $lost lost"
((streamed > 8192)) || fail "only $streamed events came through the stream (the ring holds 8192)"
json=$out/trace-stream.json
marks=$(grep -o '"name":"mark".*"detail":"[0-9]*"' "$json" | sed -E 's/.*"detail":"([0-9]+)"/\1/')
count=$(wc -l <<<"$marks")
((count == 12000)) || fail "$count marks in $json, not 12000"
awk 'NR - 1 != $1 { print "mark " NR - 1 " is " $1; bad = 1; exit } END { exit bad }' <<<"$marks" ||
  fail "the marks are not 0 .. 11999 in order"
"$here/trace_store_order.sh" "$arch" "$here/../../build/$arch-trace/apps/trace-stream.elf" ||
  fail "the trace point's stores are not in the order the reader needs"
echo "trace_stream: PASS: $total events, $streamed streamed, all 12000 marks in order"
