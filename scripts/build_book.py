"""`make book`: build the site, then each chapter as a plain-Markdown
notebook, in one process (one start-up instead of two keeps a rebuild with
nothing changed fast). Both builds take the same flags, the strict ones
from the Makefile:

    python scripts/build_book.py [PATH] [jupyter-book build options]

`--strict` stands for the Makefile's JB_FLAGS, the one place the strict
flags are written (the tests and benchmarks/build_time.py pass it).

The notebooks go to _build/jupyter/ and, as the site's .ipynb downloads,
to _build/html/_sources/ (see _ext/notebooks.py). They reuse the HTML
build's parsed pages and executed outputs: nothing is executed twice.
"""

import subprocess
import sys
from pathlib import Path

from jupyter_book.cli.main import build

ROOT = Path(__file__).resolve().parents[1]

BUILDS = (
    [],  # the site
    ["--builder", "custom", "--custom-builder", "jupyter"],  # the notebooks
)


def strict_flags():
    """The Makefile's JB_FLAGS, as `make book` passes them."""
    return subprocess.run(
        ["make", "--no-print-directory", "-s", "-C", str(ROOT), "jb-flags"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()


def main(argv):
    path, options = (argv[0], argv[1:]) if argv else (".", [])
    if path.startswith("-"):
        path, options = ".", argv
    if "--strict" in options:
        options.remove("--strict")
        options += strict_flags()
    for builder in BUILDS:
        try:
            build.main([path, *options, *builder], standalone_mode=False)
        except SystemExit as stop:  # jupyter-book exits on a failed build
            if stop.code:
                return stop.code
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
