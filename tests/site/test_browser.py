"""The built site in headless Chromium: pages, images, math, links, search, downloads, a11y."""

import re
import urllib.request
from collections import deque
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import nbformat
import pytest

from tests.helpers import (
    ROOT,
    SiteServer,
    index_page,
    is_notebook,
    toc_pages,
)

pytestmark = [pytest.mark.slow, pytest.mark.browser]
PAGES = toc_pages()
MAIN = 'chapters/minibatch_sgd'
ZH = 'chapters/zh/minibatch_sgd'


@pytest.fixture(scope='session')
def site(book_html):
    """The built book served on 127.0.0.1 at a free port."""
    with SiteServer(book_html) as server:
        yield server


class Visit:
    """One page opened in a fresh context, recording console errors and failed local requests."""

    def __init__(self, browser, site, path, dark=False):
        self.context = browser.new_context(
            viewport={'width': 1280, 'height': 900}
        )
        if dark:
            self.context.add_init_script(  # what the theme's own switch stores
                "localStorage.setItem('mode', 'dark'); localStorage.setItem('theme', 'dark');"
            )
        self.page = self.context.new_page()
        self.page.set_default_timeout(120_000)  # a busy machine is slow
        self.errors, self.failed = [], []
        local = site.url.rstrip('/')
        # No internet here: abort every non-local request, and do not count those.
        self.page.route(
            re.compile(r'^(?!' + re.escape(local) + r')[a-z]+://.*'),
            lambda route: route.abort(),
        )
        self.page.on(
            'console', lambda m: m.type == 'error' and self._console(m, local)
        )
        self.page.on(
            'pageerror', lambda e: self.errors.append(f'uncaught: {e}')
        )
        self.page.on(
            'requestfailed',
            lambda r: (
                r.url.startswith(local)
                and self.failed.append(f'{r.url}: {r.failure}')
            ),
        )
        self.page.on(
            'response',
            lambda r: (
                r.url.startswith(local)
                and r.status >= 400
                and self.failed.append(f'{r.url}: HTTP {r.status}')
            ),
        )
        self.page.goto(urljoin(site.url, path), wait_until='load')
        self.page.wait_for_load_state('networkidle')
        self.wait_for_math()

    def _console(self, message, local):
        where = message.location.get('url', '')
        if where and not where.startswith(local):
            return  # an aborted external request
        self.errors.append(f'{message.text} ({where})')

    def wait_for_math(self):
        """Wait until MathJax (if the page loads it) has typeset everything."""
        self.page.evaluate("""async () => {
            if (window.MathJax && MathJax.startup && MathJax.startup.promise) {
                await MathJax.startup.promise;
            }
        }""")

    def close(self):
        self.context.close()


@pytest.fixture
def visit(browser, site):
    opened = []

    def open_page(path, dark=False):
        opened.append(Visit(browser, site, path, dark))
        return opened[-1]

    yield open_page
    for v in opened:
        v.close()


def fetch(url):
    with urllib.request.urlopen(url, timeout=120) as response:
        return response.read()


@pytest.mark.parametrize('page', PAGES)
def test_page_loads_clean_with_images_and_screenshots(
    visit, site, book_html, page
):
    """Each toc page loads without console errors or failed local requests; images load with alt text."""
    shots = book_html.parent / 'screenshots'
    shots.mkdir(exist_ok=True)
    for mode in ('light', 'dark'):
        v = visit(f'{page}.html', dark=mode == 'dark')
        assert v.errors == [], f'{page} ({mode}): console errors {v.errors}'
        assert v.failed == [], (
            f'{page} ({mode}): failed local requests {v.failed}'
        )
        theme = v.page.evaluate("document.documentElement.dataset.theme")
        assert theme == mode, (
            f'{page}: expected data-theme={mode}, got {theme}'
        )
        images = v.page.evaluate("""() => [...document.querySelectorAll('.bd-article img')].map(
            i => ({src: i.getAttribute('src'), alt: (i.getAttribute('alt') || '').trim(),
                   complete: i.complete, width: i.naturalWidth}))""")
        for img in images:
            assert img['complete'] and img['width'] > 0, (
                f'{page}: image did not load: {img}'
            )
            assert img['alt'], f'{page}: image without alt text: {img["src"]}'
        name = page.replace('/', '__')
        v.page.screenshot(
            path=str(shots / f'{name}-{mode}.png'), full_page=True
        )
        assert (shots / f'{name}-{mode}.png').stat().st_size > 10_000


def test_a_link_to_a_figure_in_hidden_tabs_shows_it(visit):
    """{numref} links to the default framework's figure. With TensorFlow
    chosen, following the link opens that tab set's PyTorch tab (sphinx-
    design's doing) and scrolls to the figure, which is shown."""
    v = visit(f'{MAIN}.html')
    v.page.locator('label[data-sync-id="tensorflow"]').first.click()
    hidden = 'document.getElementById("fig-sgd").offsetParent === null'
    assert v.page.evaluate(hidden)
    v.page.locator('a[href="#fig-sgd"]:has(.std-numref)').first.click()
    v.page.wait_for_function(f'() => !({hidden})')
    top, height = v.page.evaluate(
        '[document.getElementById("fig-sgd").getBoundingClientRect().top,'
        ' innerHeight]'
    )
    assert 0 <= top < height
    assert v.errors == [], v.errors


def test_the_site_has_a_favicon(visit):
    """Every page names an icon that loads, so no browser asks for /favicon.ico."""
    v = visit(f'{MAIN}.html')
    href = v.page.evaluate(
        "document.querySelector('link[rel~=\"icon\"]')?.href"
    )
    assert href and href.endswith('.svg'), href
    assert fetch(href).lstrip().startswith(b'<svg')


def test_math_renders_offline(visit):
    """MathJax comes from the site itself and typesets the main chapter; no raw $...$ is left."""
    v = visit(f'{MAIN}.html')
    sources = v.page.evaluate(
        "[...document.scripts].map(s => s.src).filter(s => /mathjax/i.test(s))"
    )
    assert sources and all(
        s.startswith(v.page.url.split('/chapters/')[0]) for s in sources
    ), sources
    assert v.page.locator('mjx-container').count() > 0, (
        'MathJax produced no output'
    )
    text = v.page.evaluate("""() => {
        const article = document.querySelector('.bd-article').cloneNode(true);
        article.querySelectorAll('pre, code, mjx-container, script, .highlight').forEach(n => n.remove());
        return article.innerText;
    }""")
    raw = re.findall(r'\$[^$\n]{1,80}\$|\\\(|\\\[', text)
    assert raw == [], f'untypeset math left in the text: {raw[:5]}'


def test_dark_mode_figures_on_white(visit, book_html):
    """Output figures are SVGs with an opaque white background, so dark mode cannot hide them."""
    checked = 0
    for page in PAGES:
        v = visit(f'{page}.html', dark=True)
        for img in v.page.evaluate("""() => [...document.querySelectorAll('.cell_output img')].map(
                i => ({src: i.getAttribute('src'), filter: getComputedStyle(i).filter}))"""):
            assert 'invert' not in img['filter'], (
                f'{page}: dark mode inverts {img["src"]}'
            )
            path = (book_html / page).parent / img['src']
            assert path.suffix == '.svg', (
                f'{page}: figure is not an SVG: {img["src"]}'
            )
            svg = path.read_text(encoding='utf-8')
            first = re.search(
                r'<g id="patch_1">\s*<path [^>]*style="([^"]*)"', svg
            )
            assert first, f'{path.name}: no background patch'
            assert re.search(r'fill:\s*#ffffff', first.group(1)), (
                f'{path.name}: background {first.group(1)}'
            )
            assert 'opacity' not in first.group(1), (
                f'{path.name}: translucent background'
            )
            checked += 1
    assert checked > 0, 'no output figures found on any page'


def test_internal_links_and_anchors_resolve(book_html):
    """Crawl every local link from the root page: each target file and #anchor exists."""
    start = book_html / f'{PAGES[0]}.html'
    seen, queue, problems, indexes = {start}, deque([start]), [], {}

    def index(path):
        if path not in indexes:
            indexes[path] = index_page(path)
        return indexes[path]

    while queue:
        page = queue.popleft()
        for link in index(page).links:
            parts = urlsplit(link)
            target = (
                (page.parent / unquote(parts.path)).resolve()
                if parts.path
                else page
            )
            if target.is_dir():
                target = target / 'index.html'
            if not target.exists():
                problems.append(
                    f'{page.relative_to(book_html)}: {link} -> missing file'
                )
                continue
            if target.suffix == '.html':
                if (
                    parts.fragment
                    and unquote(parts.fragment) not in index(target).ids
                ):
                    problems.append(
                        f'{page.relative_to(book_html)}: {link} -> missing anchor'
                    )
                if target not in seen and book_html in target.parents:
                    seen.add(target)
                    queue.append(target)
    assert len(seen) >= len(PAGES), f'the crawl reached only {len(seen)} pages'
    for page in PAGES:
        assert (book_html / f'{page}.html') in seen, (
            f'{page} is not linked from the site'
        )
    assert problems == [], '\n'.join(problems)


@pytest.mark.parametrize(
    'query, expected', [('minibatch', MAIN), ('小批量', ZH)]
)
def test_search_finds_chapter(visit, query, expected):
    """The search page lists the chapter for its key word."""
    v = visit(f'search.html?q={query}')
    v.page.wait_for_selector(
        '#search-results p.search-summary, #search-results li', timeout=120_000
    )
    v.page.wait_for_function(
        "!document.querySelector('#search-progress') || "
        "document.querySelector('#search-progress').innerText === ''",
        timeout=120_000,
    )
    hits = v.page.evaluate(
        "[...document.querySelectorAll('#search-results li a')].map(a => a.href)"
    )
    assert any(urlsplit(h).path.endswith(f'/{expected}.html') for h in hits), (
        f'search for {query!r} did not find {expected}: {hits}'
    )


@pytest.mark.parametrize('page', PAGES)
def test_download_buttons(visit, site, page):
    """The header's download menu offers the .md source, and an .ipynb for notebook pages; both open."""
    v = visit(f'{page}.html')
    links = v.page.evaluate(
        "[...document.querySelectorAll('.dropdown-download-buttons a')].map(a => a.href)"
    )
    by_suffix = {Path(urlsplit(h).path).suffix: h for h in links}
    assert '.md' in by_suffix, f'{page}: no .md download in {links}'
    text = fetch(by_suffix['.md']).decode('utf-8')
    assert text == (ROOT / f'{page}.md').read_text(encoding='utf-8')
    if is_notebook(page):
        assert text.startswith('---\njupytext:'), (
            f'{page}: .md without the jupytext header'
        )
        assert '.ipynb' in by_suffix, f'{page}: no .ipynb download in {links}'
        nb = nbformat.reads(
            fetch(by_suffix['.ipynb']).decode('utf-8'), as_version=4
        )
        nbformat.validate(nb)
        assert nb.metadata.kernelspec.name == 'python3'


@pytest.mark.parametrize('page', PAGES)
def test_accessibility(visit, page):
    """axe-core (WCAG 2.1 A and AA, and best practices) finds no critical or
    serious violation on the page."""
    from axe_playwright_python.sync_playwright import Axe

    v = visit(f'{page}.html')
    results = Axe().run(v.page)
    found = []
    for violation in results.response['violations']:
        if violation['impact'] not in ('critical', 'serious'):
            continue
        for node in violation['nodes']:
            selector = ' '.join(map(str, node['target']))
            found.append(
                f"{violation['id']} ({violation['impact']}): {selector}: "
                f"{node.get('failureSummary', '')[:200]}"
            )
    assert found == [], f'{page}:\n' + '\n'.join(found)
