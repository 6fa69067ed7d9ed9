"""Each chapter's .ipynb download opens with a cell that installs d2lmini in
a kernel that lacks it (Colab, say): from the repository the publisher set,
else it says how. Then it reads as the lesson, in plain Jupyter Markdown,
and runs top to bottom."""

import ast
import platform
import re
from dataclasses import replace
from html import unescape

import downloads
import nbformat
import pytest
from downloads import install_cell, with_install_cell
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

from tests.helpers import (
    FRAMEWORKS,
    REGISTRY,
    check_notebook_content,
    is_notebook,
    is_tabbed,
    toc_pages,
)

# Every chapter's download, and each framework's notebook of a tabbed one.
CHAPTERS = [page for page in toc_pages() if is_notebook(page)]
CHAPTERS += [
    f'{page}-{fw}' for page in CHAPTERS if is_tabbed(page) for fw in FRAMEWORKS
]
CELL_TIMEOUT = 600  # seconds, as in _config.yml
URL = 'https://github.com/someone/d2lmini'

# A kernel without d2lmini, whose %pip only records what it was asked to do.
NO_D2LMINI = """\
import sys
sys.modules['d2lmini'] = None  # importlib.util.find_spec now finds nothing
asked = []
get_ipython().register_magic_function(
    lambda line: asked.append(line), 'line', 'pip')
"""
RECORD_PIP = """\
asked = []
get_ipython().register_magic_function(
    lambda line: asked.append(line), 'line', 'pip')
"""


def run(cells):
    nb = nbformat.v4.new_notebook(
        cells=[nbformat.v4.new_code_cell(c) for c in cells]
    )
    NotebookClient(nb, kernel_name='python3', timeout=600).execute()
    return nb


@pytest.mark.parametrize('language', ['en', 'zh'])
def test_the_install_cell_installs_from_the_repository(language):
    nb = run([NO_D2LMINI, install_cell(URL, language), 'print(asked)'])
    assert ast.literal_eval(nb.cells[2].outputs[0].text) == [
        f'install -q "d2lmini @ git+{URL}"'  # the kernel has torch
    ]


@pytest.mark.parametrize('framework', FRAMEWORKS)
def test_a_kernel_without_the_framework_gets_its_extra(framework):
    module = REGISTRY[framework].module
    lacks = f'{NO_D2LMINI}sys.modules[{module!r}] = None\n'
    nb = run([lacks, install_cell(URL, 'en', framework), 'print(asked)'])
    extra = REGISTRY[framework].extra
    assert ast.literal_eval(nb.cells[2].outputs[0].text) == [
        f'install -q "d2lmini[{extra}] @ git+{URL}"'
    ]


@pytest.mark.parametrize('language', ['en', 'zh'])
def test_a_framework_this_python_is_too_new_for_stops_with_why(
    monkeypatch, language
):
    mxnet = REGISTRY['mxnet']
    monkeypatch.setitem(
        downloads.FRAMEWORKS, 'mxnet', replace(mxnet, max_python=(3, 0))
    )
    lacks = f"{NO_D2LMINI}sys.modules['mxnet'] = None\n"
    with pytest.raises(CellExecutionError) as info:
        run([lacks, install_cell(URL, language, 'mxnet')])
    message = str(info.value)
    assert 'RuntimeError' in message and 'Python 3.0' in message
    assert f'Python {platform.python_version()}' in message


@pytest.mark.parametrize('language', ['en', 'zh'])
def test_without_a_repository_the_install_cell_says_how(language):
    with pytest.raises(CellExecutionError) as info:
        run([NO_D2LMINI, install_cell('', language)])
    message = str(info.value)
    assert 'ModuleNotFoundError' in message and 'pip install' in message


def test_with_d2lmini_installed_the_install_cell_does_nothing():
    nb = run([RECORD_PIP, install_cell(URL), 'print(asked)'])
    assert nb.cells[2].outputs[0].text.strip() == '[]'


def test_the_install_cell_goes_first_and_stays_off_the_site():
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell('1')])
    with_install_cell(nb, URL)
    assert nb.cells[0].source == install_cell(URL)
    assert nb.cells[0].metadata['tags'] == ['remove-cell']
    assert nb.cells[1].source == '1'
    nbformat.validate(nb)


@pytest.mark.slow
@pytest.mark.parametrize('page', CHAPTERS)
def test_every_download_starts_with_the_install_cell(book_html, page):
    nb = nbformat.read(book_html / '_sources' / f'{page}.ipynb', as_version=4)
    nbformat.validate(nb)
    language = 'zh' if page.startswith('chapters/zh/') else 'en'
    framework = next((f for f in FRAMEWORKS if page.endswith(f'-{f}')), None)
    expected = install_cell('', language, framework or 'pytorch')
    assert nb.cells[0].source == expected  # no URL set
    assert nb.cells[1].cell_type == 'markdown'  # then the chapter itself


def is_tabbed_page(page):
    return not page.endswith(FRAMEWORKS) and is_tabbed(page)


def _sources(nb, cell_type):
    return [c.source for c in nb.cells if c.cell_type == cell_type]


@pytest.mark.slow
@pytest.mark.parametrize('page', CHAPTERS)
def test_every_download_reads_as_the_lesson(book_html, page):
    """Prose without raw MyST markup, the lesson's functions as code, the
    outputs of this build, and no glue-only cells."""
    nb = nbformat.read(book_html / '_sources' / f'{page}.ipynb', as_version=4)
    code = [c for c in nb.cells[1:] if c.cell_type == 'code']
    assert not [c.source for c in code if 'glue(' in c.source]
    assert any(c.outputs for c in code), f'{page}: no outputs'
    # The site's glued values, the same in the notebook's prose (a tabbed
    # chapter's notebook is PyTorch's: its values are on PyTorch's page).
    shown = f'{page}-pytorch' if is_tabbed_page(page) else page
    html = (book_html / f'{shown}.html').read_text(encoding='utf-8')
    pasted = re.findall(r'<span class="pasted-text">(.*?)</span>', html)
    prose = '\n'.join(_sources(nb, 'markdown'))
    missing = [v for v in map(unescape, pasted) if v not in prose]
    assert pasted and missing == [], f'{page}: not in the notebook: {missing}'
    check_notebook_content(
        page.rsplit('-', 1)[0] if page.endswith(FRAMEWORKS) else page,
        _sources(nb, 'markdown'),
        _sources(nb, 'code'),
    )


@pytest.mark.slow
@pytest.mark.parametrize('page', CHAPTERS)
def test_every_download_runs_top_to_bottom(book_html, page, tmp_path):
    """A fresh kernel runs the downloaded notebook, install cell first, in a
    folder of its own, as a reader's would."""
    nb = nbformat.read(book_html / '_sources' / f'{page}.ipynb', as_version=4)
    NotebookClient(
        nb,
        timeout=CELL_TIMEOUT,
        kernel_name=nb.metadata.kernelspec.name,  # MXNet's is its own
        resources={'metadata': {'path': str(tmp_path)}},
    ).execute()  # raises CellExecutionError naming the failing cell
    errors = [
        output
        for cell in nb.cells
        for output in cell.get('outputs', [])
        if output.output_type == 'error'
    ]
    assert errors == [], f'{page}: {errors}'


def test_outputs_come_from_the_execution_cache_when_myst_nb_drops_them(
    tmp_path,
):
    # myst-nb writes jupyter_execute/ without outputs when it re-reads a page
    # whose outputs it took from the cache (after a prose edit, say).
    from jupyter_cache import get_cache
    from jupyter_cache.base import CacheBundleIn
    from notebooks import with_cached_outputs

    ran = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell('1 + 1')])
    ran.metadata.kernelspec = {'name': 'python3', 'display_name': 'Python 3'}
    ran.cells[0].outputs = [
        nbformat.v4.new_output(
            'execute_result', {'text/plain': '2'}, execution_count=1
        )
    ]
    cache = get_cache(tmp_path / 'cache')
    cache.cache_notebook_bundle(
        CacheBundleIn(ran, 'page.ipynb'), check_validity=False
    )
    written = nbformat.from_dict(ran)
    written.cells[0].outputs = []  # what myst-nb wrote
    merged = with_cached_outputs(written, str(tmp_path / 'cache'))
    assert merged.cells[0].outputs[0]['data'] == {'text/plain': '2'}
    assert with_cached_outputs(written, '') is written  # no cache: as it is
    other = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell('2')])
    assert with_cached_outputs(other, str(tmp_path / 'cache')) is other
