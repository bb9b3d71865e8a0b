#!/usr/bin/env bash
# trace_store_order.sh: the streaming reader (kernel/trace.h take()) counts
# a slot as written once its head reads non-zero, which holds only if the
# trace point stores the head with or after its word: GCC 12 pairs them in
# one `stp` on AArch64 and stores the head last on AArch32. That is the
# compiler's choice (docs/debugging.md "Streaming with a dom0"), so this
# checks it in the switch's trace point of a traced image: the stores of
# the slot after the claim's store-exclusive in `schedule`.
# Usage: trace_store_order.sh arm64|arm32 ELF
set -u
if [[ $# -ne 2 ]]; then
  echo "usage: trace_store_order.sh arm64|arm32 ELF" >&2
  exit 2
fi
arch=$1 elf=$2
case $arch in
  arm64) objdump=aarch64-linux-gnu-objdump claim=stxr ;;
  arm32) objdump=arm-linux-gnueabihf-objdump claim=strex ;;
  *) echo "trace_store_order: unknown architecture $arch" >&2; exit 2 ;;
esac
[[ -f $elf ]] || { echo "trace_store_order: FAIL: no $elf" >&2; exit 1; }
# The twelve instructions after the claim's store-exclusive in schedule().
stores=$("$objdump" -d --no-show-raw-insn "$elf" |
  awk '/<_ZN6petrel6kernel8scheduleEv>:/ { inside = 1; next }
       inside && /^$/ { exit }
       inside && $0 ~ "\t'"$claim"'\t" { after = 1; n = 0; next }
       after && n < 12 { print; n++ }' |
  grep -E $'\t(stp|str|str\\.w|strd)\t')
echo "trace_store_order: the slot's stores in $elf (schedule):"
echo "$stores"
if [[ $arch == arm64 ]]; then
  # The head (offset 8) and the word (12) in one stp, or one 64-bit str at 8.
  grep -qE $'\t(stp\tw[0-9]+, w[0-9]+|str\tx[0-9]+), \\[x[0-9]+, #8\\]' <<<"$stores" ||
    { echo "trace_store_order: FAIL: the head and word are not one store"; exit 1; }
else
  # The word (offset 12) stored before the head (offset 8).
  word=$(grep -nE '\[r[0-9]+, #12\]' <<<"$stores" | head -1 | cut -d: -f1)
  head=$(grep -nE '\[r[0-9]+, #8\]' <<<"$stores" | head -1 | cut -d: -f1)
  if [[ -z $word || -z $head ]] || ((word > head)); then
    echo "trace_store_order: FAIL: the head is not stored after the word"
    exit 1
  fi
fi
echo "trace_store_order: PASS"
