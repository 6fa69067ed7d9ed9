"""The few words that the chapters compute agree with the numbers on the page:
each check reads the glued values and the printed outputs of the built book."""

import json
import math
import re

import pytest

from d2lmini.core.registry import FRAMEWORKS
from tests.helpers import executed

pytestmark = pytest.mark.slow


def glued(book_html, chapter):
    """The glued values of an executed chapter, as Python values where possible."""
    path = book_html.parent / 'jupyter_execute' / f'{chapter}.glue.json'
    values = {}
    for key, data in json.loads(path.read_text(encoding='utf-8')).items():
        text = data['data']['text/plain']
        try:
            values[key] = float(text)
        except ValueError:
            values[key] = text
    return values


def printed(book_html, chapter):
    """Everything the chapter's cells printed, in order."""
    cells = executed(book_html, chapter).cells
    return ''.join(
        ''.join(o['text'])
        for c in cells
        for o in c.get('outputs', [])
        if o['output_type'] == 'stream'
    )


# Each framework's run of the two tabbed chapters glues its own claims.
RUNS = [
    f'{page}-{fw}'
    for page in ('chapters/minibatch_sgd', 'chapters/zh/minibatch_sgd')
    for fw in FRAMEWORKS
]


@pytest.mark.parametrize(
    'chapter, above, below',
    [
        (run, '高于', '低于') if '/zh/' in run else (run, 'above', 'below')
        for run in RUNS
    ],
)
def test_the_gd_learning_rate_is_placed_right_of_the_limit(
    book_html, chapter, above, below
):
    g = glued(book_html, chapter)
    assert g['gd_lr_vs_limit'] == (above if 1 > g['lr_limit'] else below)


@pytest.mark.parametrize('chapter', RUNS)
def test_the_fastest_run_is_the_tables_fastest(book_html, chapter):
    g = glued(book_html, chapter)
    text = printed(book_html, chapter)
    rows = table_rows(text)
    assert len(rows) == 4, text
    # The glued run printed the least time (two runs may print the same
    # rounded time; the glue compares the exact ones).
    fastest = {r[0]: r for r in rows}[g['fastest_run']]
    assert fastest[3] == min(r[3] for r in rows)
    assert fastest[3] == pytest.approx(g['fastest_time'], rel=0.05, abs=1e-3)
    assert max(r[1] for r in rows) == pytest.approx(g['target_loss'], abs=1e-4)


def table_rows(text):
    """The rows of the four runs' table: (name, loss, s/epoch, s to target)."""
    rows = []
    for line in text.splitlines():  # a name and three numbers, in either order
        tokens = line.split()
        kinds = ''.join(
            'n' if re.fullmatch(r'[\d.]+(e[+-]\d+)?', t) else 'w'
            for t in tokens
        )
        if re.fullmatch('w+nnn|nnnw+', kinds):
            name = ' '.join(t for t, k in zip(tokens, kinds) if k == 'w')
            rows.append(
                (name, *(float(t) for t, k in zip(tokens, kinds) if k == 'n'))
            )
    return rows


@pytest.mark.parametrize(
    'page, summary',
    [
        ('chapters/minibatch_sgd', 'In this run, on 1,500 examples, {} was'),
        (
            'chapters/zh/minibatch_sgd',
            '在本次运行中，在这 1,500 个样本上，{}最先',
        ),
    ],
)
def test_the_summary_names_the_run_the_table_shows_first(
    book_html, page, summary
):
    # Each framework's tab of the summary names the run that its own table
    # shows first to the common loss: the page's claim, against its numbers.
    html = (book_html / f'{page}.html').read_text(encoding='utf-8')
    prefix = summary.split('{}')[0]
    for fw in FRAMEWORKS:
        tabs = re.findall(
            rf'data-sync-id="{fw}"[^>]*>.*?'
            r'<div class="sd-tab-content[^"]*"[^>]*>(.*?)</div>',
            html,
            re.S,
        )
        texts = [re.sub(r'\s+', ' ', re.sub(r'<[^>]+>', '', t)) for t in tabs]
        claim = [t for t in texts if prefix in t]
        assert len(claim) == 1, (fw, claim)
        rows = table_rows(printed(book_html, f'{page}-{fw}'))
        assert len(rows) == 4, rows
        first = min(rows, key=lambda r: r[3])
        ties = [r[0] for r in rows if r[3] == first[3]]  # equal when rounded
        assert any(summary.format(name) in claim[0] for name in ties), (
            fw,
            ties,
            claim,
        )


def test_the_decayed_rate_ends_lower_or_higher_as_printed(book_html):
    g = glued(book_html, 'chapters/exercises')
    loss = dict(
        re.findall(
            r'(constant|decayed): final loss ([\d.]+)',
            printed(book_html, 'chapters/exercises'),
        )
    )
    constant, decayed = float(loss['constant']), float(loss['decayed'])
    if constant != decayed:  # equal to four decimals: either word is right
        assert g['ex2_lower'] == ('lower' if decayed < constant else 'higher')


def test_the_sampling_gap_is_judged_by_its_standard_error(book_html):
    g = glued(book_html, 'chapters/exercises')
    stats = re.findall(
        r'final loss ([\d.]+) \+- ([\d.]+) over (\d+) seeds',
        printed(book_html, 'chapters/exercises'),
    )
    (m1, s1, k1), (m2, s2, k2) = [
        (float(m), float(s), int(k)) for m, s, k in stats
    ]
    assert abs(m1 - m2) == pytest.approx(g['ex3_gap'], abs=1.5e-4)
    # Welch's standard error from the printed sample standard deviations.
    se = math.sqrt(s1**2 / k1 + s2**2 / k2)
    assert g['ex3_gap_se'] == pytest.approx(se, rel=0.05, abs=1e-4)
    assert (s1, s2) == pytest.approx(
        (g['ex3_sd_permuted'], g['ex3_sd_replaced']), abs=1e-4
    )
    if abs(g['ex3_gap'] - 2 * g['ex3_gap_se']) > 2e-4:  # not a rounding tie
        within = g['ex3_gap'] <= 2 * g['ex3_gap_se']
        assert g['ex3_gap_words'].startswith(
            'within two' if within else 'more than two'
        )


def test_the_batch_knee_words_match_the_printed_knee(book_html):
    g = glued(book_html, 'chapters/hardware_scaling')
    cpu = re.search(
        r'^CPU.*knee at (.*?) examples',
        printed(book_html, 'chapters/hardware_scaling'),
        re.M,
    )
    assert g['knee_words'].replace(
        ',', ''
    ) == f'{cpu.group(1)} examples'.replace(',', '')


# A duration or cost below zero, in any unit, printed or glued.
NEGATIVE = re.compile(
    r'(?<![\w.])-\d[\d.,]*(?:e[+-]?\d+)?\s*(?:ns|µs|us|ms|s|sec|seconds|秒)\b'
)


@pytest.mark.parametrize(
    'chapter',
    RUNS
    + [
        'chapters/exercises',
        'chapters/hardware_scaling',
        'chapters/data_parallel',
    ],
)
def test_no_printed_or_glued_figure_is_negative_or_nan(book_html, chapter):
    text = printed(book_html, chapter) + ' '.join(
        str(v) for v in glued(book_html, chapter).values()
    )
    assert NEGATIVE.findall(text) == []
    assert re.findall(r'\bnan\b', text, re.I) == []
