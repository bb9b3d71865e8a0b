#!/usr/bin/env bash
# clang_tidy.sh HOST_BUILD: runs clang-tidy (.clang-tidy at the top) over the
# product sources (kernel/, lib/, arch/, xen/, freertos/ and tools/; not the
# tests): as the host build compiles them (HOST_BUILD/compile_commands.json),
# then the guest-only sources (the ARM port, the Xen drivers, xenstore, vchan,
# the C library glue) as the AArch64 and as the AArch32 guest builds compile
# them (build/arm64 and build/arm32, with clang's matching target). A portable
# source the host build compiles is checked there once, not again for each
# guest (that tripled the time of the test). Fails on any finding, or when a
# build to check is missing.
set -u
host_build=$1
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd) || exit 1
runner=$(command -v run-clang-tidy || command -v run-clang-tidy-14 || true)
if [[ -z $runner ]] || ! command -v clang-tidy >/dev/null; then
  echo "clang-tidy not found: install it with 'sudo apt-get install clang-tidy'"
  exit 1
fi
cd "$root" || exit 1
status=0

# The source files a build compiles (from its compile_commands.json).
sources() {
  sed -n 's/^ *"file": "\(.*\)",\{0,1\}$/\1/p' "$1/compile_commands.json" | sort -u
}

# The sources the 32-bit guest need not check again: what the host build
# compiles, less what it compiles only for the fake Xen of the host tests
# (petrel_xen_fake: the Xen glue, checked again as AArch32 compiles it, with
# 32-bit pointers and sizes). The glue has no architecture-specific code, so
# the 64-bit host's check stands for AArch64's.
host_checked_but_fake() {
  awk '/"command":/ { fake = index($0, "petrel_xen_fake.dir/") > 0 }
       /"file":/ && !fake { sub(/^ *"file": "/, ""); sub(/",?$/, ""); print }' \
    "$1/compile_commands.json" | sort -u
}

# tidy NAME BUILD_DIR FILE_REGEX SKIP_LIST [CLANG_ARG...]: the files of
# BUILD_DIR matching FILE_REGEX, less those SKIP_LIST names (a file, or "").
tidy() {
  local name=$1 build=$2 files=$3 skip=$4
  shift 4
  if [[ ! -f $build/compile_commands.json ]]; then
    echo "clang-tidy: no $build/compile_commands.json: build the $name sources first (./petrel build)"
    status=1
    return
  fi
  local selected=() f
  while IFS= read -r f; do
    [[ $f =~ $files ]] || continue
    if [[ -n $skip ]] && grep -qxF -- "$f" "$skip"; then continue; fi
    selected+=("^${f//./\\.}\$")
  done < <(sources "$build")
  if ((${#selected[@]} == 0)); then
    echo "clang-tidy: no $name sources selected from $build"
    status=1
    return
  fi
  local args=() a out
  for a in "$@"; do args+=("-extra-arg=$a"); done
  out=$("$runner" -p "$build" -quiet -j "$(nproc)" "${args[@]}" "${selected[@]}" 2>&1 |
    sed 's/\x1b\[[0-9;]*m//g')
  if grep -qE 'warning:|error:' <<<"$out"; then
    grep -vE '^(clang-tidy|[0-9]+ warnings? generated|Suppressed|Use -header-filter|Running clang-tidy)' <<<"$out"
    echo "clang-tidy: findings in the $name sources"
    status=1
  else
    echo "clang-tidy: $(grep -c '^clang-tidy' <<<"$out") $name sources, no findings"
  fi
}

# The guests are built with GCC; clang is told the target and to let pass
# the GCC-only options it does not know (LTO's -fno-fat-lto-objects among them).
guest_args=(-Wno-unknown-warning-option -Wno-unused-command-line-argument
  -Wno-ignored-optimization-argument)
skip64=$(mktemp) skip32=$(mktemp)
trap 'rm -f "$skip64" "$skip32"' EXIT
sources "$host_build" >"$skip64"
host_checked_but_fake "$host_build" >"$skip32"
tidy host "$host_build" "^$root/(kernel|lib|arch|xen|freertos|tools)/" ""
tidy AArch64 "$root/build/arm64" "^$root/(kernel|lib|arch|xen|freertos)/.*\\.cc\$" "$skip64" \
  --target=aarch64-linux-gnu "${guest_args[@]}"
tidy AArch32 "$root/build/arm32" "^$root/(kernel|lib|arch|xen|freertos)/.*\\.cc\$" "$skip32" \
  --target=arm-linux-gnueabihf "${guest_args[@]}"
exit $status
