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
bad=()
for f in "${files[@]}"; do
  clang-format --dry-run -Werror "$f" >/dev/null 2>&1 || bad+=("$f")
done
if [[ ${#bad[@]} -gt 0 ]]; then
  printf 'not formatted: %s\n' "${bad[@]}"
  echo "clang-format: ${#bad[@]} of ${#files[@]} files differ (fix: clang-format -i FILE)"
  exit 1
fi
echo "clang-format: ${#files[@]} files, all formatted"
