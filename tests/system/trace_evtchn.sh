#!/usr/bin/env bash
# trace_evtchn.sh: `petrel trace` of tests/guest/xen-tests on one
# architecture (docs/debugging.md): the JSON must hold one "evtchn upcall"
# event for every event the guest's event-channel layer says it dispatched
# ("xen-tests: N upcalls, M events dispatched, ..."), and the interrupt of
# the upcalls (PPI 31) must be in it.
# Usage: trace_evtchn.sh PETREL ARCH OUT_DIR
set -u
if [[ $# -ne 3 ]]; then
  echo "usage: trace_evtchn.sh PETREL ARCH OUT_DIR" >&2
  exit 2
fi
petrel=$1 arch=$2 out=$3
rm -rf "$out"
log=$(mktemp) || exit 1
trap 'rm -f "$log"' EXIT
"$petrel" trace xen-tests --arch "$arch" --out "$out" --timeout 120 >"$log" 2>&1
status=$?
cat "$log"
if ((status != 0)); then
  echo "trace_evtchn: FAIL: petrel trace exited with $status"
  exit 1
fi
dispatched=$(sed -n 's/^xen-tests: [0-9]* upcalls, \([0-9]*\) events dispatched.*/\1/p' "$log")
if [[ -z $dispatched ]]; then
  echo "trace_evtchn: FAIL: the guest did not say how many events it dispatched"
  exit 1
fi
json=$out/xen-tests.json
traced=$(grep -c '"name":"evtchn upcall"' "$json")
echo "trace_evtchn: the guest dispatched $dispatched events, the trace has $traced"
if ((traced != dispatched || dispatched == 0)); then
  echo "trace_evtchn: FAIL: $traced evtchn upcall events in $json, $dispatched dispatched"
  exit 1
fi
if ! grep -q '"name":"irq enter".*"detail":"irq 31"' "$json"; then
  echo "trace_evtchn: FAIL: no entry of the upcall interrupt (irq 31) in $json"
  exit 1
fi
echo "trace_evtchn: PASS"
