"""A chapter's downloaded .ipynb installs d2lmini in a kernel that lacks it
(Colab, say): from the repository the publisher set, else it says how."""
import ast
import sys

import jupytext
import nbformat
import pytest
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

from browser_helpers import ROOT, is_notebook, source_of, toc_pages
from chapter_code import code_cells

sys.path.insert(0, str(ROOT / '_ext'))
from d2lmini_site import with_repository_url  # noqa: E402

CHAPTERS = [page for page in toc_pages() if is_notebook(page)]
URL = 'https://github.com/someone/d2lmini'

# A kernel without d2lmini, whose %pip only records what it was asked to do.
NO_D2LMINI = """\
import sys
sys.modules['d2lmini'] = None  # importlib.util.find_spec now finds nothing
asked = []
get_ipython().register_magic_function(lambda line: asked.append(line), 'line', 'pip')
"""


def run(cells):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    NotebookClient(nb, kernel_name='python3', timeout=120).execute()
    return nb


def downloaded(page, url):
    """The first code cell of the chapter's notebook as the book offers it."""
    notebook = jupytext.writes(jupytext.read(source_of(page)), fmt='ipynb')
    nb = nbformat.reads(with_repository_url(notebook, url), as_version=4)
    nbformat.validate(nb)
    return next(c.source for c in nb.cells if c.cell_type == 'code')


@pytest.mark.parametrize('page', CHAPTERS)
def test_the_download_carries_the_repository_url(page):
    first = downloaded(page, URL)
    assert f"REPO_URL = '{URL}'" in first
    assert downloaded(page, '') == code_cells(page)[0][0]  # unchanged without one


def test_the_install_cell_installs_from_the_repository():
    nb = run([NO_D2LMINI, downloaded('chapters/minibatch_sgd', URL), 'print(asked)'])
    assert ast.literal_eval(nb.cells[2].outputs[0].text) == [
        f'install -q "d2lmini @ git+{URL}"']


def test_without_a_repository_the_install_cell_says_how():
    with pytest.raises(CellExecutionError) as info:
        run([NO_D2LMINI, downloaded('chapters/minibatch_sgd', '')])
    message = str(info.value)
    assert 'ModuleNotFoundError' in message and 'pip install' in message


def test_with_d2lmini_installed_the_install_cell_does_nothing():
    nb = run(['asked = []\nget_ipython().register_magic_function('
              "lambda line: asked.append(line), 'line', 'pip')",
              downloaded('chapters/minibatch_sgd', URL), 'print(asked)'])
    assert nb.cells[2].outputs[0].text.strip() == '[]'
