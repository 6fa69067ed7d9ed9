"""What the tests share: the repository's pages and chapters, the chapters'
own code, throwaway book builds, a local web server, Chromium, and a fake
accelerator."""

import ast
import functools
import http.server
import os
import re
import shutil
import subprocess
import sys
import threading
from html.parser import HTMLParser
from pathlib import Path

import jupytext
import nbformat
import psutil
import pytest
import torch
import yaml
from IPython.core.inputtransformer2 import TransformerManager

from d2lmini.core.registry import FRAMEWORKS as REGISTRY

ROOT = Path(__file__).resolve().parents[1]

# The only reasons a test may give for skipping under CI=true (conftest.py).
ALLOWED_SKIPS = ('needs a GPU', 'needs a non-root user')
needs_gpu = pytest.mark.skipif(
    not torch.cuda.is_available(),
    reason='needs a GPU: this machine has no CUDA device',
)
needs_non_root = pytest.mark.skipif(
    hasattr(os, 'geteuid') and os.geteuid() == 0,
    reason='needs a non-root user: root may write to read-only folders',
)


# The book's pages and chapters.
CHROMIUM_NAMES = (
    'chromium',
    'chromium-browser',
    'google-chrome',
    'google-chrome-stable',
)


def find_chromium():
    """The system's Chromium: $CHROMIUM, else the first of CHROMIUM_NAMES on the
    PATH, else None (Playwright never downloads a browser of its own here)."""
    if os.environ.get('CHROMIUM'):
        return os.environ['CHROMIUM']
    return next(filter(None, map(shutil.which, CHROMIUM_NAMES)), None)


CHROMIUM_ARGS = [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
    '--disable-dev-shm-usage',
]


def toc_pages(root=ROOT):
    """Every document named in _toc.yml (root first), as docnames like 'chapters/minibatch_sgd'."""
    toc = yaml.safe_load((Path(root) / '_toc.yml').read_text(encoding='utf-8'))
    pages = [toc['root']]

    def walk(entries):
        for entry in entries or []:
            if 'file' in entry:
                pages.append(str(Path(entry['file']).with_suffix('')))
            walk(entry.get('sections'))
            walk(entry.get('chapters'))
            for part in entry.get('parts', []):
                walk(part.get('chapters'))

    walk(toc.get('chapters'))
    for part in toc.get('parts', []):
        walk(part.get('chapters'))
    return pages


def source_of(page, root=ROOT):
    """The source file of a docname (.md or .ipynb)."""
    for suffix in ('.md', '.ipynb'):
        path = Path(root) / f'{page}{suffix}'
        if path.is_file():
            return path
    raise FileNotFoundError(
        f'no .md or .ipynb source for toc entry {page!r} under {root}'
    )


def is_tabbed(page, root=ROOT):
    """Whether a chapter is written once for three frameworks (its front
    matter lists `frameworks:`), as _ext/chapter.py decides it."""
    from chapter import is_tabbed as tabbed

    return tabbed(source_of(page, root))


def is_notebook(page, root=ROOT):
    """Whether a page is executed as a notebook (an .ipynb, or an .md with a kernelspec)."""
    path = source_of(page, root)
    if path.suffix == '.ipynb':
        return True
    head = path.read_text(encoding='utf-8').split('\n---', 1)[0]
    return (
        path.read_text(encoding='utf-8').startswith('---')
        and 'kernelspec:' in head
    )


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep pytest output clean
        pass


class SiteServer:
    """Serve a folder on 127.0.0.1 at a free port in a daemon thread."""

    def __init__(self, folder):
        handler = functools.partial(_QuietHandler, directory=str(folder))
        self.httpd = http.server.ThreadingHTTPServer(('127.0.0.1', 0), handler)
        self.url = f'http://127.0.0.1:{self.httpd.server_address[1]}/'
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, daemon=True
        )

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()


class PageIndex(HTMLParser):
    """The ids and the local link targets (href/src) of one HTML page."""

    def __init__(self):
        super().__init__()
        self.ids, self.links = set(), []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for key in ('id', 'name'):
            if attrs.get(key) and (key == 'id' or tag == 'a'):
                self.ids.add(attrs[key])
        for key in ('href', 'src'):
            value = attrs.get(key)
            if value and not re.match(
                r'^([a-z][a-z0-9+.-]*:|//)', value, re.I
            ):  # local only
                self.links.append(value)


def index_page(path):
    """Parse one built HTML file into its PageIndex."""
    parser = PageIndex()
    parser.feed(Path(path).read_text(encoding='utf-8'))
    return parser


# The chapters' code.
VERDICT = re.compile(r'''(['"])[^'"\n]*\1\s+if\s''')  # 'x' if ... else 'y'


FRAMEWORKS = tuple(REGISTRY)  # PyTorch first


def tags(metadata):
    return metadata.get('tags', [])


def framework_of(metadata):
    """The framework a cell is tagged with, or None: every framework runs it."""
    return next((t for t in tags(metadata) if t in FRAMEWORKS), None)


def code_cells(page, framework='pytorch'):
    """The code cells of a chapter ('chapters/minibatch_sgd', say) that
    `framework` runs (None: every cell of every framework), as (source,
    metadata) pairs."""
    nb = jupytext.read(ROOT / f'{page}.md')
    return [
        (c.source, c.metadata)
        for c in nb.cells
        if c.cell_type == 'code'
        and (
            framework is None or framework_of(c.metadata) in (None, framework)
        )
    ]


def code_lines(source):
    return [line for line in source.splitlines() if line.strip()]


def scaffolding(page):
    """How much of a chapter's code is hidden: hidden and visible code lines, the
    longest hidden cell, Markdown(...) calls and computed verdict words."""
    cells = code_cells(page)
    hidden = [code_lines(s) for s, m in cells if 'remove-cell' in tags(m)]
    visible = [code_lines(s) for s, m in cells if 'remove-cell' not in tags(m)]
    # Lesson code kept in the package (#@save cells) is not scaffolding.
    sources = '\n'.join(
        s for s, _ in code_cells(page) if not s.startswith('#@save')
    )
    return {
        'hidden': sum(map(len, hidden)),
        'visible': sum(map(len, visible)),
        'longest_hidden': max(map(len, hidden), default=0),
        'markdown_calls': sources.count('Markdown('),
        'verdicts': len(VERDICT.findall(sources)),
    }


def _constant(node):
    """An assignment of a value computed from literals alone, e.g. 2 ** 10."""
    return isinstance(node, ast.Assign) and not any(
        isinstance(n, (ast.Name, ast.Call, ast.Attribute))
        for n in ast.walk(node.value)
    )


def _magic(node):
    """A line magic such as %matplotlib inline, as IPython turns it into Python."""
    return (
        isinstance(node, ast.Expr)
        and isinstance(node.value, ast.Call)
        and 'get_ipython' in ast.unparse(node.value.func)
    )


def _definition(node):
    return isinstance(
        node, (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.ClassDef)
    ) or _constant(node)


def definitions(page):
    """Run the chapter's cells that only import and define (functions, classes,
    constants), in order, and return the namespace: the chapter's own code, for
    testing. Globals that the functions read (X, y, ...) are the test's to set."""
    namespace = {'__name__': f'chapter:{page}'}
    for i, (source, _) in enumerate(code_cells(page)):
        tree = ast.parse(TransformerManager().transform_cell(source))
        body = [node for node in tree.body if not _magic(node)]
        if body and all(map(_definition, body)):
            module = ast.Module(body=body, type_ignores=[])
            exec(
                compile(module, f'{page}.md, code cell {i}', 'exec'), namespace
            )
    return namespace


def executed(book_html, docname):
    """myst-nb's executed notebook of a page, with the outputs that the
    execution cache holds (myst-nb 1.4 writes jupyter_execute/ without
    outputs when it re-reads a page from the cache)."""
    from notebooks import with_cached_outputs

    build = Path(book_html).parent
    nb = nbformat.read(build / 'jupyter_execute' / f'{docname}.ipynb', 4)
    # One cache folder: a build removes those of older package versions.
    [cache] = [p for p in (build / '.jupyter_cache').iterdir() if p.is_dir()]
    return with_cached_outputs(nb, str(cache))


# The chapters as notebooks: what a JupyterLab or Colab reader sees.
NOTEBOOKS = ROOT / '_build' / 'jupyter'  # `make book` writes them (make lab)

# Raw MyST markup, by kind, that must never reach a notebook's Markdown.
LEAKS = {
    'role': re.compile(r'\{[a-zA-Z][\w:.-]*\}`'),  # {glue:text}`x`, {doc}`x`
    'glue': re.compile(r'\{glue(?![\w:.-]*\}`)'),  # a glue role gone wrong
    'directive': re.compile(r'^\s*(?:`{3,}|~{3,}|:{3,})\s*\{', re.M),
    'target': re.compile(r'^\s*\([^()\s]+\)=\s*$', re.M),  # (label)=
    'math label': re.compile(r'\$\$\s*\([^()\s]+\)'),  # $$ (label)
}

# The lesson's functions, as code cells of these chapters.
MAIN_LESSON = ['sgd', 'train_ch11', 'train_loop', 'train_concise_ch11']
LESSON_FUNCTIONS = {
    'chapters/minibatch_sgd': MAIN_LESSON,
    'chapters/zh/minibatch_sgd': MAIN_LESSON,
    'chapters/data_parallel': [
        'shard_loss',
        'global_batches',
        'shard',
        'train',
    ],
}


def leaked_markup(markdown_sources):
    """Every piece of raw MyST markup in some Markdown cells' sources, as
    (kind, text) pairs."""
    return [
        (kind, match.group(0).strip())
        for source in markdown_sources
        for kind, pattern in LEAKS.items()
        for match in pattern.finditer(source)
    ]


def defined_functions(code_sources):
    """The names of the functions that some code cells define."""
    return set(re.findall(r'^def\s+(\w+)\s*\(', '\n'.join(code_sources), re.M))


def check_notebook_content(page, markdown_sources, code_sources):
    """What every notebook of a chapter must show a reader: Markdown free of
    raw MyST markup, and the lesson's functions as code cells."""
    leaks = leaked_markup(markdown_sources)
    assert leaks == [], f'{page}: raw MyST markup in the Markdown: {leaks}'
    missing = set(LESSON_FUNCTIONS.get(page, [])) - defined_functions(
        code_sources
    )
    assert not missing, f'{page}: no code cell defines {sorted(missing)}'


# Building books.
def mini_book(tmp_path, chapter_body, name='broken', pages=None):
    """A one-chapter book with the project's own configuration; `pages`,
    {name: text}, adds whole pages to its chapters/ (in its table of
    contents, before the chapter)."""
    for item in ['_config.yml', 'references.bib', 'references.md', 'intro.md']:
        shutil.copy(ROOT / item, tmp_path / item)
    for folder in ['_ext', '_static']:
        shutil.copytree(ROOT / folder, tmp_path / folder)
    (tmp_path / 'chapters').mkdir()
    chapter = ROOT / 'chapters' / 'minibatch_sgd.md'
    front = chapter.read_text(encoding='utf-8').split('---\n')[1]
    front = re.sub(r'^frameworks:.*\n', '', front, flags=re.M)  # PyTorch only
    (tmp_path / 'chapters' / f'{name}.md').write_text(
        f'---\n{front}---\n\n{chapter_body}'
    )
    for page, text in (pages or {}).items():
        (tmp_path / 'chapters' / f'{page}.md').write_text(text)
    toc = [*(pages or {}), name]
    (tmp_path / '_toc.yml').write_text(
        'format: jb-book\nroot: intro\nchapters:\n'
        + ''.join(f'  - file: chapters/{page}\n' for page in toc)
        + '  - file: references\n'
    )
    return tmp_path


def build_book(src, extra_env=None, timeout=1800):
    """Build the book in `src` as `make book` does: the site, then the
    notebooks, both strict (scripts/build_book.py); return the
    CompletedProcess."""
    env = {**os.environ, **(extra_env or {})}
    script = ROOT / 'scripts' / 'build_book.py'
    return subprocess.run(
        [sys.executable, str(script), str(src), '--strict'],
        capture_output=True,
        text=True,
        env=env,
        timeout=timeout,
    )


# A simulated accelerator.
def fake_accelerator(monkeypatch, kind, count):
    """Pretend this machine's accelerator is `count` devices of type `kind`
    (None: no accelerator), as torch.accelerator reports them; return the list
    of devices that torch.accelerator.synchronize is asked to wait for."""
    synced = []
    device = torch.device(kind) if kind else None
    monkeypatch.setattr(
        torch.accelerator,
        'current_accelerator',
        lambda check_available=False: device,
    )
    monkeypatch.setattr(torch.accelerator, 'device_count', lambda: count)
    monkeypatch.setattr(
        torch.accelerator,
        'synchronize',
        lambda device=None: synced.append(torch.device(device)),
    )
    monkeypatch.delenv('D2LMINI_DEVICE', raising=False)
    return synced


# Processes the tests leave behind.
def descendants():
    """Every process this one started, and theirs."""
    return psutil.Process().children(recursive=True)


def _started_by(proc, pids):
    """Whether one of `pids` is an ancestor of `proc`: a renderer that a
    module's browser started during a test belongs to that browser."""
    try:
        return any(parent.pid in pids for parent in proc.parents())
    except psutil.Error:  # it ended while we looked
        return False


def reap_new(before, timeout=30):
    """Kill and reap the descendants that are not in `before` (pids) and were
    not started by one of them; return those that were found."""
    left = [p for p in descendants() if p.pid not in before]
    left = [p for p in left if not _started_by(p, before)]
    for proc in left:
        try:
            proc.kill()
        except psutil.NoSuchProcess:
            pass
    psutil.wait_procs(left, timeout=timeout)
    return left
