#!/usr/bin/env bash
# run_fuzz.sh FUZZER SEEDS BUILT_SEEDS REGRESSIONS WORK SECONDS RUNS: the
# CTest case of one fuzz target (register.cmake). Replays every regression
# input (inputs that once crashed the parser) and every seed (SEEDS, and
# BUILT_SEEDS, the ones the fuzz build writes, or - for a target that has
# none), then fuzzes for at most SECONDS seconds or RUNS executions. The
# committed corpus is read only:
# what the run finds goes to WORK/corpus, emptied first, and a crash's input
# to WORK/ (libFuzzer's artifact), which the output names.
set -u
if (($# != 7)); then
  echo "usage: $0 FUZZER SEEDS BUILT_SEEDS REGRESSIONS WORK SECONDS RUNS" >&2
  exit 2
fi
fuzzer=$1 seeds=$2 built_seeds=$3 regressions=$4 work=$5 seconds=$6 runs=$7
if [[ ! -x $fuzzer ]]; then
  echo "no fuzz target $fuzzer: build the fuzz preset first (./petrel build does;" \
    "or cmake --preset fuzz && cmake --build --preset fuzz, which needs clang and libclang-rt-14-dev)"
  exit 1
fi
if [[ $built_seeds != - && ! -d $built_seeds ]]; then
  echo "no seeds in $built_seeds: the fuzz build writes them (./petrel build does;" \
    "or cmake --build --preset fuzz)"
  exit 1
fi
rm -rf "$work"
mkdir -p "$work/corpus" || exit 1
dirs=("$work/corpus")
[[ -d $seeds ]] && dirs+=("$seeds")
[[ $built_seeds != - ]] && dirs+=("$built_seeds")
[[ -d $regressions ]] && dirs+=("$regressions")
# libFuzzer's output (a line per new input) goes to a log; its end is shown.
log=$work/fuzz.log
"$fuzzer" -max_total_time="$seconds" -runs="$runs" -timeout=10 -rss_limit_mb=1024 \
  -print_final_stats=1 -artifact_prefix="$work/" "${dirs[@]}" >"$log" 2>&1
status=$?
if ((status != 0)); then
  tail -n 80 "$log"
  echo "fuzz target $fuzzer failed (exit status $status); whole output in $log"
  exit 1
fi
grep -E '^(INFO: seed corpus|#[0-9]+ +DONE|Done |stat::number_of_executed_units)' "$log"
