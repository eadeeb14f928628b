#!/usr/bin/env bash
# Install the Debian packages the project needs, only those missing. Default (tests):
# GDAL's command-line tools (ogrinfo reads the store in the tests), Chromium (with Mesa's software
# OpenGL, libgl1-mesa-dri, for the WebGL city map: a Recommends, which --no-install-recommends skips) and CJK fonts
# for the browser tests, PostgreSQL with PostGIS (the tests start a throw-away cluster for
# the PostGIS backend), nginx (the multi-process deployment test), Pango and HarfBuzz's subsetter for
# WeasyPrint (the printed reports), poppler-utils (pdftotext, pdffonts: the reports' tests) and npm when it is not on
# the machine (map assets). With arguments, exactly those packages. Needs root (or sudo);
# prints what it does.
set -euo pipefail
if [ $# -gt 0 ]; then
  want=("$@")
else
  want=(gdal-bin chromium libgl1-mesa-dri fonts-noto-cjk postgresql postgresql-15-postgis-3 nginx
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 poppler-utils)
  command -v npm >/dev/null || want+=(npm)
fi
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
