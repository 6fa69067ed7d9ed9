"""The chapters read well as notebooks: little hidden scaffolding, no prose
built in code, and no code line wider than a code block (ruff checks the
package's lines; these are the cells' lines, which ruff cannot see)."""
import ast
import re
import unicodedata

import pytest

from tests.helpers import code_cells, is_notebook, scaffolding, toc_pages

CHAPTERS = [page for page in toc_pages() if is_notebook(page)]
WIDTH = 79  # what a code block on the page shows without scrolling


def width(line):
    """Display columns of a line: Chinese characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in 'WF' else 1 for ch in line)


@pytest.mark.parametrize('page', CHAPTERS)
def test_lesson_code_in_front_scaffolding_small(page):
    m = scaffolding(page)
    assert m['hidden'] <= 0.4 * m['visible'], m
    assert m['longest_hidden'] <= 25, m
    assert m['markdown_calls'] == 0, m  # no sentences assembled in code
    assert m['verdicts'] <= 3, m


@pytest.mark.parametrize('page', CHAPTERS)
def test_no_code_line_is_wider_than_the_code_block(page):
    wide = [line for source, _ in code_cells(page) for line in source.splitlines()
            if width(line) > WIDTH]
    assert wide == []
