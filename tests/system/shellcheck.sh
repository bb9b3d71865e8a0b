#!/usr/bin/env bash
# Lint test: runs shellcheck over every shell script of the tree; fails
# on any finding. The scripts that run in dom0 (busybox sh) are checked as
# POSIX sh, with tools/dom0 on the source path for `. ./petrel-dom0.sh`.
# Usage: tests/system/shellcheck.sh [INIT_PRINTER], where INIT_PRINTER
# prints the dom0 /init that the petrel tool generates
# (tests/unit/dom0_init_print.cc): it is checked too.
set -u
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd) || exit 1
if ! command -v shellcheck >/dev/null; then
  echo "shellcheck not found: install it with 'sudo apt-get install shellcheck'"
  exit 1
fi
cd "$root" || exit 1
status=0
checked=0
check() {  # check SHELL FILE...
  local shell=$1
  shift
  for f in "$@"; do
    checked=$((checked + 1))
    shellcheck -s "$shell" -x -P SCRIPTDIR -P "$root/tools/dom0" "$f" || status=1
  done
}
check bash petrel .ci/run tests/system/*.sh tests/fuzz/*.sh
check sh tests/system/dom0/*.sh bench/*.sh tools/dom0/*.sh demo/*.sh
if [[ $# -ge 1 ]]; then
  init=$(mktemp) || exit 1
  trap 'rm -f "$init"' EXIT
  if "$1" >"$init"; then
    echo "the generated dom0 /init is checked as $init"
    check sh "$init"
  else
    echo "$1 failed"
    status=1
  fi
fi
if [[ $status -eq 0 ]]; then
  echo "shellcheck: $checked scripts, no findings"
fi
exit $status
