#!/usr/bin/env bash
# static_channels.sh PETREL HELLO_BIN: the tool's wiring of static channels
# (tools/petrel/static_channels.h) on real Xen. Two copies of hello, a and b,
# declare one channel to each other (a.channels, b.channels beside them):
#   1. on the real-time Xen (--xen rt) the run wires a static event channel
#      and a 64 KiB static shared region: Xen takes both (it panics on a node
#      it refuses, and logs the region it reserves) and both guests exit 0;
#   2. on Debian's Xen (no static shared memory) the same declarations give a
#      doorbell, and both guests exit 0;
#   3. a declaration without its other end is refused before anything boots.
set -u
petrel=$1 hello=$2
work=$(mktemp -d) || exit 1
trap 'rm -rf "$work"' EXIT
failed=0
fail() {
  echo "FAIL: $*"
  failed=1
}
cp "$hello" "$work/a.bin" && cp "$hello" "$work/b.bin" || exit 1
echo "channel ping peer b port 10 shm 65536 owner" >"$work/a.channels"
echo "channel ping peer a port 11 shm 65536 borrower" >"$work/b.channels"

out=$("$petrel" run --no-build --raw --xen rt --timeout 60 "$work/a.bin" "$work/b.bin" 2>&1)
status=$?
echo "$out" | grep -E 'static|shared memory|@petrel-exit|panic'
((status == 0)) || fail "the real-time run exited with $status"
grep -q '^petrel: static channel ping: a port 10 <-> b port 11, 64 KiB shared (owner a) at host 0x7fe00000, guest 0x70000000$' <<<"$out" ||
  fail "the wiring line is missing"
grep -q 'allocate static shared memory BANK 0x0*7fe00000-0x0*7fe10000' <<<"$out" ||
  fail "Xen reserved no shared region"

out=$("$petrel" run --no-build --raw --timeout 60 "$work/a.bin" "$work/b.bin" 2>&1)
status=$?
echo "$out" | grep -E 'static|@petrel-exit|panic'
((status == 0)) || fail "the run on Debian's Xen exited with $status"
grep -q '^petrel: static channel ping: a port 10 <-> b port 11, a doorbell (no shared region)$' <<<"$out" ||
  fail "no doorbell on Debian's Xen"

echo "channel ping peer a port 11 shm 65536 owner" >"$work/b.channels"
out=$("$petrel" run --no-build --xen rt "$work/a.bin" "$work/b.bin" 2>&1)
status=$?
echo "$out"
((status == 2)) || fail "two owners gave exit status $status, not 2"
grep -q 'exactly one end owns the region' <<<"$out" || fail "two owners were not named"
grep -q 'Xen' <<<"$out" && fail "something booted"

rm "$work/b.channels"
out=$("$petrel" run --no-build "$work/a.bin" "$work/b.bin" 2>&1)
status=$?
echo "$out"
((status == 2)) || fail "a one-sided channel gave exit status $status, not 2"
grep -q "a's channel 'ping' has no other end" <<<"$out" || fail "the missing end was not named"
exit $failed
