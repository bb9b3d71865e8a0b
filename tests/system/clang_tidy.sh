#!/usr/bin/env bash
# clang_tidy.sh BUILD_DIR: runs clang-tidy (.clang-tidy at the top) over the
# host-built sources of kernel/, lib/, arch/, xen/, freertos/ and tools/
# (everything but the tests); fails on any finding.
set -u
build=$1
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
runner=$(command -v run-clang-tidy || command -v run-clang-tidy-14 || true)
if [[ -z $runner ]] || ! command -v clang-tidy >/dev/null; then
  echo "clang-tidy not found: install it with 'sudo apt-get install clang-tidy'"
  exit 1
fi
cd "$root" || exit 1
"$runner" -p "$build" -quiet -j "$(nproc)" \
  "$root/(kernel|lib|arch|xen|freertos|tools)/" 2>&1 |
  grep -vE '^(clang-tidy|[0-9]+ warnings? generated|Suppressed|Use -header-filter|Running clang-tidy)' |
  tee /tmp/petrel-clang-tidy.$$ | grep -E 'warning:|error:' && { rm -f /tmp/petrel-clang-tidy.$$; exit 1; }
rm -f /tmp/petrel-clang-tidy.$$
echo "clang-tidy: no findings"
