#!/usr/bin/env bash
# Lint test: every C and C++ source of the tree (the files git tracks, or
# all outside build/ when this is not a git checkout) is formatted as
# .clang-format says; fails on any difference and names the files.
set -u
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd) || exit 1
if ! command -v clang-format >/dev/null; then
  echo "clang-format not found: install it with 'sudo apt-get install clang-format'"
  exit 1
fi
cd "$root" || exit 1
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  mapfile -t files < <(git ls-files '*.c' '*.cc' '*.h')
else
  mapfile -t files < <(find . -path ./build -prune -o \( -name '*.c' -o -name '*.cc' -o -name '*.h' \) -print)
fi
# One clang-format for all the files (a process per file took ~30 s); it
# names each file that differs in its "file:line:col: error:" lines.
out=$(clang-format --dry-run -Werror "${files[@]}" 2>&1)
code=$?
mapfile -t bad < <(grep -oE '^[^:]+:[0-9]+:[0-9]+: error:' <<<"$out" | cut -d: -f1 | sort -u)
if ((code != 0)) && ((${#bad[@]} == 0)); then
  echo "$out"
  echo "clang-format failed (exit status $code)"
  exit 1
fi
if [[ ${#bad[@]} -gt 0 ]]; then
  printf 'not formatted: %s\n' "${bad[@]}"
  echo "clang-format: ${#bad[@]} of ${#files[@]} files differ (fix: clang-format -i FILE)"
  exit 1
fi
echo "clang-format: ${#files[@]} files, all formatted"
