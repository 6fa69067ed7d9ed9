"""The chapters read well as notebooks: little hidden scaffolding, no prose built
in code, no line wider than a code block, and the install cell that a
downloaded notebook starts with."""
import ast
import re
import unicodedata

import pytest

from browser_helpers import ROOT, is_notebook, toc_pages
from chapter_code import code_cells, scaffolding

CHAPTERS = [page for page in toc_pages() if is_notebook(page)]
WIDTH = 79  # what a code block on the page shows without scrolling


def width(line):
    """Display columns of a line: Chinese characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in 'WF' else 1 for ch in line)
INCLUDE = re.compile(r'```\{literalinclude\} (\S+)\n:pyobject: (\w+)\n')


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


@pytest.mark.parametrize('page', CHAPTERS)
def test_no_included_library_line_is_wider_than_the_code_block(page):
    text = (ROOT / f'{page}.md').read_text(encoding='utf-8')
    includes = INCLUDE.findall(text)
    for path, name in includes:
        source = ((ROOT / page).parent / path).resolve().read_text(encoding='utf-8')
        node = next(n for n in ast.walk(ast.parse(source))
                    if isinstance(n, (ast.FunctionDef, ast.ClassDef)) and n.name == name)
        wide = [line for line in ast.get_source_segment(source, node, padded=True)
                .splitlines() if width(line) > WIDTH]
        assert wide == [], f'{path}:{name}'


def test_the_library_keeps_to_the_width():
    wide = [(path.name, i + 1) for path in sorted((ROOT / 'd2lmini').glob('*.py'))
            for i, line in enumerate(path.read_text(encoding='utf-8').splitlines())
            if width(line) > WIDTH]
    assert wide == []


@pytest.mark.parametrize('page', CHAPTERS)
def test_every_chapter_starts_with_the_hidden_install_cell(page):
    source, tags = code_cells(page)[0]
    assert 'remove-cell' in tags
    assert "REPO_URL = ''" in source and '%pip install' in source
