"""The batch-size explorer on the built site: the grid against a run of
train_ch11, the interactive figure in Chromium, and its fallbacks in the
notebook download and the page's table."""

import json
import re
from urllib.parse import urljoin

import nbformat
import pytest

import d2lmini as d2l
from d2lmini.explorer.vegalite import MIME
from tests.helpers import SiteServer

pytestmark = pytest.mark.slow
PAGES = ['chapters/explorer', 'chapters/zh/explorer']


def page_spec(book_html, page='chapters/explorer'):
    """The chart's spec as the built page holds it."""
    html = (book_html / f'{page}.html').read_text(encoding='utf-8')
    found = re.findall(
        r'<div class="d2lmini-vegalite"><script type="application/json">'
        r'(.*?)</script></div>',
        html,
        re.S,
    )
    assert len(found) == 1, f'{page}: {len(found)} charts'
    return json.loads(found[0])


def rows_of(spec):
    """The rows of the chart's curves: one per recorded point drawn."""
    for view in spec['vconcat']:
        rows = view.get('data', {}).get('values', [])
        if rows and 'examples' in rows[0]:
            return rows
    raise AssertionError('no curve rows in the spec')


def epochs_on_page(html, b):
    """The epochs of batch size `b`, from the page's first table."""
    table = re.search(r'<table.*?</table>', html, re.S)[0]
    cell = r'<td[^>]*>(?:<p>)?{}(?:</p>)?</td>\s*'
    found = re.search(cell.format(b) + cell.format(r'(\d+)'), table)
    return int(found[1])


def chosen(rows, b, lr):
    """The drawn points of run (b, lr), as the chart's own rows."""
    return [
        r for r in rows if r['series'] is None and (r['b'], r['r']) == (b, lr)
    ]


def test_a_grid_point_is_train_ch11s_own_run(book_html):
    """Rerun one grid point with train_ch11 from the same seed, on the CPU,
    and compare every loss the page drew for it."""
    html = (book_html / 'chapters/explorer.html').read_text(encoding='utf-8')
    if 'CPU' not in re.search(r'built on <strong>(.*?)</strong>', html)[1]:
        pytest.skip(
            'the page was built on an accelerator; this reruns on the CPU'
        )
    b, lr = 10, 0.1
    epochs = epochs_on_page(html, b)
    data_iter, feature_dim = d2l.get_data_ch11(1500, device='cpu')
    X, y = data_iter.tensors
    d2l.set_seed(0)
    times, losses = d2l.train_ch11(
        d2l.sgd, None, {'lr': lr}, d2l.load_array((X, y), b), feature_dim,
        epochs, verbose=False,
    )  # fmt: skip
    at = dict(zip(d2l.record_points(1500, b, epochs).tolist(), losses))
    drawn = chosen(rows_of(page_spec(book_html)), b, lr)
    assert len(drawn) >= 10
    for row in drawn:
        assert row['loss'] == pytest.approx(at[row['examples']], rel=1e-5)
    assert drawn[-1]['examples'] == max(at)  # the run's last record


def test_the_notebook_download_has_the_chart_its_picture_and_the_table(
    book_html,
):
    nb = nbformat.read(book_html / '_sources/chapters/explorer.ipynb', 4)
    outputs = [o for c in nb.cells if c.cell_type == 'code' for o in c.outputs]
    charts = [o for o in outputs if MIME in o.get('data', {})]
    assert len(charts) == 1
    assert charts[0]['data']['image/svg+xml'].lstrip().startswith('<svg')
    tables = [o['data']['text/markdown'] for o in outputs
              if 'text/markdown' in o.get('data', {})]  # fmt: skip
    assert len(tables) == 2  # within the budget, and at the end
    assert all(t.count('\n|') == 11 for t in tables)  # rule, 10 sizes


@pytest.mark.parametrize('page', PAGES)
def test_the_page_has_the_tables(book_html, page):
    """The text alternative: two tables with a row per batch size."""
    html = (book_html / f'{page}.html').read_text(encoding='utf-8')
    tables = re.findall(r'<table.*?</table>', html, re.S)
    assert len(tables) == 2
    assert all(t.count('<tr') == 1 + 10 for t in tables)


DRAWN = """holder => {
    const items = [];
    const walk = (node, mark) => {
      if (node.marktype) mark = node;
      if (node.datum && mark && mark.marktype === 'line' &&
          node.datum.series === null)
        items.push({b: node.datum.b, r: node.datum.r,
                    examples: node.datum.examples, x: node.datum.x,
                    seconds: node.datum.seconds, loss: node.datum.loss,
                    px: node.x});
      for (const child of node.items || []) walk(child, mark);
    };
    walk(holder.vegaView.scenegraph().root, null);
    return items;
}"""


@pytest.mark.browser
@pytest.mark.parametrize('page', PAGES)
def test_the_figure_follows_its_controls(browser, book_html, page):
    """Move the batch-size control with the keyboard: the curve drawn
    changes and is the grid's run for that choice; switch the x-axis to
    seconds. No request leaves the site and no console error is printed."""
    rows = rows_of(page_spec(book_html, page))
    with SiteServer(book_html) as site:
        context = browser.new_context(viewport={'width': 1280, 'height': 900})
        p = context.new_page()
        p.set_default_timeout(120_000)
        requests, errors = [], []
        p.on('request', lambda r: requests.append(r.url))
        p.on('console', lambda m: m.type == 'error' and errors.append(m.text))
        p.on('pageerror', lambda e: errors.append(str(e)))
        p.goto(urljoin(site.url, f'{page}.html'), wait_until='load')
        p.wait_for_selector('.d2lmini-vegalite[data-drawn="true"] svg')
        holder = p.locator('.d2lmini-vegalite')

        def drawn(signal=None, value=None):
            """The points drawn, once `signal` (if given) is `value` and the
            view has redrawn."""
            if signal is not None:
                p.wait_for_function(
                    f'h => h.vegaView.signal("{signal}") === {value!r}',
                    arg=holder.element_handle(),
                )
                holder.evaluate('async h => { await h.vegaView.runAsync(); }')
            return holder.evaluate(DRAWN)

        before = drawn()
        assert {(d['b'], d['r']) for d in before} == {(10, 0.1)}
        assert [d['loss'] for d in before] == [
            r['loss'] for r in chosen(rows, 10, 0.1)
        ]
        batch = holder.locator('.vega-bind').nth(0)
        batch.locator('input[value="10"]').focus()
        p.keyboard.press('ArrowRight')  # the next batch size, 20
        after = drawn('batch', 20)
        assert {(d['b'], d['r']) for d in after} == {(20, 0.1)}
        assert [(d['examples'], d['loss']) for d in after] == [
            (r['examples'], r['loss']) for r in chosen(rows, 20, 0.1)
        ]
        assert [d['px'] for d in after] != [d['px'] for d in before]
        holder.locator('.vega-bind').nth(2).locator(
            'input[value="seconds"]'
        ).check()  # the x-axis
        switched = drawn('xaxis', 'seconds')
        assert [d['x'] for d in switched] == [d['seconds'] for d in switched]
        assert [d['px'] for d in switched] != [d['px'] for d in after]
        context.close()
    outside = [u for u in requests if not u.startswith(site.url)]
    assert outside == [], f'requests outside the site: {outside}'
    assert errors == [], f'console errors: {errors}'
