#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Builds groupchat if needed and runs it with the given arguments, e.g.
#   main/run.sh --name alice 5000
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
[ -x "$root/build/groupchat" ] ||
  echo "groupchat: installing and building (a few minutes, once)..." >&2
"$root/main/setup.sh" >/dev/null 2>"$root/build-setup.log" || {
  cat "$root/build-setup.log" >&2
  exit 1
}
exec "$root/build/groupchat" "$@"
