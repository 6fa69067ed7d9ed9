"""Helpers for the browser tests: the book's pages from _toc.yml, a local server, Chromium."""
import functools
import http.server
import os
import re
import shutil
import threading
from html.parser import HTMLParser
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM_NAMES = ('chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable')


def find_chromium():
    """The system's Chromium: $CHROMIUM, else the first of CHROMIUM_NAMES on the
    PATH, else None (Playwright never downloads a browser of its own here)."""
    if os.environ.get('CHROMIUM'):
        return os.environ['CHROMIUM']
    return next(filter(None, map(shutil.which, CHROMIUM_NAMES)), None)

CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking',
                 '--disable-component-update', '--disable-sync', '--no-first-run',
                 '--disable-dev-shm-usage']


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
    raise FileNotFoundError(f'no .md or .ipynb source for toc entry {page!r} under {root}')


def is_notebook(page, root=ROOT):
    """Whether a page is executed as a notebook (an .ipynb, or an .md with a kernelspec)."""
    path = source_of(page, root)
    if path.suffix == '.ipynb':
        return True
    head = path.read_text(encoding='utf-8').split('\n---', 1)[0]
    return path.read_text(encoding='utf-8').startswith('---') and 'kernelspec:' in head


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep pytest output clean
        pass


class SiteServer:
    """Serve a folder on 127.0.0.1 at a free port in a daemon thread."""

    def __init__(self, folder):
        handler = functools.partial(_QuietHandler, directory=str(folder))
        self.httpd = http.server.ThreadingHTTPServer(('127.0.0.1', 0), handler)
        self.url = f'http://127.0.0.1:{self.httpd.server_address[1]}/'
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

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
            if value and not re.match(r'^([a-z][a-z0-9+.-]*:|//)', value, re.I):  # local only
                self.links.append(value)


def index_page(path):
    """Parse one built HTML file into its PageIndex."""
    parser = PageIndex()
    parser.feed(Path(path).read_text(encoding='utf-8'))
    return parser
