#!/usr/bin/env bash
# expect.sh: runs a command and checks its exit status and output.
#   expect.sh [--status N|nonzero] [--match ERE]... [--absent ERE]... -- COMMAND...
# Prints the command's output (stdout and stderr together) so CTest shows it
# on failure, then every check that failed.
set -u
status_want=0 matches=() absents=()
while (($#)); do
  case $1 in
    --status) status_want=$2; shift 2 ;;
    --match) matches+=("$2"); shift 2 ;;
    --absent) absents+=("$2"); shift 2 ;;
    --) shift; break ;;
    *) echo "expect.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
(($#)) || { echo "expect.sh: no command" >&2; exit 2; }

out=$(mktemp)
trap 'rm -f "$out"' EXIT
"$@" >"$out" 2>&1
status=$?
cat "$out"
echo "--- exit status $status"

failed=0
if [[ $status_want == nonzero ]]; then
  ((status != 0)) || { echo "FAIL: expected a non-zero exit status"; failed=1; }
elif ((status != status_want)); then
  echo "FAIL: expected exit status $status_want, got $status"; failed=1
fi
for m in "${matches[@]}"; do
  grep -Eq -- "$m" "$out" || { echo "FAIL: output lacks /$m/"; failed=1; }
done
for a in "${absents[@]}"; do
  if grep -Eq -- "$a" "$out"; then echo "FAIL: output has /$a/"; failed=1; fi
done
exit $failed
