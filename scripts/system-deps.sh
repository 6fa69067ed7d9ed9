#!/usr/bin/env bash
# `make deps`: the system packages that the tests use, from Debian/Ubuntu's apt.
#   chromium        the browser tests (found as $CHROMIUM, chromium,
#                   chromium-browser or google-chrome on the PATH)
# `make deps PDF=1` (PDF=1 in the environment) adds what `make pdf` and its
# test need (about 620 MB installed):
#   texlive-xetex texlive-latex-recommended texlive-latex-extra
#   texlive-fonts-recommended   XeLaTeX and the LaTeX packages Sphinx uses
#   texlive-lang-chinese        xeCJK, for the Chinese chapter
#   latexmk                     runs XeLaTeX as often as the references need
#   fonts-freefont-otf          FreeSerif/FreeSans/FreeMono, Sphinx's XeLaTeX fonts
#   fonts-noto-cjk              Noto Serif/Sans/Sans Mono CJK SC, which the PDF
#                               names for its Chinese text (_config.yml)
#   librsvg2-bin                rsvg-convert: the SVG figures become PDF figures
#   poppler-utils               pdftotext and pdftoppm, for the PDF test
# It installs only what is missing, and prints the command before it runs it.
# Without apt-get, or without root or sudo, it prints what to install; under
# CI=true it then fails, so that CI cannot skip the tests that need them.
# `scripts/system-deps.sh --check-pdf` installs nothing: it prints one line
# naming the missing PDF packages and fails, or succeeds quietly (`make pdf`).
set -uo pipefail

# The PDF packages that are missing, each found by a file it provides.
pdf_missing() {
  local missing=()
  command -v xelatex >/dev/null || missing+=(texlive-xetex)
  command -v latexmk >/dev/null || missing+=(latexmk)
  if command -v kpsewhich >/dev/null; then
    local pkg file
    for pair in texlive-latex-recommended:fontspec.sty \
                texlive-latex-extra:fncychap.sty \
                texlive-fonts-recommended:mathrsfs.sty \
                texlive-lang-chinese:ctexhook.sty; do
      pkg=${pair%%:*} file=${pair#*:}
      kpsewhich "$file" >/dev/null || missing+=("$pkg")
    done
  else
    missing+=(texlive-latex-recommended texlive-latex-extra
              texlive-fonts-recommended texlive-lang-chinese)
  fi
  command -v fc-list >/dev/null && fc-list FreeSerif family | grep -q . \
    || missing+=(fonts-freefont-otf)
  local font
  for font in "Noto Serif CJK SC" "Noto Sans CJK SC" "Noto Sans Mono CJK SC"; do
    if ! command -v fc-list >/dev/null || ! fc-list "$font" family | grep -q .; then
      missing+=(fonts-noto-cjk)
      break
    fi
  done
  command -v rsvg-convert >/dev/null || missing+=(librsvg2-bin)
  command -v pdftoppm >/dev/null || missing+=(poppler-utils)
  echo "${missing[*]}"
}

if [ "${1:-}" = --check-pdf ]; then
  need=($(pdf_missing))
  if [ ${#need[@]} -gt 0 ]; then
    echo "make pdf: missing ${need[*]}: run 'make deps PDF=1' (apt-get, as root or" \
         "with sudo) or install them with your system's package manager" >&2
    exit 1
  fi
  exit 0
fi

need=()
browser=${CHROMIUM:-}
for name in chromium chromium-browser google-chrome google-chrome-stable; do
  [ -n "$browser" ] || browser=$(command -v "$name" || true)
done
[ -n "$browser" ] || need+=(chromium)
what="a Chromium browser"
if [ "${PDF:-}" = 1 ]; then
  for pkg in $(pdf_missing); do
    [[ " ${need[*]} " == *" $pkg "* ]] || need+=("$pkg")
  done
  what="$what, and TeX for the PDF"
fi
if [ ${#need[@]} -eq 0 ]; then
  echo "make deps: nothing to install (browser: $browser$(
    [ "${PDF:-}" = 1 ] && echo "; TeX and the PDF tools are installed"))"
  exit 0
fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null; then sudo="sudo"; fi
fi
if ! command -v apt-get >/dev/null || { [ "$(id -u)" -ne 0 ] && [ -z "$sudo" ]; }; then
  echo "make deps: please install ${need[*]} ($what)" \
       "with your system's package manager; this script only knows apt-get as root;" \
       "until then the tests that need them skip" >&2
  [ "${CI:-}" = true ] && exit 1
  exit 0
fi
cmd="$sudo apt-get install -y --no-install-recommends ${need[*]}"
echo "make deps: will run: $sudo apt-get update && $cmd"
$sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $cmd -qq
