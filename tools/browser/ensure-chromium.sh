#!/usr/bin/env bash
# Makes sure Chromium from Debian's packages is installed: the dashboard's
# browser tests drive it with playwright-core (which brings no browser of
# its own here: its downloads are not reachable). Quick when it is there:
# one file test, no network.
#
#   tools/browser/ensure-chromium.sh          # install it when missing
#   tools/browser/ensure-chromium.sh --check  # only say whether it is missing (exit 1)
set -euo pipefail

binary=/usr/lib/chromium/chromium

log() { printf '[browser] %s\n' "$*" >&2; }
die() { printf '[browser] error: %s\n' "$*" >&2; exit 1; }

[ -x "$binary" ] && exit 0

if [ "${1:-}" = "--check" ]; then
  log "missing: chromium (install it with tools/browser/ensure-chromium.sh)"
  exit 1
fi
command -v apt-get >/dev/null 2>&1 || die "the browser tests need Chromium at $binary; this machine has no apt-get: install Chromium and set SEEDBED_CHROMIUM to its binary"
[ "$(id -u)" = 0 ] || die "the browser tests need Chromium; run this script as root (or: sudo apt-get install -y --no-install-recommends chromium)"

log "installing chromium from Debian's packages"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# No recommends: a headless browser for tests needs no desktop integration.
apt-get install -y -qq --no-install-recommends chromium >/dev/null
[ -x "$binary" ] || die "chromium installed but $binary is missing: set SEEDBED_CHROMIUM to the browser's binary"
log "installed $("$binary" --version 2>/dev/null || echo chromium)"
