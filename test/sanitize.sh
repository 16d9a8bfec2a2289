#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Builds everything with AddressSanitizer and UndefinedBehaviorSanitizer in
# ./build-asan and runs the whole test suite there.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
"$root/main/setup.sh" >/dev/null 2>&1 || "$root/main/setup.sh"
cmake -S "$root" -B "$root/build-asan" -DCMAKE_BUILD_TYPE=Debug \
  -DGROUPCHAT_SANITIZE=ON >&2
cmake --build "$root/build-asan" -j2 >&2
cd "$root/build-asan"
export GROUPCHAT_SANITIZED=1
export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1:suppressions=$root/test/ubsan.supp}
ctest --output-on-failure -j2 "$@"
