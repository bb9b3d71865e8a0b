#!/usr/bin/env bash
# trace_pi.sh: the system test of `petrel trace` (docs/debugging.md) on one
# architecture: traces tests/guest/pi-trace (built with the trace on, in
# build/ARCH-trace), checks what the tool printed and wrote, and the order of
# the events in its JSON (trace_order.sh).
# Usage: trace_pi.sh PETREL ARCH OUT_DIR
set -u
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd) || exit 1
if [[ $# -ne 3 ]]; then
  echo "usage: trace_pi.sh PETREL ARCH OUT_DIR" >&2
  exit 2
fi
petrel=$1 arch=$2 out=$3
case $arch in
  arm64) title=AArch64 ;;
  arm32) title=AArch32 ;;
  *) echo "trace_pi: ARCH is arm64 or arm32" >&2; exit 2 ;;
esac
rm -rf "$out"
"$here/expect.sh" --status 0 \
  --match "^pi-trace: steps LaGHMD \\(expected LaGHMD\\), low boosted to 3: yes$" \
  --match "^petrel: trace of pi-trace \\($title\\):$" \
  --match "^  [0-9]+ events over [0-9.]+ ms$" \
  --match "^  high +3 +[0-9.]+%$" \
  --match "^  medium +2 +[1-9][0-9.]*%$" \
  --match "^  low +1 +[1-9][0-9.]*%$" \
  --match "^  worst interrupt -> task latency: [0-9.]+ (us|ms) \\(irq 27 -> medium, " \
  --match "^petrel: wrote .*/pi-trace\\.json .* and .*/pi-trace\\.svg$" \
  --absent "@petrel-trace|PETREL FAULT|PANIC" \
  -- "$petrel" trace pi-trace --arch "$arch" --out "$out" --timeout 120 || exit 1
svg=$out/pi-trace.svg
for lane in interrupts high medium low; do
  grep -q ">$lane</text>" "$svg" || { echo "trace_pi: FAIL: $svg has no lane '$lane'"; exit 1; }
done
grep -q 'irq 27 -&gt; medium: ' "$svg" || {
  echo "trace_pi: FAIL: $svg does not label the worst latency (irq 27 -> medium)"
  exit 1
}
exec "$here/trace_order.sh" "$out/pi-trace.json"
