"""The exercises chapter's own code, as the page shows it: the sweep, the learning-rate decay, sampling with replacement, and the genie."""
import html
import math
import re

import pytest
import torch
from torch.utils.data import DataLoader, TensorDataset

import d2lmini as d2l
from tests.helpers import definitions


@pytest.fixture(scope='module')
def chapter():
    return definitions('chapters/exercises')


def toy_data(n=60, features=3, seed=0):
    """A small noiseless linear regression problem: (X, y)."""
    gen = torch.Generator().manual_seed(seed)
    X = torch.randn(n, features, generator=gen)               # (n, features)
    y = X @ torch.tensor([1.0, -2.0, 0.5][:features]) + 0.3   # (n,)
    return X, y


def test_sweep_records_every_run_and_marks_divergence(chapter, capsys):
    X, y = toy_data()
    runs = chapter['sweep'](X, y, {5: [0.05, 100.0], 60: [0.5]}, num_epochs=2, target=0.5)
    assert [(r['batch_size'], r['lr']) for r in runs] == [(5, 0.05), (5, 100.0), (60, 0.5)]
    ok, bad, gd = runs
    assert ok['loss'] < 0.5 and ok['sec_to_target'] < math.inf and ok['sec_per_epoch'] > 0
    assert bad['loss'] == math.inf and bad['sec_to_target'] == math.inf
    assert ok['examples_to_target'] in d2l.record_points(60, 5, 2)
    assert gd['examples_to_target'] % 60 == 0  # gradient descent records once per epoch
    assert capsys.readouterr().out == ''  # no training printouts


def test_sweep_reports_where_a_run_first_reached_the_target(chapter):
    X, y = toy_data(n=1000)  # one epoch of batches of 10 records the loss 5 times
    d2l.set_seed(0)
    [run] = chapter['sweep'](X, y, {10: [0.01]}, num_epochs=1, target=1.0)
    d2l.set_seed(0)  # the same run again, to see its whole loss curve
    times, losses = d2l.train_ch11(d2l.sgd, None, {'lr': 0.01},
                                   d2l.load_array((X, y), 10), 3, 1, verbose=False)
    assert losses[-1] == pytest.approx(run['loss'])
    k = next(i for i, l in enumerate(losses) if l <= 1.0)
    assert 0 < k < len(losses) - 1  # reached in the middle, so the test can tell
    assert run['examples_to_target'] == 200 * (k + 1)
    [never] = chapter['sweep'](X, y, {10: [0.01]}, num_epochs=1, target=0.0)
    assert never['sec_to_target'] == never['examples_to_target'] == math.inf


LOADERS = {'load_array': lambda X, y: d2l.load_array((X, y), 10),
           'DataLoader': lambda X, y: DataLoader(TensorDataset(X, y), batch_size=10,
                                                 shuffle=True)}


@pytest.mark.parametrize('loader', LOADERS)
def test_tenfold_decay_once_per_epoch_with_either_loader(chapter, loader):
    X, y = toy_data()
    used = []
    d2l.train_concise_ch11(torch.optim.SGD, {'lr': 0.2}, LOADERS[loader](X, y), 3,
                           verbose=False,
                           on_epoch_end=lambda opt: chapter['tenfold_decay'](opt, used))
    assert used == pytest.approx([0.2, 0.02, 0.002])


def test_replacement_loader_draws_duplicates_and_keeps_pairs(chapter):
    ids = torch.arange(100.)
    labels = 2 * ids
    torch.manual_seed(1)
    batches = list(chapter['ReplacementLoader']((ids, labels), 7))
    assert [len(b[0]) for b in batches] == [7] * 14 + [2]
    seen = torch.cat([b[0] for b in batches])
    assert len(seen.unique()) < 100  # some examples twice, so others not at all
    assert torch.equal(torch.cat([b[1] for b in batches]), 2 * seen)


def test_replacement_loader_covers_about_63_percent(chapter):
    ids = torch.arange(5000.)
    torch.manual_seed(0)
    drawn = torch.cat([b for b, _ in chapter['ReplacementLoader']((ids, ids), 100)])
    assert abs(len(drawn.unique()) / 5000 - (1 - math.exp(-1))) < 0.02


def test_replacement_loader_trains(chapter):
    X, y = toy_data()
    _, losses = d2l.train_ch11(d2l.sgd, None, {'lr': 0.1},
                               chapter['ReplacementLoader']((X, y), 5), 3, 5,
                               verbose=False)
    assert losses[-1] < 0.01


def test_gd_on_the_genies_data_takes_the_same_steps():
    X, y = toy_data(n=200)  # records after every epoch: a multiple of 200
    runs = []
    for data in [(X, y), (X.repeat(2, 1), y.repeat(2))]:  # the chapter's genie
        d2l.set_seed(0)
        runs.append(d2l.train_ch11(d2l.sgd, None, {'lr': 0.3},
                                   d2l.load_array(data, len(data[0])), 3, 4,
                                   verbose=False)[1])
    assert len(runs[0]) == 4
    assert runs[0] == pytest.approx(runs[1], rel=1e-5)


@pytest.mark.slow
def test_exercises_page_shows_the_solution_code_in_dropdowns(book_html):
    page = (book_html / 'chapters' / 'exercises.html').read_text(encoding='utf-8')
    assert page.count('class="solution dropdown') >= 4
    text = html.unescape(re.sub(r'<[^>]+>', '', page))
    for code in ['def sweep(X, y, grid', 'def tenfold_decay(optimizer',
                 'class ReplacementLoader(d2l.ArrayLoader)']:
        assert code in text
