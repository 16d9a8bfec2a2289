#!/usr/bin/env bash
# Fuzzes the frame and message decoders with libFuzzer for SECONDS (default
# 60), starting from the committed corpus in test/fuzz/corpus. New inputs go
# to build-fuzz/corpus, not into the repository; a crash leaves its input in
# build-fuzz/ and fails the script. Usage: test/fuzz/run.sh [SECONDS]
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
seconds=${1:-60}
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
  -max_len=4096 corpus "$root/test/fuzz/corpus" 2>&1 | tail -25
