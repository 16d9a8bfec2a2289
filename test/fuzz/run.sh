#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Fuzzes the frame reader and message decoder with libFuzzer for SECONDS
# (default 60), inputs of up to MAX_LEN bytes (default 4096, which keeps
# CI's minute fast; give 1100000 or more for frames of real size, up to the
# default max-frame-size of 1 MiB), starting from the committed corpus in
# test/fuzz/corpus. New inputs go to build-fuzz/corpus, not into the
# repository; a crash leaves its input in build-fuzz/ and fails the script.
# Usage: test/fuzz/run.sh [SECONDS [MAX_LEN]]
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
seconds=${1:-60}
max_len=${2:-4096}
"$root/main/setup.sh" >/dev/null 2>&1 || "$root/main/setup.sh"
if ! command -v clang++ >/dev/null; then
  apt-get install -y -qq clang >&2
fi
cmake -S "$root" -B "$root/build-fuzz" -DCMAKE_CXX_COMPILER=clang++ \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo -DGROUPCHAT_FUZZ=ON -DBUILD_TESTING=OFF >&2
cmake --build "$root/build-fuzz" -j2 --target fuzz-decoder >&2
mkdir -p "$root/build-fuzz/corpus"
cd "$root/build-fuzz"
./fuzz-decoder -max_total_time="$seconds" -print_final_stats=1 \
  -max_len="$max_len" corpus "$root/test/fuzz/corpus" 2>&1 | tail -25
