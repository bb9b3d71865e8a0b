#!/usr/bin/env bash
# clang_tidy_cache_test.sh: clang_tidy.sh's cache of clean results cannot
# hide a finding. A small tree (copies of lib/'s headers and two of its
# sources, .clang-tidy, clang_tidy.sh) with the three builds clang_tidy.sh
# checks (host, AArch64 and AArch32 compile commands in the shape of the real
# ones, so the guests' --target and GCC-only flags are in play) is checked
# against a cache of its own:
#   1. the first run checks every file and finds nothing; the second takes
#      each group's file from the cache (else what follows proves nothing),
#      and the cache holds a result per group (a guest's is not another's);
#   2. a header every source includes loses the NOLINT that kept a finding
#      quiet (a comment, nowhere in the preprocessed text, in a file no
#      command names): every group reports the finding in that header, and
#      again on the next run (findings are not cached);
#   3. the NOLINT back, the clean results are still there: all from the cache;
#   4. a change to .clang-tidy (a comment) checks everything again.
set -u
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd) || exit 1
work=$(mktemp -d) || exit 1
trap 'rm -rf "$work"' EXIT
tree=$work/petrel
export PETREL_CLANG_TIDY_CACHE=$work/cache

fail() {
  echo "FAIL: $*"
  exit 1
}

mkdir -p "$tree/tests/system" "$tree/lib/src" "$tree/build/host" "$tree/build/arm64" \
  "$tree/build/arm32" || exit 1
if ! { cp "$root/tests/system/clang_tidy.sh" "$tree/tests/system/" &&
  cp "$root/.clang-tidy" "$tree/" &&
  cp -r "$root/lib/include" "$tree/lib/" &&
  cp "$root/lib/src/string.cc" "$root/lib/src/bootargs.cc" "$tree/lib/src/"; }; then
  fail "copying the sources"
fi

# The header with a finding that a NOLINT keeps quiet (misc-redundant-expression).
header=$tree/lib/include/petrel/string.h
cp "$header" "$work/string.h.orig"
printf '%s\n' "namespace petrel {" \
  "inline bool cache_test_same(int a) { return a == a; }  // NOLINT" "}" >>"$header"
cp "$header" "$work/string.h.quiet"
sed 's|  // NOLINT$||' "$work/string.h.quiet" >"$work/string.h.loud"
cmp -s "$work/string.h.quiet" "$work/string.h.loud" && fail "the NOLINT was not removed"

# compile_commands BUILD COMPILER FILE FLAGS...
compile_commands() {
  local build=$1 compiler=$2 file=$3
  shift 3
  cat >"$tree/build/$build/compile_commands.json" <<EOF
[
{
  "directory": "$tree/build/$build",
  "command": "$compiler -I$tree/lib/include $* -O2 -g -Wall -Wextra -Werror -std=c++20 -o CMakeFiles/petrel.dir/$file.o -c $tree/$file",
  "file": "$tree/$file"
}
]
EOF
}
guest_flags=(-ffreestanding -fno-builtin -nostdlib -fno-exceptions -fno-rtti -flto=auto
  -fno-fat-lto-objects)
compile_commands host /usr/bin/c++ lib/src/string.cc
compile_commands arm64 /usr/bin/aarch64-linux-gnu-g++ lib/src/bootargs.cc -DPETREL_ARCH_arm64=1 \
  -mstrict-align -mno-outline-atomics -mgeneral-regs-only "${guest_flags[@]}"
compile_commands arm32 /usr/bin/arm-linux-gnueabihf-g++ lib/src/bootargs.cc -DPETREL_ARCH_arm32=1 \
  -march=armv7ve -mfpu=neon-vfpv4 -mfloat-abi=hard -mthumb "${guest_flags[@]}"

# run EXPECTED_STATUS WHAT: clang_tidy.sh on the tree, its output in $out.
run() {
  out=$("$tree/tests/system/clang_tidy.sh" "$tree/build/host" 2>&1)
  local status=$?
  while IFS= read -r line; do echo "  | $line"; done <<<"$out"
  [[ $status == "$1" ]] || fail "$2: clang_tidy.sh exited with $status, not $1"
}
groups=(host AArch64 AArch32)
expect_clean() {  # expect_clean FROM_CACHE WHAT
  local g
  for g in "${groups[@]}"; do
    grep -qx "clang-tidy: 1 $g sources, no findings ($1 from the cache)" <<<"$out" ||
      fail "$2: not 'clang-tidy: 1 $g sources, no findings ($1 from the cache)'"
  done
}
expect_finding() {  # expect_finding WHAT
  local g
  for g in "${groups[@]}"; do
    grep -qx "clang-tidy: findings in the $g sources (1 of 1 files)" <<<"$out" ||
      fail "$1: no finding reported in the $g sources"
  done
  [[ $(grep -c 'petrel/string\.h:[0-9]*:[0-9]*: .*\[misc-redundant-expression' <<<"$out") == 3 ]] ||
    fail "$1: the finding in string.h is not reported once for each group"
}

echo "1. clean, then clean from the cache"
run 0 "the first run"
expect_clean 0 "the first run"
run 0 "the second run"
expect_clean 1 "the second run"
[[ $(find "$PETREL_CLANG_TIDY_CACHE" -type f | wc -l) == 3 ]] ||
  fail "the cache does not hold one result per group: $(ls "$PETREL_CLANG_TIDY_CACHE")"

echo "2. the NOLINT gone from an included header: the finding reported, twice"
cp "$work/string.h.loud" "$header"
run 1 "the header changed"
expect_finding "the header changed"
run 1 "the header changed, run again"
expect_finding "the header changed, run again"

echo "3. the NOLINT back: the clean results from the cache"
cp "$work/string.h.quiet" "$header"
run 0 "the header back"
expect_clean 1 "the header back"

echo "4. .clang-tidy changed: everything checked again"
echo "# a comment" >>"$tree/.clang-tidy"
run 0 ".clang-tidy changed"
expect_clean 0 ".clang-tidy changed"

echo "the cache hides no finding"
