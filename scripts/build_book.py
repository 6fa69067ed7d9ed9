"""`make book`: build the site, then each chapter as a plain-Markdown
notebook, in one process (one start-up instead of two keeps a rebuild with
nothing changed fast). Both builds take the same flags, the strict ones
from the Makefile:

    python scripts/build_book.py [PATH] [jupyter-book build options]

The notebooks go to _build/jupyter/ and, as the site's .ipynb downloads,
to _build/html/_sources/ (see _ext/notebooks.py). They reuse the HTML
build's parsed pages and executed outputs: nothing is executed twice.
"""

import sys

from jupyter_book.cli.main import build

BUILDS = (
    [],  # the site
    ["--builder", "custom", "--custom-builder", "jupyter"],  # the notebooks
)


def main(argv):
    path, options = (argv[0], argv[1:]) if argv else (".", [])
    if path.startswith("-"):
        path, options = ".", argv
    for builder in BUILDS:
        try:
            build.main([path, *options, *builder], standalone_mode=False)
        except SystemExit as stop:  # jupyter-book exits on a failed build
            if stop.code:
                return stop.code
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
