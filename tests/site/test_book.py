"""The built book: sections, figures, glued numbers, citations, and a strict build."""

import json
import math
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.helpers import FRAMEWORKS, ROOT, build_book, is_tabbed, mini_book

pytestmark = pytest.mark.slow

CHAPTER = ROOT / 'chapters' / 'minibatch_sgd.md'
SECTIONS = [
    'Vectorization and Caches',
    'Minibatches',
    'Reading the Dataset',
    'Implementation from Scratch',
    'Concise Implementation',
    'The Three Frameworks Compared',
    'Summary',
    'Exercises',
]
RUN_FIGURES = ['fig-gd', 'fig-sgd', 'fig-mini100', 'fig-mini10', 'fig-concise']
GLUE_REF = re.compile(r'\{glue:text\}`(?:([\w.-]+)::)?([\w-]+)(?::([^`]*))?`')


@pytest.fixture(scope='module')
def page(book_html):
    return (book_html / 'chapters' / 'minibatch_sgd.html').read_text(
        encoding='utf-8'
    )


def figure_blocks(html):
    """Map each <figure id=...> to its inner HTML."""
    return dict(
        re.findall(
            r'<figure[^>]*\bid="([^"]+)"[^>]*>(.*?)</figure>', html, re.S
        )
    )


def test_every_section_is_numbered(page):
    headings = re.findall(
        r'<h2><span class="section-number">([\d.]+)\s*</span>(.*?)<a',
        page,
        re.S,
    )
    titles = [t.strip() for _, t in headings]
    assert titles == SECTIONS
    assert all(n.count('.') == 2 for n, _ in headings)  # e.g. "1.2."


@pytest.mark.parametrize('framework', FRAMEWORKS)
def test_one_figure_per_run_with_alt_text(page, framework):
    """On each framework's tabs: PyTorch's figure has the chapter's label,
    each other framework's the label with its name (_ext/figures.py)."""
    figures = figure_blocks(page)
    for label in RUN_FIGURES + ['fig-time-loss', 'fig-variance']:
        name = label if framework == 'pytorch' else f'{label}-{framework}'
        assert name in figures, f'figure {name} is missing'
        imgs = re.findall(r'<img[^>]*>', figures[name])
        assert len(imgs) == 1, f'{name} has {len(imgs)} images, expected one'
        alt = re.search(r'alt="([^"]*)"', imgs[0]).group(1)
        assert alt.strip() and not alt.endswith('.svg'), (
            f'{name} has no alt text'
        )
        assert '<figcaption' in figures[name]
        # Numbered as the chapter's own figures, the same on every tab.
        number = re.search(r'caption-number">Fig\. ([\d.]+)', figures[name])
        assert number and number[0] in figures[label], f'{name} has no number'
        assert imgs[0].split('src="')[1].split('"')[0].endswith('.svg')
    # No stray figures: every image on the page is a captioned figure.
    assert page.count('<img') == len(figures)


@pytest.mark.parametrize(
    'chapter, figures',
    [
        ('minibatch_sgd', ['fig-sgd', 'fig-gd']),
        ('zh/minibatch_sgd', ['zh-fig-sgd', 'zh-fig-gd']),
    ],
)
def test_a_numref_to_a_figure_in_a_tab_is_its_number(
    book_html, chapter, figures
):
    """`{numref}` reaches a figure inside the framework tabs: a link to the
    figure, whose caption has the number the link says (Sphinx's own)."""
    page = (book_html / 'chapters' / f'{chapter}.html').read_text('utf-8')
    links = re.findall(
        r'<a class="reference internal" href="#([\w-]+)">'
        r'<span class="std std-numref">(?:Fig\.|图) ([\d.]+)</span></a>',
        page,
    )
    assert [label for label, _ in links] == figures
    blocks = figure_blocks(page)
    for label, number in links:
        caption = re.search(
            r'caption-number">(?:Fig\.|图) ([\d.]+)', blocks[label]
        )
        assert caption and caption[1] == number, (label, number)


def test_device_is_named(page):
    text = re.sub(r'<[^>]+>', '', page)
    assert re.search(r'This page was built on\s+(CPU|.*cuda)', text)


def _glued(book_html, chapter):
    """The glued values of an executed chapter, by key, as their text/plain strings."""
    path = book_html.parent / 'jupyter_execute' / f'{chapter}.glue.json'
    return {
        k: v['data']['text/plain']
        for k, v in json.loads(path.read_text()).items()
    }


@pytest.mark.parametrize(
    'chapter',
    [
        'chapters/minibatch_sgd',
        'chapters/exercises',
        'chapters/explorer',
        'chapters/hardware_scaling',
        'chapters/data_parallel',
        'chapters/zh/minibatch_sgd',
        'chapters/zh/explorer',
    ],
)
def test_every_glued_value_is_present_and_numeric(book_html, chapter):
    """Every glue reference finds its value; a tabbed chapter's, in every
    framework's notebook (and `notebook.md::key` in that notebook)."""
    text = (ROOT / f'{chapter}.md').read_text(encoding='utf-8')
    refs = GLUE_REF.findall(text)
    assert refs
    runs = (
        {f'{chapter}-{fw}': fw for fw in FRAMEWORKS}
        if is_tabbed(chapter)
        else {chapter: None}
    )
    for run, framework in runs.items():
        values = _glued(book_html, run)
        for doc, key, fmt in refs:
            if doc and not doc.endswith(f'-{framework}.md'):
                continue  # another framework's value
            assert key in values, f'{key} is referenced but never glued'
            if fmt:  # a format spec means a number
                number = float(values[key])
                assert math.isfinite(number), f'{key} is {number}'
    page = (book_html / f'{chapter}.html').read_text(encoding='utf-8')
    pasted = re.findall(r'<span class="pasted-text">(.*?)</span>', page)
    # A tabbed chapter shows a number of `per-framework` prose three times.
    assert len(pasted) >= len(refs)
    assert not [
        p for p in pasted if 'nan' in p.lower() or 'None' in p or not p.strip()
    ]


def test_citation_resolves(book_html, page):
    cite = re.search(
        r'<a[^>]*href="([^"]*references\.html#[^"]+)"[^>]*>(.*?)</a>',
        page,
        re.S,
    )
    assert cite, 'no citation link to the references page'
    assert 'Ioffe' in page and '2017' in page
    anchor = cite.group(1).split('#')[1]
    refs = (book_html / 'references.html').read_text(encoding='utf-8')
    assert f'id="{anchor}"' in refs
    assert 'batch renormalization' in refs.lower()


def test_a_cell_error_fails_the_build(tmp_path):
    book = mini_book(
        tmp_path,
        textwrap.dedent('''\
        # Broken

        ```{code-cell} ipython3
        raise RuntimeError('this cell is broken on purpose')
        ```
        '''),
    )
    result = build_book(book, timeout=600)
    assert result.returncode != 0
    assert 'this cell is broken on purpose' in result.stdout + result.stderr


def test_a_build_that_runs_a_kernel_prints_no_warning_line(tmp_path):
    # ipykernel warns that it runs over TCP without encryption unless its
    # kernelspec's provisioner gives it CurveZMQ keys (d2lmini/core/kernel.py).
    book = mini_book(
        tmp_path,
        textwrap.dedent("""\
        # Quiet

        ```{code-cell} ipython3
        print(6 * 7)
        ```
        """),
        name='quiet',
    )
    result = build_book(book, timeout=600)
    out = result.stdout + result.stderr
    assert result.returncode == 0, out[-3000:]
    assert 'Executing notebook' in out  # a kernel did run
    assert [line for line in out.splitlines() if 'WARNING' in line] == []


def test_a_sphinx_warning_fails_the_build(tmp_path):
    book = mini_book(
        tmp_path, '# Broken\n\nSee {ref}`a-label-that-does-not-exist`.\n'
    )
    result = build_book(book, timeout=600)
    assert result.returncode != 0
    assert 'a-label-that-does-not-exist' in result.stdout + result.stderr


WARNING_PAGE = '''\
# Warnings

```{code-cell} ipython3
import warnings
x = 1 + 1
%s
```
'''


@pytest.mark.parametrize('warns', [True, False], ids=['warns', 'quiet'])
def test_a_warning_printed_by_a_cell_fails_the_build(tmp_path, warns):
    line = (
        "warnings.warn('this cell warns on purpose', DeprecationWarning)"
        if warns
        else ''
    )
    result = build_book(mini_book(tmp_path, WARNING_PAGE % line), timeout=600)
    log = result.stdout + result.stderr
    if warns:
        assert result.returncode != 0, log[-3000:]
        assert 'stderr was found in the cell outputs' in log
    else:
        assert result.returncode == 0, log[-3000:]


DOMAINS_WARNING = '''\
"""A test extension: one warning of the type that Jupyter Book 1 suppresses."""
from sphinx.util import logging


def warn(app):
    logging.getLogger(__name__).warning('a myst.domains warning on purpose',
                                        type='myst', subtype='domains')


def setup(app):
    app.connect('builder-inited', warn)
'''


@pytest.mark.parametrize(
    'suppressed', [False, True], ids=['as-configured', 'jb-default']
)
def test_myst_domains_warnings_are_not_suppressed(tmp_path, suppressed):
    # No page of ours triggers one, so a small extension emits it. With our
    # configuration it fails the build; with Jupyter Book's default it would not.
    book = mini_book(tmp_path, '# Domains\n')
    (book / '_ext' / 'warn_domains.py').write_text(DOMAINS_WARNING)
    config = (book / '_config.yml').read_text(encoding='utf-8')
    assert '    suppress_warnings: []' in config
    config = config.replace(
        '    d2lmini_site: _ext\n',
        '    d2lmini_site: _ext\n    warn_domains: _ext\n',
    )
    if suppressed:
        config = config.replace('    suppress_warnings: []', '')
    (book / '_config.yml').write_text(config, encoding='utf-8')
    result = build_book(book, timeout=600)
    log = result.stdout + result.stderr
    assert (result.returncode == 0) == suppressed, log[-3000:]
    assert ('a myst.domains warning on purpose' in log) != suppressed


NOTEBOOK_WARNING = '''\
"""A test extension: a warning in the notebook build only."""
from sphinx.util import logging


def warn(app):
    if app.builder.name == 'jupyter':
        logging.getLogger(__name__).warning('a notebook warning on purpose')


def setup(app):
    app.connect('builder-inited', warn)
'''


def test_a_warning_in_the_notebook_build_fails_the_build(tmp_path):
    # sphinx-tojupyter's builder ends the process in finish(), before Sphinx
    # counts the warnings; notebooks.py keeps the count.
    book = mini_book(tmp_path, '# Notebook\n')
    (book / '_ext' / 'warn_notebook.py').write_text(NOTEBOOK_WARNING)
    config = (book / '_config.yml').read_text(encoding='utf-8')
    config = config.replace(
        '    d2lmini_site: _ext\n',
        '    d2lmini_site: _ext\n    warn_notebook: _ext\n',
    )
    (book / '_config.yml').write_text(config, encoding='utf-8')
    result = build_book(book, timeout=600)
    log = result.stdout + result.stderr
    assert result.returncode != 0, log[-3000:]
    assert 'a notebook warning on purpose' in log
    assert (book / '_build' / 'html' / 'index.html').is_file()  # site first


VERSION_PAGE = '''\
# Version

```{code-cell} ipython3
import d2lmini
d2lmini.glue('version', d2lmini.__version__)
```

The package is version {glue:text}`version`.
'''


def test_a_change_in_the_package_re_executes_the_chapters(tmp_path):
    book = mini_book(tmp_path, VERSION_PAGE, name='version')
    shutil.copytree(
        ROOT / 'd2lmini',
        book / 'd2lmini',
        ignore=shutil.ignore_patterns('__pycache__'),
    )
    env = {'PYTHONPATH': str(book)}  # the kernels import this copy of d2lmini
    page = book / '_build' / 'html' / 'chapters' / 'version.html'
    notebook = book / '_build' / 'jupyter' / 'chapters' / 'version.ipynb'

    def build_and_read():
        result = build_book(book, env, timeout=600)
        assert result.returncode == 0, (result.stdout + result.stderr)[-3000:]
        prose = re.sub(r'<[^>]+>', '', page.read_text(encoding='utf-8'))
        # The notebook is rewritten too, though the chapter's source is not.
        cells = json.loads(notebook.read_text(encoding='utf-8'))['cells']
        text = '\n'.join(''.join(c['source']) for c in cells)
        version = re.search(r'version (\S+)\.', prose).group(1)
        assert f'version {version}.' in text
        return prose

    import d2lmini

    assert f'version {d2lmini.__version__}.' in build_and_read()
    init = book / 'd2lmini' / '__init__.py'
    init.write_text(
        re.sub(
            r"__version__ = '[^']*'",
            "__version__ = '9.9.9'",
            init.read_text(encoding='utf-8'),
        )
    )
    assert 'version 9.9.9.' in build_and_read()
    keyed = [p.name for p in (book / '_build' / '.jupyter_cache').iterdir()]
    assert len(keyed) == 1, keyed  # the old package's outputs are gone


@pytest.mark.parametrize(
    'page', ['chapters/minibatch_sgd.md', 'chapters/exercises.md']
)
def test_a_single_page_build_stops_at_once_and_says_what_to_run(
    tmp_path, page
):
    book = mini_book(tmp_path, 'Nothing to run.\n')
    for chapter in ['minibatch_sgd', 'exercises']:
        shutil.copy(ROOT / 'chapters' / f'{chapter}.md', book / 'chapters')
    jupyter_book = Path(sys.executable).with_name('jupyter-book')
    result = subprocess.run(
        [str(jupyter_book), 'build', page],
        cwd=book,
        capture_output=True,
        text=True,
        timeout=600,
    )
    out = result.stdout + result.stderr
    assert result.returncode != 0, out
    assert 'this book builds as a whole, not one page at a time' in out, out
    assert 'jupyter-book build .' in out
    assert 'Executing notebook' not in out  # it stopped before running code
    assert not list(book.glob('chapters/*-pytorch.md'))
