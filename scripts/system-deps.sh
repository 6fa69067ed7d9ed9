#!/usr/bin/env bash
# Debian packages the book and tests use: Chromium (browser tests) and CJK fonts
# (the Chinese chapter's figure labels). Installs only what is missing. Without
# apt-get, root or sudo, or network, it says what is missing and carries on: the
# browser tests then skip with that reason and the figures fall back to English.
set -uo pipefail
need=()
command -v chromium >/dev/null || need+=(chromium)
dpkg -s fonts-noto-cjk >/dev/null 2>&1 || need+=(fonts-noto-cjk)
[ ${#need[@]} -eq 0 ] && exit 0
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null; then sudo="sudo"; else
    echo "system-deps: not root and no sudo; install by hand: apt-get install ${need[*]}" >&2
    exit 0
  fi
fi
if ! command -v apt-get >/dev/null; then
  echo "system-deps: no apt-get; install ${need[*]} by hand" >&2
  exit 0
fi
if ! { $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${need[@]}"; }; then
  echo "system-deps: could not install ${need[*]} (see above)" >&2
fi
exit 0
