"""Colab, per framework (_ext/colab.py): with a repository URL, each
framework's notebook opens in Colab from the published site, the launch menu
follows the selected tab, MXNet gets no Colab link but the reason, and the
published notebooks link each other's Colab URL. Without one, nothing
changes (the repository's own book is built without one)."""

import re

import nbformat
import pytest
import yaml
from colab import BRANCH, colab_links, notebook_url
from downloads import install_cell

from tests.helpers import (
    FRAMEWORKS,
    REGISTRY,
    ROOT,
    SiteServer,
    build_book,
    mini_book,
    toc_pages,
)

URL = 'https://github.com/someone/d2lmini'
WORKFLOW = ROOT / '.github' / 'workflows' / 'book.yml'
COLAB = 'https://colab.research.google.com/github/someone/d2lmini/blob/'
TABBED = """\
---
jupytext:
  text_representation:
    extension: .md
    format_name: myst
    format_version: 0.13
kernelspec:
  display_name: Python 3 (ipykernel)
  language: python
  name: python3
frameworks: [pytorch, tensorflow, mxnet]
---

# Tabbed

See {doc}`the other notebook <other>`.

```{code-cell} ipython3
:tags: [pytorch]
print('pytorch')
```

```{code-cell} ipython3
:tags: [tensorflow]
print('tensorflow')
```

```{code-cell} ipython3
:tags: [mxnet]
print('mxnet')
```
"""
OTHER = """\
(sec-other)=
# Other

Back to {doc}`the tabbed chapter <tabbed>`.

```{code-cell} ipython3
print('other')
```
"""


def test_a_notebook_opens_from_the_published_site():
    assert notebook_url(URL, 'chapters/x-tensorflow') == (
        f'{COLAB}gh-pages/_sources/chapters/x-tensorflow.ipynb'
    )


def test_links_between_notebooks_become_colab_urls():
    cell = nbformat.v4.new_markdown_cell(
        'See [a](other.ipynb#sec-a), [b](../references.ipynb), '
        '[c](https://example.org/x.ipynb), [d](#here) and [e](zh/y.ipynb).'
    )
    nb = nbformat.v4.new_notebook(cells=[cell])
    colab_links(nb, 'chapters/x', URL)
    pages = f'{COLAB}gh-pages/_sources/'
    assert nb.cells[0].source == (
        f'See [a]({pages}chapters/other.ipynb#sec-a), '
        f'[b]({pages}references.ipynb), [c](https://example.org/x.ipynb), '
        f'[d](#here) and [e]({pages}chapters/zh/y.ipynb).'
    )


@pytest.fixture(scope='module')
def published(tmp_path_factory):
    """A tabbed chapter and a plain one, built with a repository URL."""
    book = mini_book(
        tmp_path_factory.mktemp('colab'),
        OTHER,
        name='other',
        pages={'tabbed': TABBED},
    )
    result = build_book(book, {'BOOK_REPO_URL': URL}, timeout=900)
    assert result.returncode == 0, (result.stdout + result.stderr)[-5000:]
    return book / '_build' / 'html'


def colab_entries(html):
    """{framework: (href, text)} of the launch menu's Colab entries."""
    found = re.findall(
        r'<a href="([^"]*)"[^>]*class="[^"]*btn-colab-(\w+)[^"]*"[^>]*>'
        r'(.*?)</a>',
        html,
        re.S,
    )
    return {
        fw: (href, ' '.join(re.sub('<[^>]+>', ' ', text).split()))
        for href, fw, text in found
    }


@pytest.mark.slow
def test_the_tabbed_chapter_offers_each_framework_notebook(published):
    html = (published / 'chapters' / 'tabbed.html').read_text('utf-8')
    entries = colab_entries(html)
    assert list(entries) == list(FRAMEWORKS)
    for fw in FRAMEWORKS:
        href, text = entries[fw]
        if REGISTRY[fw].no_colab:  # the reason, and the notebook to download
            assert href == f'../_sources/chapters/tabbed-{fw}.ipynb'
            assert (published / href.removeprefix('../')).is_file()
            assert REGISTRY[fw].no_colab in text
        else:
            notebook = f'chapters/tabbed-{fw}.ipynb'
            assert href == f'{COLAB}gh-pages/_sources/{notebook}'
            assert (published / '_sources' / notebook).is_file()
            assert text == f'Colab ({REGISTRY[fw].display})'
    assert '_static/colab.js' in html


@pytest.mark.slow
def test_each_framework_page_offers_its_own_notebook(published):
    for fw in FRAMEWORKS:
        page = published / 'chapters' / f'tabbed-{fw}.html'
        entries = colab_entries(page.read_text('utf-8'))
        assert list(entries) == [fw]
    other = (published / 'chapters' / 'other.html').read_text('utf-8')
    assert colab_entries(other)['pytorch'][0] == (
        f'{COLAB}gh-pages/_sources/chapters/other.ipynb'
    )


@pytest.mark.slow
def test_each_published_notebook_installs_its_framework(published):
    for fw in FRAMEWORKS:
        path = published / '_sources' / 'chapters' / f'tabbed-{fw}.ipynb'
        nb = nbformat.read(path, as_version=4)
        assert nb.cells[0].source == install_cell(URL, 'en', fw)
        assert f"'[{REGISTRY[fw].extra}]'" in nb.cells[0].source


@pytest.mark.slow
def test_published_notebooks_link_each_other_in_colab(published):
    def links(page):
        nb = nbformat.read(published / '_sources' / page, as_version=4)
        text = '\n'.join(
            c.source for c in nb.cells if c.cell_type == 'markdown'
        )
        return re.findall(r'\]\(([^)]+)\)', text)

    pages = f'{COLAB}gh-pages/_sources/chapters/'
    assert f'{pages}other.ipynb' in links('chapters/tabbed-pytorch.ipynb')
    assert f'{pages}tabbed.ipynb' in links('chapters/other.ipynb')
    assert (published / '_sources' / 'chapters' / 'tabbed.ipynb').is_file()
    # The notebooks for JupyterLab keep their relative links.
    local = published.parent / 'jupyter' / 'chapters' / 'other.ipynb'
    nb = nbformat.read(local, as_version=4)
    assert '](tabbed.ipynb)' in '\n'.join(c.source for c in nb.cells)


@pytest.mark.slow
@pytest.mark.browser
def test_the_launch_menu_follows_the_selected_tab(published, browser):
    with SiteServer(published) as server:
        page = browser.new_page()
        errors = []
        page.on('console', lambda m: m.type == 'error' and errors.append(m))
        page.goto(f'{server.url}chapters/tabbed.html?framework=tensorflow')
        page.wait_for_load_state('load')

        def shown():
            return [
                fw
                for fw in FRAMEWORKS
                if page.locator(f'a.btn-colab-{fw}').evaluate(
                    'a => !a.closest("li").hidden'
                )
            ]

        assert shown() == ['tensorflow']
        for fw in ['mxnet', 'pytorch']:
            tab = page.locator(f"label.sd-tab-label[data-sync-id='{fw}']")
            tab.first.click()
            assert shown() == [fw]
        page.close()
        assert errors == []


@pytest.mark.slow
def test_without_a_repository_no_colab_and_relative_links(book_html):
    for page in toc_pages():
        html = (book_html / f'{page}.html').read_text('utf-8')
        assert 'btn-colab-' not in html, page
    nb = nbformat.read(
        book_html / '_sources' / 'chapters' / 'minibatch_sgd.ipynb',
        as_version=4,
    )
    text = '\n'.join(c.source for c in nb.cells)
    assert '](hardware_scaling.ipynb' in text
    assert 'colab.research.google.com' not in text


def test_the_workflow_publishes_what_colab_opens():
    flow = yaml.safe_load(WORKFLOW.read_text())
    job = flow['jobs']['notebooks']
    assert set(job['needs']) == {'build', 'test'}
    assert "github.ref == 'refs/heads/main'" in job['if']
    runs = ' '.join(step.get('run', '') for step in job['steps'])
    assert f'--branch {BRANCH}' in runs and '_build/html' in runs
