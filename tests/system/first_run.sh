#!/usr/bin/env bash
# first_run.sh HOST_BUILD: the first run on a fresh machine. There, ./petrel's
# bootstrap configures the host build (to build the tool) before the tool has
# installed the cross compilers; a configuration that looked for the AArch64
# compiler then cached "not found" and left the dom0 tools out for good.
#
# 1. The source tree (the files git knows, as they are now) is copied to a
#    temporary directory, with no build in it.
# 2. In a mount namespace where Debian's cross compilers are hidden (an empty,
#    non-executable file bind-mounted over each), the copy's ./petrel
#    bootstraps: it configures the host build and builds the tool.
# 3. Still hidden, a missing compiler is an error that names the package:
#    `./petrel build` (installing turned off) exits with 3 naming
#    g++-aarch64-linux-gnu and g++-arm-linux-gnueabihf, and building the dom0
#    tools fails naming gcc-aarch64-linux-gnu.
# 4. With the compilers back, as after the tool installed them, the copy's
#    host build builds the dom0 tools, and it has every target that
#    HOST_BUILD (configured with everything installed) has.
#
# Needs root (for `unshare -m`) or unprivileged user namespaces
# (`unshare -rm`); says so and fails otherwise.
set -u
host_build=$1
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd) || exit 1

fail() {
  echo "FAIL: $*"
  exit 1
}

if [[ $(id -u) == 0 ]]; then ns=(unshare -m); else ns=(unshare -rm); fi
"${ns[@]}" true 2>/dev/null ||
  fail "cannot make a mount namespace with '${ns[*]}': run as root, or enable unprivileged user namespaces (sysctl kernel.unprivileged_userns_clone=1)"

work=$(mktemp -d) || exit 1
trap 'rm -rf "$work"' EXIT
copy=$work/petrel

# 1. A copy of the tree as git sees it (untracked files too, ignored ones not).
mkdir "$copy"
git -C "$root" ls-files -z --cached --others --exclude-standard |
  while IFS= read -r -d '' f; do [[ -e $root/$f ]] && printf '%s\0' "$f"; done |
  tar -C "$root" --null -T - -cf - | tar -C "$copy" -xf - || fail "copying the tree"
[[ ! -e $copy/build ]] || fail "the copy has a build directory"

compilers=()
for c in aarch64-linux-gnu-gcc aarch64-linux-gnu-g++ arm-linux-gnueabihf-gcc arm-linux-gnueabihf-g++; do
  p=$(command -v "$c") || fail "$c is not installed here: the test hides it, so it must be there ('./petrel setup')"
  compilers+=("$p")
done
hidden=$work/hidden
: >"$hidden"
chmod 644 "$hidden"

# Runs "$@" with the cross compilers hidden (the inner script's variables
# are its own: single quotes on purpose).
hidden_run() {
  # shellcheck disable=SC2016
  "${ns[@]}" bash -c '
    hidden=$1 n=$2
    shift 2
    for ((i = 0; i < n; i++)); do mount --bind "$hidden" "$1" || exit 99; shift; done
    for c in /usr/bin/aarch64-linux-gnu-gcc /usr/bin/arm-linux-gnueabihf-g++; do
      if [[ -x $c ]]; then echo "$c is still executable"; exit 99; fi
    done
    exec "$@"
  ' hide "$hidden" "${#compilers[@]}" "${compilers[@]}" "$@"
}

# The copy's host build compiles without optimization or debug information
# (a compiler launcher puts -O0 -g0 after the build's own flags): what is
# tested here is that the bootstrap configures and builds the tool, not the
# code GCC makes of it (the real host build has that), and building the tool
# at -O2 -g took about 90 of the test's 116 s.
quick=$work/quick-cc
printf '%s\n' '#!/bin/sh' 'exec "$@" -O0 -g0' >"$quick"
chmod +x "$quick"

# 2. The bootstrap, compilers hidden.
out=$(cd "$copy" && hidden_run env PETREL_NO_INSTALL=1 CMAKE_C_COMPILER_LAUNCHER="$quick" \
  CMAKE_CXX_COMPILER_LAUNCHER="$quick" ./petrel help 2>&1) ||
  fail "the bootstrap failed with the cross compilers hidden: $out"
[[ -x $copy/build/host/tools/petrel/petrel ]] || fail "the bootstrap built no tool"
echo "bootstrap with the cross compilers hidden: the host build configured, the tool built"

# 3. Errors that name the package, not warnings and a skip.
out=$(cd "$copy" && hidden_run env PETREL_NO_INSTALL=1 ./petrel build 2>&1)
status=$?
while IFS= read -r line; do echo "  | $line"; done <<<"$out"
((status == 3)) || fail "'petrel build' without the cross compilers exited with $status, not 3"
for pkg in g++-aarch64-linux-gnu g++-arm-linux-gnueabihf; do
  grep -q "apt-get install.*$pkg" <<<"$out" || fail "'petrel build' did not name $pkg"
done
out=$(hidden_run cmake --build "$copy/build/host" --target dom0_tools 2>&1) &&
  fail "the dom0 tools built without a cross compiler: $out"
# The C tools need gcc-aarch64-linux-gnu, the C++ ones g++-aarch64-linux-gnu:
# whichever the build reaches first must be named.
grep -qE "sudo apt-get install g(cc|\+\+)-aarch64-linux-gnu" <<<"$out" ||
  fail "building the dom0 tools without the compiler did not name gcc- or g++-aarch64-linux-gnu: $out"
echo "without the cross compilers: 'petrel build' and the dom0 tools' build fail, naming the packages"

# 4. Compilers back: everything is built that a configuration with
# everything installed builds.
out=$(cmake --build "$copy/build/host" --target dom0_tools 2>&1) ||
  fail "the dom0 tools did not build once the compiler was there: $out"
for t in evtchn-echo gnt-peer demo-logger demo-loop; do
  # ELF magic, 64-bit, little-endian; e_machine 0xb7 (AArch64).
  [[ $(od -An -tx1 -N20 "$copy/build/host/dom0-tools/$t" 2>/dev/null | tr -d ' \n') == 7f454c460201*b700 ]] ||
    fail "no arm64 dom0 tool $t"
done
targets() { cmake --build "$1" --target help | sed -n 's/^\.\.\. \([^ ]*\).*/\1/p' | sort; }
missing=$(comm -23 <(targets "$host_build") <(targets "$copy/build/host"))
[[ -z $missing ]] || fail "targets of a full host build missing after the first run: $missing"
echo "with the compilers back: the dom0 tools built, all $(targets "$host_build" | wc -l) host targets there"
