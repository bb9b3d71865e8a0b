#!/usr/bin/env bash
# trace_order.sh: checks, in the JSON that `petrel trace pi-trace` wrote
# (tools/petrel/trace_output.h: one event a line, the instants in the order
# the kernel recorded them), that the priority inversion of
# tests/guest/pi-trace was resolved by priority inheritance, in this order:
#   low takes the mutex; high asks for it (mutex lock) and blocks on it;
#   low is boosted to high's priority (3); low gives the mutex up (unlock);
#   high is given it (mutex take) and runs; low drops back to 1;
# and that medium did not run while high waited (without inheritance it
# would have: it outranks unboosted low).
# Usage: trace_order.sh FILE.json. Exit status 0 when it holds, 1 (naming the
# step) when it does not, 2 when the file is missing or no trace JSON.
set -u
json=${1:-}
if [[ -z $json || ! -f $json ]]; then
  echo "trace_order: no file '$json' (usage: trace_order.sh FILE.json)" >&2
  exit 2
fi
if ! grep -q '^{"displayTimeUnit":"ns","traceEvents":\[$' "$json"; then
  echo "trace_order: $json is not a trace written by petrel trace" >&2
  exit 2
fi

# first_after LINE NAME TASK [TEXT]: the number of the first line after LINE
# with the event NAME of task TASK (and TEXT, if given); nothing if none.
first_after() {
  awk -v after="$1" -v name="\"name\":\"$2\"" -v task="\"task\":\"$3\"" -v more="${4:-}" \
    'NR > after && index($0, name) && index($0, task) && (more == "" || index($0, more)) {
       print NR; exit
     }' "$json"
}

line=0
# step WHAT NAME TASK [TEXT]: the next such event after the previous step's.
step() {
  local what=$1
  shift
  local found
  found=$(first_after "$line" "$@")
  if [[ -z $found ]]; then
    echo "trace_order: FAIL: no '$what' (event '$1' of task '$2'${3:+ with $3}) after line $line"
    exit 1
  fi
  echo "trace_order: line $found: $what"
  line=$found
}

step "low takes the mutex" "mutex take" low
step "high asks for the mutex" "mutex lock" high
asked=$line
step "low is boosted to 3" priority low '"detail":"1 -> 3"'
boosted=$line
line=$asked
step "high blocks on the mutex" block high '"detail":"on mutex '
step "low gives the mutex up" "mutex unlock" low
if ((boosted > line)); then
  echo "trace_order: FAIL: low was boosted (line $boosted) only after it gave the mutex up"
  exit 1
fi
step "high is given the mutex" "mutex take" high
step "low drops back to 1" priority low '"detail":"3 -> 1"'
blocked=$(first_after "$asked" block high)
step "high runs" switch high
ran=$line
medium=$(first_after "$blocked" switch medium)
if [[ -n $medium && $medium -lt $ran ]]; then
  echo "trace_order: FAIL: medium ran (line $medium) while high waited for the mutex (lines $blocked-$ran): no priority inheritance"
  exit 1
fi
echo "trace_order: medium did not run while high waited (lines $blocked-$ran)"
echo "trace_order: PASS"
