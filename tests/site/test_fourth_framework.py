"""A fourth framework is one registry entry: with a stub JAX added to a copy
of d2lmini/core/registry.py, and named in a tabbed chapter's front matter
and tags, the build writes its notebook, gives it tabs, and says that it
could not run it (there is no JAX kernel). Nothing in _ext/ changes."""

import re
import shutil

import pytest
from bs4 import BeautifulSoup

from tests.helpers import ROOT, build_book, mini_book

pytestmark = pytest.mark.slow

JAX = """
FRAMEWORKS['jax'] = Framework(
    'jax', 'JAX', 'jax', 'jax', 'jax', 'd2lmini-jax-stub'
)
"""
DEMO = """\
---
kernelspec:
  display_name: Python 3 (ipykernel)
  language: python
  name: python3
frameworks: [pytorch, jax]
---

(sec-demo)=
# Demo

```{code-cell} ipython3
from myst_nb import glue
```

```{code-cell} ipython3
:tags: [pytorch]
glue('value', 2.5, display=False)
```

```{code-cell} ipython3
:tags: [jax]
glue('value', 3.5, display=False)
```

+++ {"tags": ["jax"]}

JAX prose.

+++ {"tags": ["per-framework"]}

Measured {glue:text}`value:.2f`.

+++

See {ref}`sec-demo`.
"""


@pytest.fixture(scope='module')
def built(tmp_path_factory):
    tmp = tmp_path_factory.mktemp('fourth')
    package = tmp / 'package'
    shutil.copytree(ROOT / 'd2lmini', package / 'd2lmini')
    registry = package / 'd2lmini' / 'core' / 'registry.py'
    registry.write_text(registry.read_text(encoding='utf-8') + JAX)
    (tmp / 'book').mkdir()
    book = mini_book(
        tmp / 'book', '# Other\n\nNothing here.\n', pages={'demo': DEMO}
    )
    result = build_book(book, extra_env={'PYTHONPATH': str(package)})
    assert result.returncode == 0, (result.stdout + result.stderr)[-5000:]
    return book


def test_its_notebook_is_written_for_its_kernel(built):
    notebook = (built / 'chapters' / 'demo-jax.md').read_text('utf-8')
    assert 'name: d2lmini-jax-stub' in notebook
    assert (
        "execution_mode: 'off'" in notebook
        or 'execution_mode: off' in notebook
    )
    assert 'glue(\'value\', 3.5' in notebook and '2.5' not in notebook
    page = built / '_build' / 'html' / 'chapters' / 'demo-jax.html'
    text = BeautifulSoup(page.read_text('utf-8'), 'html.parser').get_text()
    assert 'Demo (JAX)' in text and 'JAX prose.' in text
    assert 'This build could not run JAX' in text
    assert re.search(r'Measured\s+not run\.', text)
    assert 'id="sec-demo-jax"' in page.read_text('utf-8')


def test_its_tabs_hold_its_code_and_say_why_it_did_not_run(built):
    page = built / '_build' / 'html' / 'chapters' / 'demo.html'
    soup = BeautifulSoup(page.read_text('utf-8'), 'html.parser')
    labels = soup.select('label.sd-tab-label[data-sync-group="framework"]')
    tabs = {}
    for label in labels:
        content = label.find_next_sibling('div', class_='sd-tab-content')
        tabs.setdefault(label['data-sync-id'], []).append(content.get_text())
    assert [label.get_text(strip=True) for label in labels[:2]] == [
        'PyTorch',
        'JAX',
    ]
    assert len(tabs['jax']) == len(tabs['pytorch']) + 1  # its own prose
    assert any("3.5" in t for t in tabs['jax'])  # its code, not run
    assert any('Measured 2.50' in ' '.join(t.split()) for t in tabs['pytorch'])
    assert all(
        'This build could not run JAX' in t
        for t in tabs['jax']
        if 'Measured' in t or 'JAX prose' in t
    )
