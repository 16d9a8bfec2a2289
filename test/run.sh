#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Installs what is missing, builds, and runs every test (unit suites under
# CAF's deterministic test coordinator, then end-to-end tests with real
# processes on 127.0.0.1). Usage: test/run.sh [ctest arguments]
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# The format check (lint.format) needs clang-format and the JSON Lines
# bot's test (e2e.test_json) jq; the chat needs neither.
missing=()
command -v clang-format >/dev/null || missing+=(clang-format)
command -v jq >/dev/null || missing+=(jq)
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq \
    --no-install-recommends "${missing[@]}" >&2
fi
"$root/main/setup.sh" -DGROUPCHAT_WERROR=ON
cd "$root/build"
ctest --output-on-failure -j2 "$@"
