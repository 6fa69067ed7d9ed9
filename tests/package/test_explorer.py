"""The batch-size explorer: its grid, figure and table (d2lmini.explorer.runs,
d2lmini.explorer.chart), the Vega-Lite output (d2lmini.explorer.vegalite), and the
training loop's record of a diverged run."""

import json
import math

import pytest
import torch

import d2lmini as d2l
from d2lmini.explorer import chart as explorer_chart
from d2lmini.explorer import runs as explorer
from d2lmini.explorer import vegalite
from d2lmini.explorer.words import LABELS


def data(n=60, seed=1):
    g = torch.Generator().manual_seed(seed)
    X = torch.randn(n, 5, generator=g)
    y = X @ torch.tensor([1.0, -2, 0.5, 0, 3]) + 0.1 * torch.randn(
        n, generator=g
    )
    return X, y


def test_a_diverged_run_keeps_its_records_and_message():
    X, y = data(1000)
    loader = d2l.load_array((X, y), 10)
    with pytest.raises(d2l.checks.Diverged) as info:
        d2l.train_ch11(d2l.sgd, None, {'lr': 3}, loader, 5, 2, verbose=False)
    error = info.value
    assert isinstance(error, FloatingPointError)
    assert 'learning rate 3' in str(error) and 'batch size 10' in str(error)
    assert len(error.times) == len(error.losses) + 1
    assert all(math.isfinite(v) for v in error.losses)
    assert error.n == d2l.record_points(1000, 10, 2)[len(error.losses)]


def test_run_records_each_axis_and_where_it_blew_up():
    X, y = data(1000)
    ok = explorer.run(d2l, X, y, 10, 0.01, 2)
    points = d2l.record_points(1000, 10, 2)
    assert ok['examples'] == points.tolist()
    assert ok['epochs'] == [p / 1000 for p in points]
    assert len(ok['seconds']) == len(ok['loss']) == len(points)
    assert ok['seconds'] == sorted(ok['seconds'])
    assert not ok['diverged'] and ok['blew_up'] is None
    bad = explorer.run(d2l, X, y, 10, 3, 2)
    assert bad['diverged'] and bad['blew_up']['examples'] in points
    assert len(bad['loss']) < len(points)


def test_run_repeats_from_its_seed():
    X, y = data()
    a, b = (explorer.run(d2l, X, y, 5, 0.05, 1) for _ in range(2))
    assert a['loss'] == b['loss']


def test_epochs_for_makes_enough_updates():
    for b in (1, 7, 50, 1500):
        epochs = explorer.epochs_for(b, 1500, 500)
        per_epoch = math.ceil(1500 / b)
        assert epochs * per_epoch >= 500
        assert epochs == 1 or (epochs - 1) * per_epoch < 500


def fake_run(b, lr, seconds, losses, blew_up=None, diverged=False):
    examples = [200 * (i + 1) for i in range(len(losses))]
    return {
        'batch_size': b, 'lr': lr, 'num_epochs': 1, 'examples': examples,
        'epochs': [e / 1000 for e in examples], 'seconds': seconds,
        'loss': losses, 'blew_up': blew_up,
        'diverged': diverged or blew_up is not None,
    }  # fmt: skip


def fake_grid():
    blew = {'examples': 400, 'seconds': 0.2, 'epochs': 0.4}
    runs = [
        fake_run(1, 0.1, [0.1, 0.2, 0.3], [0.4, 0.3, 0.25]),
        fake_run(1, 1.0, [0.1], [0.45], blew_up=blew),
        fake_run(1000, 0.1, [0.05, 0.125], [0.3, 0.26]),
        fake_run(1000, 1.0, [0.05, 0.12], [0.3, 9.0], diverged=True),
    ]
    return {'n': 1000, 'zero_loss': 0.5, 'runs': runs}


def test_budget_loss_within_and_best():
    runs = fake_grid()['runs']
    assert explorer.budget(runs) == 0.12  # 0.125, two digits, down
    assert explorer.loss_within(runs[0], 0.25) == 0.3
    assert explorer.loss_within(runs[0], 0.05) is None  # nothing yet
    assert explorer.loss_within(runs[1], 0.15) == 0.45
    assert explorer.loss_within(runs[1], 0.2) is None  # it blew up
    assert explorer.loss_within(runs[0], 400, 'examples') == 0.3
    assert explorer.best_run(runs, 0.12) is runs[2]
    assert explorer.best_lr(runs, 1) == 0.1
    assert explorer.largest_stable_lr(runs, 1000) == 0.1
    assert explorer.largest_stable_lr(runs[1:2], 1) is None


def test_picked_spreads_and_keeps_the_ends():
    assert explorer_chart._picked(0) == []
    assert explorer_chart._picked(1) == [0]
    for k in (5, 25, 26, 500):
        picked = explorer_chart._picked(k)
        assert picked[0] == 0 and picked[-1] == k - 1
        assert picked == sorted(set(picked)) and len(picked) <= 25
    assert explorer_chart._picked(10) == list(range(10))


def test_curve_rows_are_the_runs_records_clipped_and_marked():
    grid = fake_grid()
    top = 2 * grid['zero_loss']
    rows = explorer_chart.curve_rows(grid['runs'][0], 0.2, top)
    assert [r['loss'] for r in rows] == [0.4, 0.3, 0.25]
    assert [r['examples'] for r in rows] == [200, 400, 600]
    assert [r['excess'] for r in rows] == pytest.approx([0.2, 0.1, 0.05])
    blown = explorer_chart.curve_rows(grid['runs'][1], 0.2, top)
    assert blown[-1]['diverged'] and blown[-1]['excess'] == top - 0.2
    assert blown[-1]['examples'] == 400 and blown[-1]['loss'] is None
    high = explorer_chart.curve_rows(grid['runs'][3], 0.2, top)
    assert high[-1]['diverged'] and high[-1]['loss'] == 9.0
    low = explorer_chart._point(grid['runs'][2], 0.2, 0.2, top)
    assert low['excess'] == explorer_chart.FLOOR  # drawn at the bottom


def inline_values(spec):
    """Every row of inline data anywhere in a Vega-Lite spec."""
    if isinstance(spec, dict):
        if isinstance(spec.get('values'), list):
            yield from spec['values']
        for value in spec.values():
            yield from inline_values(value)
    elif isinstance(spec, list):
        for value in spec:
            yield from inline_values(value)


@pytest.mark.parametrize('language', sorted(LABELS))
def test_chart_spec_has_the_controls_and_every_run(language):
    grid = fake_grid()
    chart = explorer_chart.chart(grid, 0.2, 1, 0.1, language)
    spec = chart.spec
    params = {p['name']: p for p in spec['params']}
    assert set(params) == {'batch', 'rate', 'xaxis', 'budget'}
    assert params['batch']['bind']['options'] == [1, 1000]
    assert params['batch']['bind']['input'] == 'radio'
    assert spec['description'] == LABELS[language]['description']
    values = list(inline_values(spec))
    runs = {(v['b'], v['r']) for v in values if v}  # not the rule's {}
    assert runs == {(r['batch_size'], r['lr']) for r in grid['runs']}


def test_table_lists_every_run():
    grid = fake_grid()
    lines = explorer_chart.table(grid, 0.12).splitlines()
    assert len(lines) == 2 + 2  # header, rule, two batch sizes
    assert lines[0].startswith('| Batch size | epochs | η = 0.1 | η = 1 |')
    assert lines[2] == '| 1 | 1 | 0.40000 | diverged |'
    assert lines[3] == '| 1000 | 1 | 0.30000 | diverged |'
    final = explorer_chart.table(grid).splitlines()
    assert final[2:] == ['| 1 | 1 | 0.25000 | diverged |',
                         '| 1000 | 1 | 0.26000 | diverged |']  # fmt: skip
    assert '发散' in explorer_chart.table(grid, 0.12, 'zh')


def test_vegalite_output_has_the_spec_and_an_svg():
    spec = {
        'description': 'two points',
        'data': {'values': [{'x': 1, 'y': 2}, {'x': 2, 'y': 1}]},
        'mark': 'line',
        'encoding': {'x': {'field': 'x', 'type': 'quantitative'},
                     'y': {'field': 'y', 'type': 'quantitative'}},
    }  # fmt: skip
    bundle = vegalite.VegaLite(spec, 'two points')._repr_mimebundle_()
    assert bundle[vegalite.MIME] == spec
    assert bundle['image/svg+xml'].lstrip().startswith('<svg')
    assert bundle['text/plain'] == '<two points>'


def test_page_html_keeps_the_spec_inert():
    spec = {'description': 'a </script> inside', 'mark': 'point'}
    html = vegalite.page_html(spec)
    assert html.count('</script>') == 1  # only the element's own end
    inner = html.split('<script type="application/json">')[1]
    inner = inner.removesuffix('</script></div>')
    assert json.loads(inner) == spec  # '<\/' is JSON for '</'


def test_site_renderer_takes_vegalite_only():
    class Data:
        def __init__(self, mime_type, content):
            self.mime_type, self.content = mime_type, content

    spec = {'mark': 'point'}
    nodes = vegalite.SiteRenderer.handle_mime(
        None, Data(vegalite.MIME, spec), False
    )
    assert nodes[0]['format'] == 'html'
    assert 'd2lmini-vegalite' in nodes[0].astext()
    assert vegalite.SiteRenderer.handle_mime(
        None, Data('image/png', b''), False
    ) is None  # fmt: skip
    builder, mime, rank = vegalite.SiteRenderer.mime_priority_overrides[0]
    assert (builder, mime) == ('html', vegalite.MIME)
