"""The batch-size explorer's figure and table, from a grid of
`runs.grid`. The figure is one Vega-Lite chart, built with Altair, in
two views: the chosen run's loss curve against GD and SGD, and the loss
that each batch size reached within a budget. Diverged runs are drawn up
to the top of the chart and marked there."""

import json

from ..core.checks import need
from . import runs
from .vegalite import VegaLite
from .words import LABELS

AXES = ('examples', 'seconds', 'epochs')  # the x-axes of the loss curves

alt = need(
    'altair',
    'the batch-size explorer draws with Altair',
    'pip install "d2lmini[notebook]"',
)

FLOOR = 1e-6  # float32 evaluates the loss to about this much


def _point(run, loss, loss_min, top, **where):
    """One point of `run`: its raw `loss` for the tooltip, and the height it
    is drawn at, the loss above the least-squares loss `loss_min`, kept
    between FLOOR and the top of the chart (`top` in loss); above the top,
    or where the loss was infinite, it is marked as diverged."""
    over = loss is None or not loss <= top
    excess = top - loss_min if over else max(loss - loss_min, FLOOR)
    where = {k: _digits(v, 6) for k, v in where.items()}
    return {'b': run['batch_size'], 'r': run['lr'], **where,
            'loss': _digits(loss, 7), 'excess': _digits(excess, 3),
            'diverged': over}  # fmt: skip


def _digits(value, digits):
    """A float to `digits` significant digits, which keeps the page small
    (float32 losses have about 7); anything else as it is."""
    return float(f'{value:.{digits}g}') if isinstance(value, float) else value


def _picked(k, limit=25):
    """At most `limit` of the indices 0..k-1, evenly spread on a log scale,
    the first and the last among them."""
    if k == 0:
        return []
    steps = {round(k ** (i / (limit - 1))) for i in range(limit)}
    return sorted({0, k - 1} | {s - 1 for s in steps})


def curve_rows(run, loss_min, top, series=None):
    """A run's points for the curves: at most 25 of its records, and where
    it blew up."""
    rows = [_point(run, run['loss'][i], loss_min, top, series=series,
                   **{a: run[a][i] for a in AXES})
            for i in _picked(len(run['loss']))]  # fmt: skip
    if run['blew_up'] is not None:
        rows.append(_point(run, None, loss_min, top, series=series,
                           **run['blew_up']))  # fmt: skip
    return rows


def budgets(grid):
    """The two budgets of the second view: the shortest training time of a
    run that did not diverge, and one epoch of examples."""
    return {'seconds': runs.budget(grid['runs']), 'examples': grid['n']}


def within_rows(grid, loss_min, top):
    """Per run and per budget, the loss it reached within the budget; none
    for a run that had recorded no loss by then and had not blown up."""
    rows = []
    for axis, limit in budgets(grid).items():
        for run in grid['runs']:
            loss, blew = runs.loss_within(run, limit, axis), run['blew_up']
            if loss is not None or (blew and blew[axis] <= limit):
                rows.append(_point(run, loss, loss_min, top, budget=axis))
    return rows


def references(grid, labels):
    """The GD and SGD runs drawn with every choice: batch size n and 1,
    each with its best learning rate; (label, run) pairs."""
    pairs = []
    for key, b in (('gd', grid['n']), ('sgd', 1)):
        lr = runs.best_lr(grid['runs'], b)
        run = next(
            r for r in grid['runs'] if (r['batch_size'], r['lr']) == (b, lr)
        )
        pairs.append((f'{labels[key]} (b = {b}, η = {lr:g})', run))
    return pairs


def _radio(name, options, value, label, labels=None):
    """A chart parameter, chosen with radio buttons (keyboard: arrows)."""
    labels = labels or [f'{o:g}' for o in options]
    bind = alt.binding_radio(options=list(options), name=label, labels=labels)
    return alt.param(name=name, value=value, bind=bind)


def _js(text):
    return json.dumps(text, ensure_ascii=False)  # a string in an expression


def _excess(labels, top):
    scale = alt.Scale(type='log', domain=[FLOOR, top], nice=False)
    axis = alt.Axis(format='.0e')  # 1e-6 rather than 0.000001
    return alt.Y('excess:Q', scale=scale, title=labels['excess'], axis=axis)


def _curves(rows, refs, labels, top):
    """The first view: the chosen run against GD and SGD."""
    names = [labels['chosen']] + [label for label, _ in refs]
    against = ' : '.join(
        f'xaxis == {_js(a)} ? {_js(labels[a])}' for a in AXES
    )  # fmt: skip
    base = (
        alt.Chart(alt.Data(values=rows))
        .transform_filter(
            'datum.series != null || (datum.b == batch && datum.r == rate)'
        )
        .transform_calculate(
            x='datum[xaxis]', name=f'datum.series || {_js(labels["chosen"])}'
        )
        .encode(
            x=alt.X('x:Q', scale=alt.Scale(type='log'), title=None),
            y=_excess(labels, top),
            color=alt.Color(
                'name:N', title=labels['run'], scale=alt.Scale(domain=names)
            ),  # fmt: skip
            tooltip=['name:N', *[f'{a}:Q' for a in AXES], 'loss:Q'],
        )
    )
    title = f'{_js(labels["curves"])} + ({against} : "")'
    return (base.mark_line() + _points(base)).properties(
        width=520, height=260, title={'text': {'expr': title}}
    )


def _points(base):
    """The records as dots, and the diverged ones as crosses (one layer:
    a layer with no data would leave its scale without an extent)."""
    diverged = 'datum.diverged'
    return base.mark_point(filled=True, strokeWidth=2).encode(
        shape=alt.condition(diverged, alt.value('cross'), alt.value('circle')),
        size=alt.condition(diverged, alt.value(150), alt.value(25)),
    )


def _within(rows, labels, top):
    """The second view: the loss within the budget, by batch size."""
    b = [row['b'] for row in rows]
    sizes = alt.Scale(type='log', domain=[min(b), max(b)], nice=False)
    base = (
        alt.Chart()
        .transform_filter('datum.budget == budget')
        .encode(
            x=alt.X('b:Q', scale=sizes, title=labels['batch']),
            y=_excess(labels, top),
            color=alt.Color(
                'r:O', title=labels['lr'], scale=alt.Scale(scheme='tableau10')
            ),  # fmt: skip
            opacity=alt.condition(
                'datum.r == rate', alt.value(1), alt.value(0.35)
            ),  # fmt: skip
            tooltip=['b:Q', 'r:Q', 'loss:Q', 'diverged:N'],
        )
    )
    chosen = (
        alt.Chart()
        .transform_filter('datum.budget == budget && datum.b == batch')
        .mark_rule(strokeDash=[4, 4], color='gray')
        .encode(x='b:Q')
    )  # the chosen batch size
    return alt.layer(
        base.mark_line(), _points(base), chosen, data=alt.Data(values=rows)
    ).properties(width=520, height=260, title=labels['within'])


def chart(grid, loss_min, batch_size=10, lr=0.1, language='en'):
    """The explorer as a `VegaLite` output, with the run `batch_size`, `lr`
    chosen; `loss_min` is the least-squares loss of the data. Its words
    are in `language`, a key of LABELS."""
    labels = LABELS[language]
    measured, top = grid['runs'], 2 * grid['zero_loss']
    refs = references(grid, labels)
    rows = [row for r in measured for row in curve_rows(r, loss_min, top)]
    for label, run in refs:
        rows += curve_rows(run, loss_min, top, series=label)
    spent = budgets(grid)
    params = [
        _radio('batch', sorted({r['batch_size'] for r in measured}),
               batch_size, labels['batch']),
        _radio('rate', sorted({r['lr'] for r in measured}), lr, labels['lr']),
        _radio('xaxis', AXES, 'examples', labels['xaxis'],
               [labels[a] for a in AXES]),
        _radio('budget', list(spent), 'seconds', labels['budget'],
               [labels['seconds_budget'].format(spent['seconds']),
                labels['examples_budget'].format(spent['examples'])]),
    ]  # fmt: skip
    spec = (
        alt.vconcat(
            _curves(rows, refs, labels, top - loss_min),
            _within(within_rows(grid, loss_min, top), labels, top - loss_min),
        )
        .add_params(*params)
        .resolve_scale(color='independent')
        .configure_legend(orient='bottom', direction='horizontal')
        .properties(description=labels['description'])
        .to_dict()
    )
    return VegaLite(spec, labels['description'])


def table(grid, seconds=None, language='en'):
    """The grid as a Markdown table, which a notebook shows as a table: a
    row per batch size, a column per learning rate, each cell the loss a
    run reached within `seconds` of training (at its end if None), or that
    it diverged."""
    labels = LABELS[language]
    rates = sorted({r['lr'] for r in grid['runs']})
    by = {(r['batch_size'], r['lr']): r for r in grid['runs']}

    def cell(run):
        if run['diverged']:
            return labels['diverged']
        if seconds is None:
            return f"{run['loss'][-1]:.5f}"
        within = runs.loss_within(run, seconds)
        return '–' if within is None else f'{within:.5f}'

    head = [labels['batch'].strip(), labels['epochs']]
    lines = ['| ' + ' | '.join(head + [f'η = {r:g}' for r in rates]) + ' |',
             '|' + '---:|' * (len(rates) + 2)]  # fmt: skip
    for b in sorted({b for b, _ in by}):
        cells = [str(b), str(by[b, rates[0]]['num_epochs'])]
        cells += [cell(by[b, r]) for r in rates]
        lines.append('| ' + ' | '.join(cells) + ' |')
    return Table('\n'.join(lines))


class Table(str):
    """Markdown text that a notebook displays as Markdown."""

    def _repr_markdown_(self):
        return str(self)
