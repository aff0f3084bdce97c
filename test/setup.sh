#!/usr/bin/env bash
# setup.sh — install what tmac's build, tests, demo and benchmarks need on Debian 12.
#
# Installs only what is missing, with apt-get (as root, or through sudo).
set -euo pipefail

packages=(postgresql-15 postgresql-server-dev-15 postgresql-15-pgtap postgresql-15-cron
          libtap-parser-sourcehandler-pgtap-perl make gcc clang
          chromium poppler-utils fonts-noto-cjk)   # the report rendered: test/scripts/compliance_report_browser.sh
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "tmac setup: installing ${missing[*]}"
SUDO=
[ "$(id -u)" = 0 ] || SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
