#!/usr/bin/env bash
# clang_tidy.sh HOST_BUILD: runs clang-tidy (.clang-tidy at the top) over the
# product sources (kernel/, lib/, arch/, xen/, freertos/ and tools/; not the
# tests) three times: as the host build compiles them
# (HOST_BUILD/compile_commands.json), and as the AArch64 and AArch32 guest
# builds do (build/arm64 and build/arm32, with clang's matching target), so
# that guest-only code (the ARM port, the Xen drivers, xenstore, vchan) is
# checked too. Fails on any finding, or when a build to check is missing.
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

# tidy NAME BUILD_DIR FILE_REGEX [CLANG_ARG...]
tidy() {
  local name=$1 build=$2 files=$3
  shift 3
  if [[ ! -f $build/compile_commands.json ]]; then
    echo "clang-tidy: no $build/compile_commands.json: build the $name sources first (./petrel build)"
    status=1
    return
  fi
  local args=() a out
  for a in "$@"; do args+=("-extra-arg=$a"); done
  out=$("$runner" -p "$build" -quiet -j "$(nproc)" "${args[@]}" "$files" 2>&1 |
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
# the GCC-only options it does not know.
guest_args=(-Wno-unknown-warning-option -Wno-unused-command-line-argument)
tidy host "$host_build" "$root/(kernel|lib|arch|xen|freertos|tools)/"
tidy AArch64 "$root/build/arm64" "$root/(kernel|lib|arch|xen|freertos)/.*\\.cc\$" \
  --target=aarch64-linux-gnu "${guest_args[@]}"
tidy AArch32 "$root/build/arm32" "$root/(kernel|lib|arch|xen|freertos)/.*\\.cc\$" \
  --target=arm-linux-gnueabihf "${guest_args[@]}"
exit $status
