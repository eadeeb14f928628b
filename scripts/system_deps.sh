#!/usr/bin/env bash
# Install the Debian packages the tests need, only those missing: GDAL's command-line
# tools (ogrinfo reads the store in the tests), and for the browser tests Chromium and
# CJK fonts. Needs root (or sudo); prints what it does.
set -euo pipefail
want=(gdal-bin chromium fonts-noto-cjk)
missing=()
for pkg in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && { echo "system packages present: ${want[*]}"; exit 0; }
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
echo "installing system packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
