#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Checks that every C++ file is formatted as .clang-format says (CI runs
# it as the ctest entry lint.format); with --fix, formats them in place.
# Usage: test/format.sh [--fix]
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
if ! command -v clang-format >/dev/null; then
  echo "clang-format is missing: apt-get install clang-format" >&2
  exit 1
fi
mapfile -t files < <(find actors main protocol test bench \
  -name '*.cpp' -o -name '*.hpp' | sort)
if [ "${1:-}" = "--fix" ]; then
  clang-format -i "${files[@]}"
  exit 0
fi
bad=()
for f in "${files[@]}"; do
  clang-format --dry-run --Werror "$f" >/dev/null 2>&1 || bad+=("$f")
done
if ((${#bad[@]})); then
  echo "not formatted as .clang-format says:" >&2
  printf '  %s\n' "${bad[@]}" >&2
  echo "fix with: test/format.sh --fix" >&2
  exit 1
fi
echo "${#files[@]} files formatted"
