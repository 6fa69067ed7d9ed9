#!/usr/bin/env bash
# `make deps`: the system packages that the tests use, from Debian/Ubuntu's apt.
#   chromium        the browser tests (found as $CHROMIUM, chromium,
#                   chromium-browser or google-chrome on the PATH)
# It installs only what is missing, and prints the command before it runs it.
# Without apt-get, or without root or sudo, it prints what to install; under
# CI=true it then fails, so that CI cannot skip the tests that need them.
set -uo pipefail
need=()
browser=${CHROMIUM:-}
for name in chromium chromium-browser google-chrome google-chrome-stable; do
  [ -n "$browser" ] || browser=$(command -v "$name" || true)
done
[ -n "$browser" ] || need+=(chromium)
if [ ${#need[@]} -eq 0 ]; then
  echo "make deps: nothing to install (browser: $browser)"
  exit 0
fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null; then sudo="sudo"; fi
fi
if ! command -v apt-get >/dev/null || { [ "$(id -u)" -ne 0 ] && [ -z "$sudo" ]; }; then
  echo "make deps: please install ${need[*]} (a Chromium browser)" \
       "with your system's package manager; this script only knows apt-get as root;" \
       "until then the browser tests skip" >&2
  [ "${CI:-}" = true ] && exit 1
  exit 0
fi
cmd="$sudo apt-get install -y --no-install-recommends ${need[*]}"
echo "make deps: will run: $sudo apt-get update && $cmd"
$sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $cmd -qq
