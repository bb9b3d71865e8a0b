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
#
# Clean results are cached, like ccache does compiles, in
# $PETREL_CACHE/clang-tidy (the tool's cache, ~/.cache/petrel by default;
# PETREL_CLANG_TIDY_CACHE names another directory, "off" turns it off): a
# file whose key has a clean result there is not checked again. The key of a
# file covers everything that can change what clang-tidy finds in it:
#   - clang-tidy itself (its --version, and the size and time of its binary
#     and of each library it loads),
#   - every .clang-tidy under the tree and above it (path and content),
#   - how clang-tidy is run (its arguments: the build, the extra arguments
#     with the guests' --target),
#   - each compile command the build has for the file (a file compiled twice
#     with different flags is checked with both),
#   - the file preprocessed by clang with that command and those extra
#     arguments (what the macros make of it and which headers are found),
#   - and the bytes of every file the preprocessor read (the source and each
#     header, comments and NOLINTs included).
# The tree's own path is left out of the key (a fresh clone elsewhere finds
# the same results) unless the path itself matches .clang-tidy's
# HeaderFilterRegex (then it could decide which headers are checked). Only
# clean results are kept: a file with a finding is checked, and its findings
# reported, on every run. tests/system/clang_tidy_cache_test.sh shows that a
# finding the cache could hide (one in a header) is still reported.
set -u
host_build=$1
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd) || exit 1
tidy_bin=$(command -v clang-tidy || true)
if [[ -z $tidy_bin ]]; then
  echo "clang-tidy not found: install it with 'sudo apt-get install clang-tidy'"
  exit 1
fi
tidy_bin=$(readlink -f "$tidy_bin")
# The clang of clang-tidy's own LLVM preprocesses (the same predefined macros
# and built-in headers).
clang_bin=${tidy_bin%/*}/clang
[[ -x $clang_bin ]] || clang_bin=$(command -v clang || true)
if [[ -z $clang_bin ]]; then
  echo "clang not found (clang-tidy's cache preprocesses with it): install it with 'sudo apt-get install clang'"
  exit 1
fi
cd "$root" || exit 1
status=0
jobs=$(nproc)

if [[ -n ${PETREL_CLANG_TIDY_CACHE:-} ]]; then
  cache=$PETREL_CLANG_TIDY_CACHE
elif [[ -n ${PETREL_CACHE:-} ]]; then
  cache=$PETREL_CACHE/clang-tidy
elif [[ -n ${XDG_CACHE_HOME:-} ]]; then
  cache=$XDG_CACHE_HOME/petrel/clang-tidy
elif [[ -n ${HOME:-} ]]; then
  cache=$HOME/.cache/petrel/clang-tidy
else
  cache=$root/.cache/clang-tidy
fi
if [[ $cache != off ]]; then
  mkdir -p "$cache" || cache=off
fi
# Results not used for 30 days go.
[[ $cache == off ]] || find "$cache" -type f -mtime +30 -delete 2>/dev/null

tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT

# The tree's path in keys: a placeholder, unless the header filter matches
# the path itself (or cannot be read).
filter=$(sed -n "s/^HeaderFilterRegex: *'\(.*\)' *\$/\1/p" .clang-tidy)
norm_expr=""
if [[ -n $filter ]]; then
  [[ $root/ =~ $filter ]]
  if (($? == 1)); then
    norm_expr="s|$(sed 's/[]\/$*.^[|]/\\&/g' <<<"$root")|@ROOT@|g"
  fi
fi
normalize() { sed "$norm_expr"; }

# What every key shares: clang-tidy and its libraries, the .clang-tidy files.
common=$tmp/common
{
  d=$root
  while [[ $d != / ]]; do
    d=$(dirname "$d")
    [[ -f $d/.clang-tidy ]] && echo "$d/.clang-tidy"
  done
  find "$root" -name .git -prune -o -name .clang-tidy -print | sort
} >"$tmp/configs"
{
  echo "petrel clang-tidy cache 1"
  "$tidy_bin" --version
  ldd "$tidy_bin" | awk '$3 ~ /^\// { print $3 }' | sort -u |
    xargs stat -L -c '%n %s %Y' -- "$tidy_bin"
  while IFS= read -r f; do
    echo "$f"
    cat "$f"
  done <"$tmp/configs"
} | normalize >"$common"

# The source files a build compiles (from its compile_commands.json).
sources() {
  sed -n 's/^ *"file": "\(.*\)",\{0,1\}$/\1/p' "$1/compile_commands.json" | sort -u
}

# Each compile command of a build: FILE, DIRECTORY and COMMAND, tab-separated
# (the JSON strings unescaped).
commands() {
  awk '
    function value(line) {
      sub(/^ *"[a-z]+": "/, "", line)
      sub(/",?$/, "", line)
      gsub(/\\\\/, "\001", line)
      gsub(/\\"/, "\"", line)
      gsub(/\001/, "\\", line)
      return line
    }
    /^ *"directory": / { dir = value($0) }
    /^ *"command": / { cmd = value($0) }
    /^ *"file": / { file = value($0) }
    /^ *},?$/ { print file "\t" dir "\t" cmd }' "$1/compile_commands.json"
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

# run_jobs FUNCTION N: FUNCTION 0 .. FUNCTION N-1, $jobs at a time.
run_jobs() {
  local fn=$1 n=$2 i running=0
  for ((i = 0; i < n; i++)); do
    "$fn" "$i" &
    if ((++running >= jobs)); then
      wait -n
      ((running--))
    fi
  done
  wait
}

# preprocess K: compile command K of the group ($work/commands: FILE INDEX,
# DIRECTORY, COMMAND) through clang -E with the extra arguments, into
# $work/pp-hash.K (the output, the tree's path left out) and $work/deps.K
# (every file it read: the line markers name them); $work/failed.K if clang
# cannot (then clang-tidy says why).
# shellcheck disable=SC2317  # called through run_jobs
preprocess() {
  local k=$1 line dir cmd compiler pp=$work/pp.$1
  line=$(sed -n "$((k + 1))p" "$work/commands")
  IFS=$'\t' read -r _ dir cmd <<<"$line"
  compiler=${cmd%% *}
  # The compiler's name (a target prefix, g++ or gcc) means to clang what
  # it means to clang-tidy: a link to clang under that name runs it.
  if ! (cd "$dir" && sh -c "\"$links/${compiler##*/}\" ${cmd#* } ${extra_quoted} -E -o \"$pp\"") \
    2>/dev/null; then
    : >"$work/failed.$k"
    return
  fi
  normalize <"$pp" | sha256sum >"$work/pp-hash.$k"
  awk -v dir="$dir" '/^# [0-9]+ "/ {
      f = $0
      sub(/^# [0-9]+ "/, "", f)
      sub(/"( [0-9])*$/, "", f)
      if (f ~ /^</) next
      if (f !~ /^\//) f = dir "/" f
      if (!seen[f]++) print f
    }' "$pp" >"$work/deps.$k"
  rm -f "$pp"
}

# keys N: the key of each of the N selected files (see the top) into
# $work/key.I; "-" for a file one of whose commands clang could not
# preprocess.
keys() {
  local n=$1 i
  # The compilers' names, as links to clang (see preprocess).
  links=$work/bin
  mkdir -p "$links"
  cut -f3 "$work/commands" | cut -d' ' -f1 | sort -u | while IFS= read -r c; do
    ln -sf "$clang_bin" "$links/${c##*/}"
  done
  run_jobs preprocess "$(wc -l <"$work/commands")"
  # Each file read, hashed once.
  cat "$work"/deps.* 2>/dev/null | sort -u | xargs -r -d '\n' sha256sum -- >"$work/hashes" 2>/dev/null
  sha256sum <"$common" >"$work/common-hash"
  printf '%s\n' "${tidy_args[@]}" >>"$work/common-hash"
  awk -F'\t' -v work="$work" '
    FILENAME == work "/hashes" { h = $0; sub(/ .*/, "", h); p = $0; sub(/^[^ ]*  /, "", p); hash[p] = h; next }
    FILENAME == work "/common-hash" { common = common $0 "\n"; next }
    {
      k = FNR - 1
      out = work "/material." $1
      if (!($1 in started)) { started[$1] = 1; printf "%s", common >out }
      if ((getline x < (work "/failed." k)) >= 0) { bad[$1] = 1; next }
      printf "command %d\n%s\n%s\n", ++commands[$1], $2, $3 >>out
      getline x < (work "/pp-hash." k)
      print x >>out
      while ((getline d < (work "/deps." k)) > 0) {
        if (!(d in hash)) bad[$1] = 1
        print hash[d] "  " d >>out
      }
      close(work "/deps." k)
      close(out)
    }
    END { for (i in bad) print i >(work "/bad") }' \
    "$work/hashes" "$work/common-hash" "$work/commands"
  sed -i "$norm_expr" "$work"/material.*
  for ((i = 0; i < n; i++)); do echo - >"$work/key.$i"; done
  sha256sum "$work"/material.* | while read -r key i; do
    i=${i##*.}
    grep -qxF "$i" "$work/bad" 2>/dev/null || echo "$key" >"$work/key.$i"
  done
}

# check I: clang-tidy on miss I of the group; a clean result is kept in the
# cache under the file's key.
# shellcheck disable=SC2317  # called through run_jobs
check() {
  local i=${misses[$1]}
  local f=${selected[$i]} key tidy_status
  key=$(cat "$work/key.$i")
  "$tidy_bin" -p="$build" -quiet "${tidy_args[@]}" "$f" >"$work/out.$i" 2>&1
  tidy_status=$?
  echo "$tidy_status" >"$work/status.$i"
  if ((tidy_status == 0)) && ! grep -qE 'warning:|error:' "$work/out.$i" &&
    [[ $cache != off && $key != - ]]; then
    printf '%s\n' "${f#"$root"/}" >"$cache/$key.$$.$i" && mv "$cache/$key.$$.$i" "$cache/$key"
  fi
}

# tidy NAME BUILD_DIR FILE_REGEX SKIP_LIST [CLANG_ARG...]: the files of
# BUILD_DIR matching FILE_REGEX, less those SKIP_LIST names (a file, or "").
tidy() {
  local name=$1 files=$3 skip=$4
  build=$2
  shift 4
  if [[ ! -f $build/compile_commands.json ]]; then
    echo "clang-tidy: no $build/compile_commands.json: build the $name sources first (./petrel build)"
    status=1
    return
  fi
  selected=()
  local f i key cached=0 found=0 hits=()
  while IFS= read -r f; do
    [[ $f =~ $files ]] || continue
    if [[ -n $skip ]] && grep -qxF -- "$f" "$skip"; then continue; fi
    selected+=("$f")
  done < <(sources "$build")
  if ((${#selected[@]} == 0)); then
    echo "clang-tidy: no $name sources selected from $build"
    status=1
    return
  fi
  work=$tmp/$name
  mkdir -p "$work"
  # The compile commands of the selected files, each with the file's index.
  printf '%s\n' "${selected[@]}" >"$work/selected"
  commands "$build" | awk -F'\t' -v OFS='\t' -v list="$work/selected" '
    BEGIN { while ((getline f < list) > 0) index_of[f] = n++ }
    $1 in index_of { print index_of[$1], $2, $3 }' >"$work/commands"
  tidy_args=()
  extra_quoted=""
  local a
  for a in "$@"; do
    tidy_args+=("-extra-arg=$a")
    extra_quoted+=" $(printf '%q' "$a")"
  done
  misses=()
  if [[ $cache != off ]]; then
    keys "${#selected[@]}"
    for ((i = 0; i < ${#selected[@]}; i++)); do
      key=$(cat "$work/key.$i")
      if [[ $key != - && -f $cache/$key ]]; then
        hits+=("$cache/$key")
      else
        misses+=("$i")
      fi
    done
    # Used: kept another 30 days.
    ((${#hits[@]} == 0)) || touch "${hits[@]}"
  else
    for ((i = 0; i < ${#selected[@]}; i++)); do
      echo - >"$work/key.$i"
      misses+=("$i")
    done
  fi
  cached=${#hits[@]}
  run_jobs check "${#misses[@]}"
  for i in "${misses[@]}"; do
    if grep -qE 'warning:|error:' "$work/out.$i"; then
      ((found++))
      sed 's/\x1b\[[0-9;]*m//g' "$work/out.$i" |
        grep -vE '^([0-9]+ warnings? (and [0-9]+ errors? )?generated|Suppressed|Use -header-filter)'
    elif [[ $(cat "$work/status.$i") != 0 ]]; then
      ((found++))
      cat "$work/out.$i"
      echo "${selected[$i]}: clang-tidy exited with status $(cat "$work/status.$i")"
    fi
  done
  if ((found)); then
    echo "clang-tidy: findings in the $name sources ($found of ${#selected[@]} files)"
    status=1
  else
    echo "clang-tidy: ${#selected[@]} $name sources, no findings ($cached from the cache)"
  fi
}

# The guests are built with GCC; clang is told the target and to let pass
# the GCC-only options it does not know (LTO's -fno-fat-lto-objects among them).
guest_args=(-Wno-unknown-warning-option -Wno-unused-command-line-argument
  -Wno-ignored-optimization-argument)
sources "$host_build" >"$tmp/skip64"
host_checked_but_fake "$host_build" >"$tmp/skip32"
tidy host "$host_build" "^$root/(kernel|lib|arch|xen|freertos|tools)/" ""
tidy AArch64 "$root/build/arm64" "^$root/(kernel|lib|arch|xen|freertos)/.*\\.cc\$" "$tmp/skip64" \
  --target=aarch64-linux-gnu "${guest_args[@]}"
tidy AArch32 "$root/build/arm32" "^$root/(kernel|lib|arch|xen|freertos)/.*\\.cc\$" "$tmp/skip32" \
  --target=arm-linux-gnueabihf "${guest_args[@]}"
exit $status
