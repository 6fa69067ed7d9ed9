"""_ext/chapter.py on data: the framework notebooks split from a tabbed
chapter, and the chapter as Sphinx reads it; a build that cannot run MXNet.
The built pages are checked in tests/site/test_frameworks.py, and a stub
fourth framework in tests/site/test_fourth_framework.py."""

import subprocess

import chapter
import pytest
from frameworks import tabbed_chapters
from sphinx.errors import ExtensionError

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

+++ {"tags": ["tensorflow"]}

TensorFlow prose.

+++ {"tags": ["mxnet"]}

MXNet prose.

:::{note}
A note.
:::

```{code-cell} ipython3
print(1)
```

+++ {"tags": ["per-framework"]}

Measured {glue:text}`value:.2f`.

+++

See {ref}`sec-demo`.
"""
NOTEBOOK = chapter.reads(CHAPTER)


def sources(nb, kind):
    return [c.source for c in nb.cells if c.cell_type == kind]


def test_the_front_matter_names_the_frameworks_in_the_registrys_order():
    assert chapter.frameworks(NOTEBOOK.metadata) == list(REGISTRY)
    assert chapter.frameworks({'frameworks': ['mxnet', 'pytorch']}) == [
        'pytorch',
        'mxnet',
    ]
    assert chapter.frameworks({}) == []
    with pytest.raises(
        ExtensionError, match='jax not in d2lmini/core/registry.py'
    ):
        chapter.frameworks({'frameworks': ['pytorch', 'jax']})


def test_each_framework_gets_its_cells_prose_and_kernel():
    tf = chapter.notebook(NOTEBOOK, 'tensorflow', 'demo')
    assert tf.metadata['kernelspec']['name'] == REGISTRY['tensorflow'].kernel
    assert tf.metadata['orphan'] and 'frameworks' not in tf.metadata
    code = sources(tf, 'code')
    assert code == ['import tensorflow as tf', 'print(1)']
    prose = '\n'.join(sources(tf, 'markdown'))
    assert 'TensorFlow prose.' in prose and 'MXNet prose' not in prose
    assert 'Measured {glue:text}`value:.2f`.' in prose  # its own numbers
    assert '# Demo (TensorFlow)' in prose and '{doc}`demo`' in prose
    tags = [c.metadata.get('tags') for c in tf.cells if c.cell_type == 'code']
    assert tags == [['hide-input'], None]  # the framework's tag is gone
    assert "execution_mode" not in chapter.writes(tf)


def test_each_cell_keeps_its_place_in_the_chapter():
    for fw in REGISTRY:
        nb = chapter.split(NOTEBOOK, fw)
        for cell in nb.cells:
            origin = NOTEBOOK.cells[cell.metadata[chapter.ORIGIN]]
            assert origin.source == cell.source
            assert chapter.framework_of(origin) in (None, fw)


def test_the_chapter_reads_with_its_framework_prose_in_directives():
    view = chapter.view(NOTEBOOK)
    assert len(view.cells) == len(NOTEBOOK.cells)
    prose = sources(view, 'markdown')
    # A fence longer than the cell's own (its note).
    assert '::::{framework} mxnet\nMXNet prose.\n\n:::{note}' in prose[2]
    assert prose[1] == ':::{framework} tensorflow\nTensorFlow prose.\n:::'
    assert prose[3].startswith(':::{per-framework}\nMeasured')
    assert (
        sources(view, 'code')[0] == 'import torch'
    )  # a transform fills the tabs
    assert [c.metadata[chapter.ORIGIN] for c in view.cells] == list(
        range(len(view.cells))
    )


def test_two_framework_tags_on_a_cell_are_an_error():
    nb = chapter.reads(
        CHAPTER.replace(':tags: [mxnet]', ':tags: [mxnet, pytorch]')
    )
    with pytest.raises(ExtensionError, match='two framework tags'):
        chapter.notebook(nb, 'mxnet', 'demo')


def test_without_mxnet_its_notebook_says_why_and_is_not_executed():
    why = 'This build could not run MXNet: no kernel.'
    mx = chapter.notebook(NOTEBOOK, 'mxnet', 'demo', why)
    assert mx.metadata['mystnb'] == {'execution_mode': 'off'}
    assert f'```{{warning}}\n{why}\n```' in sources(mx, 'markdown')[0]
    text = chapter.writes(mx)
    assert chapter.reads(text).metadata['mystnb'] == mx.metadata['mystnb']


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
    trimmed.write_text('format: jb-article\nroot: chapters/exercises\n')
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
