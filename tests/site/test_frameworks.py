"""The tabbed chapters: each framework's tab holds that framework's executed
cell, the notebooks behind the tabs are complete, and a click on a tab
switches every tab, on this page and the next."""

import json

import pytest
from bs4 import BeautifulSoup

from d2lmini.core.registry import FRAMEWORKS
from tests.helpers import FRAMEWORKS as TAGS
from tests.helpers import SiteServer, code_cells, executed, framework_of

pytestmark = pytest.mark.slow
TABBED = ['chapters/minibatch_sgd', 'chapters/zh/minibatch_sgd']


def soup_of(book_html, page):
    html = (book_html / f'{page}.html').read_text(encoding='utf-8')
    return BeautifulSoup(html, 'html.parser')


def code_tabs(soup):
    """{framework: [the text of each of its code tabs]}, in page order."""
    tabs = {fw: [] for fw in FRAMEWORKS}
    for label in soup.select(
        'label.sd-tab-label[data-sync-group="framework"]'
    ):
        content = label.find_next_sibling('div', class_='sd-tab-content')
        if content.find('div', class_='cell', recursive=False):
            tabs[label['data-sync-id']].append(content.get_text())
    return tabs


def test_the_tags_name_the_three_frameworks():
    assert tuple(FRAMEWORKS) == TAGS  # PyTorch first
    for page in TABBED:
        cells = code_cells(page, framework=None)
        assert {framework_of(m) for _, m in cells} == {None, *TAGS}


@pytest.mark.parametrize('page', TABBED)
def test_each_tab_holds_its_frameworks_executed_cell(book_html, page):
    """Tab by tab, the code and the printed output of that framework's
    notebook as the build executed it."""
    tabs = code_tabs(soup_of(book_html, page))
    for framework in FRAMEWORKS:
        ran = executed(book_html, f'{page}-{framework}')
        visible = [
            c
            for c in ran.cells
            if c.cell_type == 'code'
            and 'remove-cell' not in c.metadata.get('tags', [])
        ]
        assert len(tabs[framework]) == len(visible), framework
        for shown, cell in zip(tabs[framework], visible):
            for line in cell.source.strip().splitlines()[:3]:
                assert line.strip() in shown, (framework, line)
            for output in cell.outputs:
                if output.get('name') == 'stdout':  # its own printout
                    line = output.text.strip().splitlines()[0]
                    assert line in shown, (framework, line)
    # The frameworks' own code: no tab shows another framework's import.
    for framework, imports in [
        ('pytorch', 'import torch'),
        ('tensorflow', 'import tensorflow'),
        ('mxnet', 'from mxnet import'),
    ]:
        others = [t for fw, ts in tabs.items() if fw != framework for t in ts]
        assert imports in tabs[framework][0]
        assert not [t for t in others if imports in t]


@pytest.mark.parametrize('page', TABBED)
def test_the_framework_notebooks_ran_in_their_kernels(book_html, page):
    for framework, kernel in [(n, f.kernel) for n, f in FRAMEWORKS.items()]:
        ran = executed(book_html, f'{page}-{framework}')
        assert ran.metadata.kernelspec.name == kernel
        outputs = [o for c in ran.cells for o in c.get('outputs', [])]
        assert outputs, f'{framework}: nothing ran'
        assert not [o for o in outputs if o.get('name') == 'stderr']


@pytest.mark.parametrize('page', TABBED)
def test_the_comparison_table_has_every_framework(book_html, page):
    """Each framework's measurements, all numbers, the losses all near the
    section's 0.24-0.25, each glued from its own framework's run."""
    [table] = [
        t
        for t in soup_of(book_html, page).find_all('table')
        if [th.get_text(strip=True) for th in t.find_all('th')][1:]
        == ['PyTorch', 'TensorFlow', 'MXNet']
    ]
    rows = [
        [td.get_text(strip=True) for td in tr.find_all('td')]
        for tr in table.tbody.find_all('tr')
    ]
    assert len(rows) == 16 and all(len(r) == 4 for r in rows)
    device, rows = rows[0], rows[1:]  # the device each framework ran on
    assert all(
        v.startswith(('CPU', 'GPU', 'NVIDIA', 'Apple')) or ':' in v
        for v in device[1:]
    ), device
    losses = [
        float(v)
        for r in rows
        if 'loss' in r[0] or '损失' in r[0]
        for v in r[1:]
    ]
    assert len(losses) == 15 and all(0.22 < v < 0.3 for v in losses)
    assert all(float(v) > 0 for r in rows for v in r[1:])  # 'not run' fails
    for framework, column in zip(FRAMEWORKS, range(1, 4)):
        glued = json.loads(
            (
                book_html.parent
                / 'jupyter_execute'
                / f'{page}-{framework}.glue.json'
            ).read_text(encoding='utf-8')
        )
        loss = float(glued['gd_loss']['data']['text/plain'])
        assert rows[1][column] == f'{loss:.4f}', framework  # GD's loss


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
