#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Installs what groupchat needs from Debian (only what is missing), then
# configures and builds it in ./build. Safe to run again: it rebuilds only
# what changed. Usage: main/setup.sh [extra cmake arguments]
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
packages=(g++ cmake make python3 libcaf-dev nlohmann-json3-dev libcli11-dev
          libspdlog-dev libsodium-dev libedit-dev libicu-dev pkg-config iproute2 tmux)

missing=()
for pkg in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "ok installed" \
    || missing+=("$pkg")
done
if ((${#missing[@]})); then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "installing: ${missing[*]}" >&2
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
    "${missing[@]}" >&2
fi

cmake -S "$root" -B "$root/build" -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" >&2
cmake --build "$root/build" -j2 >&2
