#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Builds the Debian package from ./build (test/run.sh or main/setup.sh
# configured it) and checks it with lintian: any error or warning fails.
# Overridden tags: none. Usage: test/package.sh
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
missing=()
for tool in lintian dpkg-shlibdeps; do
  command -v "$tool" >/dev/null || missing+=("$tool")
done
if ((${#missing[@]})); then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq \
    --no-install-recommends lintian dpkg-dev >&2
fi
cd "$root/build"
rm -f groupchat_*.deb
cmake --build . --target package -j2 >&2
deb=$(ls groupchat_*.deb)
echo "== lintian $deb"
# It reports tags, never fails for them (--fail-on none): a failure is
# lintian's own (it could not unpack or read the package).
raw=$(lintian --fail-on none "$deb" 2>&1) || {
  echo "$raw" >&2
  echo "lintian itself failed on $deb" >&2
  exit 1
}
# Root is how CI runs; lintian only advises against it.
report=$(grep -v "^running with root" <<<"$raw" || true)
echo "${report:-clean}"
if grep -qE "^[EW]: " <<<"$report"; then
  echo "lintian: errors or warnings in $deb" >&2
  exit 1
fi
