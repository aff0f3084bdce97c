#!/usr/bin/env bash
# setup.sh — install what tmac's build, tests, demo and benchmarks need on Debian 12.
#
# Installs only what is missing, with apt-get (as root, or through sudo).
set -euo pipefail

packages=(postgresql-15 postgresql-server-dev-15 postgresql-15-pgtap postgresql-15-cron
          libtap-parser-sourcehandler-pgtap-perl make gcc clang
          chromium poppler-utils fonts-noto-cjk    # the report rendered: test/scripts/compliance_report_browser.sh
          gettext locales                          # the message catalog (msgfmt) and lc_messages = 'ja_JP.UTF-8'
          sqlsmith)                                # random queries: test/scripts/fuzz_sql.sh
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
SUDO=
[ "$(id -u)" = 0 ] || SUDO=sudo
if [ ${#missing[@]} -gt 0 ]; then
  echo "tmac setup: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# Japanese messages need the ja_JP.UTF-8 locale (SET lc_messages = 'ja_JP.UTF-8').
if ! locale -a 2>/dev/null | grep -qix 'ja_JP.utf8'; then
  echo "tmac setup: generating the ja_JP.UTF-8 locale"
  $SUDO localedef -i ja_JP -f UTF-8 ja_JP.UTF-8
fi
