"""Every toc chapter as a Jupyter notebook: it survives a JupyterLab save and runs top to bottom."""
import shutil

import nbformat
import jupytext
import pytest
from jupytext.config import find_jupytext_configuration_file, load_jupytext_configuration_file
from nbclient import NotebookClient

from tests.helpers import FRAMEWORKS, ROOT, is_notebook, is_tabbed, source_of, toc_pages

CHAPTERS = [page for page in toc_pages() if is_notebook(page)]
# A tabbed chapter holds three frameworks' cells: what runs are the framework
# notebooks that the book build writes beside it, each in its own kernel.
RUNNABLE = [f'{page}-{fw}' if is_tabbed(page) else page
            for page in CHAPTERS for fw in (FRAMEWORKS if is_tabbed(page) else [None])]
CELL_TIMEOUT = 600  # seconds, as in _config.yml


def cells(nb):
    return [(c.cell_type, c.source, dict(c.metadata)) for c in nb.cells]


@pytest.mark.parametrize('page', CHAPTERS)
def test_jupyterlab_save_keeps_every_cell(page):
    """Opening the .md as a notebook and saving it (with jupytext.toml) keeps cells and metadata."""
    path = source_of(page)
    config = load_jupytext_configuration_file(find_jupytext_configuration_file(str(path.parent)))
    nb = jupytext.read(path)
    assert nb.metadata['kernelspec']['name'] == 'python3', f'{page}: kernelspec missing'
    saved = jupytext.reads(jupytext.writes(nb, fmt='md:myst', config=config), fmt='md:myst')
    assert cells(saved) == cells(nb)
    assert 'jupytext_version' not in saved.metadata['jupytext'].get('text_representation', {})


@pytest.mark.slow
@pytest.mark.parametrize('page', RUNNABLE)
def test_chapter_runs_as_notebook(page, request):
    """The chapter, converted with jupytext, runs in a fresh kernel (the one
    its kernelspec names) from its own folder."""
    if page.endswith(tuple(f'-{fw}' for fw in FRAMEWORKS)):
        request.getfixturevalue('book_html')  # the build writes these notebooks
    path = source_of(page)
    nb = jupytext.read(path)
    kernel = nb.metadata['kernelspec']['name']
    client = NotebookClient(nb, timeout=CELL_TIMEOUT, kernel_name=kernel,
                            resources={'metadata': {'path': str(path.parent)}})
    client.execute()  # raises CellExecutionError naming the failing cell
    nbformat.validate(nb)
    errors = [o for c in nb.cells if c.cell_type == 'code' for o in c.get('outputs', [])
              if o.output_type == 'error']
    assert errors == [], f'{page}: {errors}'


@pytest.mark.parametrize('page', CHAPTERS)
def test_jupyter_server_opens_and_saves_the_md_as_a_notebook(page, tmp_path):
    """What JupyterLab asks of the server: the .md as a notebook model, saved back as .md."""
    contents = pytest.importorskip('jupyter_server.services.contents.largefilemanager')
    from jupytext.sync_contentsmanager import build_sync_jupytext_contents_manager_class
    path = source_of(page)
    shutil.copy(ROOT / 'jupytext.toml', tmp_path / 'jupytext.toml')
    shutil.copy(path, tmp_path / path.name)
    cm = build_sync_jupytext_contents_manager_class(contents.LargeFileManager)(
        root_dir=str(tmp_path))
    model = cm.get(path.name, type='notebook')
    assert model['type'] == 'notebook'
    assert model['content']['metadata']['kernelspec']['name'] == 'python3'
    cm.save(model, path.name)
    assert cells(jupytext.read(tmp_path / path.name)) == cells(jupytext.read(path))
    assert not list(tmp_path.glob('*.ipynb'))  # no paired notebook written beside it
