#!/usr/bin/env bash
# Debian packages the tests need: Chromium (browser tests) and CJK fonts (the
# Chinese chapter's figures). Installs only what is missing; needs root or sudo.
set -euo pipefail
need=()
command -v chromium >/dev/null || need+=(chromium)
fc-list 2>/dev/null | grep -qi 'Noto Sans CJK' || need+=(fonts-noto-cjk)
[ ${#need[@]} -eq 0 ] && exit 0
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
if ! command -v apt-get >/dev/null; then
  echo "system-deps: no apt-get; install ${need[*]} by hand (browser tests will skip without Chromium)" >&2
  exit 0
fi
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${need[@]}"
