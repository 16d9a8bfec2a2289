#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Builds groupchat and the plain-socket floor, then runs the benchmark and
# writes bench/results.json. Usage: bench/run.sh [--smoke]
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
"$root/main/setup.sh" >/dev/null 2>&1 || "$root/main/setup.sh"
ulimit -n 65536 2>/dev/null || true
exec python3 "$root/bench/run.py" "$root/build" --json "$root/bench/results.json" "$@"
