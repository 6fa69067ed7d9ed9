"""_ext/frameworks.py on text: the framework notebooks it writes from a
tabbed chapter, the chapter as Sphinx reads it, and a build that cannot run
MXNet. The built pages are checked in tests/site/test_frameworks.py."""

import re
import subprocess

from frameworks import (
    chapter_text,
    notebook_text,
    tabbed_chapters,
)

from d2lmini.core.registry import FRAMEWORKS as REGISTRY
from tests.helpers import ROOT

CHAPTER = """\
---
kernelspec:
  display_name: Python 3 (ipykernel)
  language: python
  name: python3
frameworks: [pytorch, tensorflow, mxnet]
---

(sec-demo)=
# Demo

```{code-cell} ipython3
:tags: [pytorch]
import torch
```

```{code-cell} ipython3
:tags: [tensorflow, hide-input]
import tensorflow as tf
```

```{code-cell} ipython3
:tags: [mxnet]
from mxnet import np
```

:::{framework} tensorflow
TensorFlow prose.
:::

:::{framework} mxnet
MXNet prose.
:::

```{code-cell} ipython3
---
mystnb:
  figure:
    name: fig-demo
---
print(1)
```

::::{per-framework}
Measured {glue:text}`value:.2f` and {glue:text}`word`.
::::

See {ref}`sec-demo` and {numref}`fig-demo`; {glue:text}`device` outside.

| | MXNet |
|--|--|
| x | {glue:text}`demo-mxnet.md::value:.3g` |
"""
NOTHING = {}
NO_MXNET = {'mxnet': 'This build could not run MXNet: no kernel.'}


def test_each_framework_gets_its_cells_prose_and_kernel():
    tf = notebook_text(CHAPTER, 'tensorflow', 'demo.md', NOTHING)
    assert f"name: {REGISTRY['tensorflow'].kernel}" in tf and 'orphan: true' in tf
    assert 'frameworks:' not in tf
    assert 'import tensorflow' in tf and ':tags: [hide-input]' in tf
    assert 'import torch' not in tf and 'from mxnet' not in tf
    assert 'TensorFlow prose.' in tf and 'MXNet prose' not in tf
    assert '{framework}' not in tf and '{per-framework}' not in tf
    assert '# Demo (TensorFlow)' in tf
    assert 'print(1)' in tf  # an untagged cell is every framework's


def test_labels_are_the_frameworks_own():
    mx = notebook_text(CHAPTER, 'mxnet', 'demo.md', NOTHING)
    assert '(sec-demo-mxnet)=' in mx and 'name: fig-demo-mxnet' in mx
    assert '{ref}`sec-demo-mxnet`' in mx and '{numref}`fig-demo-mxnet`' in mx
    assert re.search(r'\(sec-demo\)=|name: fig-demo$', mx, re.M) is None


def test_the_chapter_reads_as_synced_tabs_with_each_frameworks_numbers():
    text = chapter_text(CHAPTER, 'chapters/demo.md', NOTHING)
    sets = re.findall(
        r'^::::::\{tab-set\}\n:sync-group: framework$', text, re.M
    )
    assert len(sets) == 2  # the framework prose, and the per-framework one
    for fw in ('pytorch', 'tensorflow', 'mxnet'):
        assert f'{{glue:text}}`demo-{fw}.md::value:.2f`' in text
        assert (
            f'{{glue:text}}`demo-{fw}.md::word:`' in text
        )  # a format: a colon
    # Outside tabs a number is PyTorch's; a named notebook's stays as it is.
    assert '{glue:text}`demo-pytorch.md::device:`' in text
    assert '{glue:text}`demo-mxnet.md::value:.3g`' in text
    assert 'import torch' in text  # the cells stay: a transform fills the tabs


def test_without_mxnet_its_tabs_say_why_and_nothing_of_it_is_glued():
    text = chapter_text(CHAPTER, 'chapters/demo.md', NO_MXNET)
    assert NO_MXNET['mxnet'] in text
    assert 'demo-mxnet.md::' not in text
    assert '| x | not run |' in text
    mx = notebook_text(CHAPTER, 'mxnet', 'demo.md', NO_MXNET)
    assert "execution_mode: 'off'" in mx
    assert '```{warning}\n' + NO_MXNET['mxnet'] in mx
    assert '{glue:' not in mx
    tf = notebook_text(CHAPTER, 'tensorflow', 'demo.md', NO_MXNET)
    assert "execution_mode" not in tf and 'demo-mxnet.md::' not in tf


def test_make_book_says_in_one_line_when_mxnet_cannot_be_installed(tmp_path):
    result = subprocess.run(
        [
            'make',
            '-s',
            f'{tmp_path}/venv/share/jupyter/kernels/{REGISTRY["mxnet"].kernel}/kernel.json',
            'MXNET_PYTHON=python3-that-does-not-exist',
            f'MXNET_VENV={tmp_path}/mxnet',
            f'VENV={tmp_path}/venv',
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 1 and lines[0].startswith('MXNet: not installed:')
    assert REGISTRY['mxnet'].python in lines[0] and 'MXNET_PYTHON' in lines[0]
    assert not (tmp_path / 'mxnet').exists()


def test_framework_notebooks_come_from_the_table_of_contents(tmp_path):
    # A teacher's book of the exercises alone gets no framework notebooks of
    # the chapter it leaves out; the whole book gets both languages'.
    chapters = tmp_path / 'chapters'
    (chapters / 'zh').mkdir(parents=True)
    for page in ['minibatch_sgd', 'exercises', 'zh/minibatch_sgd']:
        (chapters / f'{page}.md').write_text(
            (ROOT / 'chapters' / f'{page}.md').read_text(encoding='utf-8')
        )
    trimmed = tmp_path / 'trimmed.yml'
    trimmed.write_text(
        'format: jb-article\nroot: chapters/exercises\n'
    )
    assert tabbed_chapters(tmp_path, trimmed) == []
    whole = tmp_path / 'whole.yml'
    whole.write_text(
        'format: jb-book\nroot: chapters/exercises\nchapters:\n'
        '  - file: chapters/minibatch_sgd\n  - file: chapters/zh/minibatch_sgd\n'
    )
    assert tabbed_chapters(tmp_path, whole) == [
        chapters / 'minibatch_sgd.md',
        chapters / 'zh' / 'minibatch_sgd.md',
    ]
