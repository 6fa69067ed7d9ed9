"""The tabbed chapters: each framework's tab holds that framework's executed
cell, the notebooks behind the tabs are complete, and a click on a tab
switches every tab, on this page and the next."""

import re
from html import unescape

import nbformat
import pytest
from frameworks import FRAMEWORKS, KERNELS

from tests.helpers import FRAMEWORKS as TAGS
from tests.helpers import SiteServer, code_cells, framework_of, tags

pytestmark = pytest.mark.slow
TABBED = ['chapters/minibatch_sgd', 'chapters/zh/minibatch_sgd']
TAB = re.compile(
    r'<label [^>]*data-sync-group="framework" data-sync-id="(\w+)"[^>]*>'
    r'.*?</label><div class="sd-tab-content[^"]*">(.*?)'
    r'(?=<input [^>]*name="sd-tab-set|</div>\s*</div>\s*(?:<p|<div class="(?:cell|section)|<section|</section))',
    re.S,
)


def text(html):
    return unescape(re.sub(r'<[^>]+>', '', html))


def cells_of(page, framework):
    """The visible code of `framework`'s cells of a chapter, in order."""
    return [
        source
        for source, metadata in code_cells(page, framework)
        if 'remove-cell' not in tags(metadata)
    ]


def test_the_tags_name_the_three_frameworks():
    assert tuple(FRAMEWORKS) == TAGS  # PyTorch first
    for page in TABBED:
        cells = code_cells(page, framework=None)
        assert {framework_of(m) for _, m in cells} == {None, *TAGS}


@pytest.mark.parametrize('page', TABBED)
def test_each_tab_holds_its_frameworks_executed_cell(book_html, page):
    html = (book_html / f'{page}.html').read_text(encoding='utf-8')
    tabs = {fw: [] for fw in FRAMEWORKS}
    for framework, content in TAB.findall(html):
        if 'cell_input' in content:  # a code cell's tab, not prose
            tabs[framework].append(content)
    for framework in FRAMEWORKS:
        ran = nbformat.read(
            book_html.parent / 'jupyter_execute' / f'{page}-{framework}.ipynb',
            as_version=4,
        )
        visible = [
            c
            for c in ran.cells
            if c.cell_type == 'code'
            and 'remove-cell' not in c.metadata.get('tags', [])
        ]
        assert (
            len(tabs[framework])
            == len(visible)
            == len(cells_of(page, framework))
        ), framework
        for content, cell in zip(tabs[framework], visible):
            shown = text(content)
            first = cell.source.strip().splitlines()[0]
            assert first.strip() in shown, (framework, first)
            for output in cell.outputs:
                if output.get('name') == 'stdout':  # its own printout
                    line = output.text.strip().splitlines()[0]
                    assert line in shown, (framework, line)


@pytest.mark.parametrize('page', TABBED)
def test_the_framework_notebooks_ran_in_their_kernels(book_html, page):
    for framework, (kernel, _) in KERNELS.items():
        ran = nbformat.read(
            book_html.parent / 'jupyter_execute' / f'{page}-{framework}.ipynb',
            as_version=4,
        )
        assert ran.metadata.kernelspec.name == kernel
        outputs = [o for c in ran.cells for o in c.get('outputs', [])]
        assert outputs, f'{framework}: nothing ran'
        assert not [o for o in outputs if o.get('name') == 'stderr']


@pytest.mark.parametrize('page', TABBED)
def test_the_comparison_table_has_every_framework(book_html, page):
    html = (book_html / f'{page}.html').read_text(encoding='utf-8')
    table = html[html.index('PyTorch</th>') :]
    table = table[: table.index('</table>')]
    rows = re.findall(r'<tr[^>]*>(.*?)</tr>', table, re.S)
    assert len(rows) == 14
    for row in rows:
        values = [
            text(v) for v in re.findall(r'<td[^>]*>(.*?)</td>', row, re.S)
        ]
        assert len(values) == 4
        numbers = [float(v) for v in values[1:]]  # 'not run' would fail here
        assert all(n > 0 for n in numbers), row
    losses = [
        float(text(v))
        for row in rows
        if 'loss' in row or '损失' in row
        for v in re.findall(r'<td[^>]*>(.*?)</td>', row, re.S)[1:]
    ]
    assert len(losses) == 15 and all(0.22 < v < 0.3 for v in losses)


@pytest.mark.browser
def test_a_click_switches_every_tab_here_and_on_the_next_page(
    book_html, browser
):
    with SiteServer(book_html) as site:
        context = browser.new_context()
        page = context.new_page()
        page.set_default_timeout(120_000)

        def selected():
            return page.eval_on_selector_all(
                'input:checked + label[data-sync-group="framework"]',
                'labels => labels.map(l => l.dataset.syncId)',
            )

        page.goto(site.url + 'chapters/minibatch_sgd.html')
        assert set(selected()) == {'pytorch'}  # PyTorch first
        page.locator('label[data-sync-id="tensorflow"]').first.click()
        assert len(selected()) > 10 and set(selected()) == {'tensorflow'}
        page.goto(site.url + 'chapters/zh/minibatch_sgd.html')
        assert set(selected()) == {'tensorflow'}  # kept in localStorage
        context.close()
        fresh = browser.new_context()
        page = fresh.new_page()
        page.goto(site.url + 'chapters/minibatch_sgd.html?framework=mxnet')
        assert set(selected()) == {'mxnet'}
        fresh.close()
