"""Tests for d2lmini.exercises: loaders, the scheduler run, sweeps and timing helpers."""
import math
import re

import pytest
import torch

import d2lmini as d2l
from d2lmini import exercises as ex


def toy_data(n=60, features=3, seed=0):
    """A small noiseless linear regression problem: (X, y)."""
    gen = torch.Generator().manual_seed(seed)
    X = torch.randn(n, features, generator=gen)          # (n, features)
    y = X @ torch.tensor([1.0, -2.0, 0.5][:features]) + 0.3  # (n,)
    return X, y


def test_replacement_loader_draws_duplicates_and_has_right_batches():
    X, y = toy_data(n=100)
    ids = torch.arange(100.)
    loader = ex.load_array_with_replacement((ids, y), batch_size=7,
                                            generator=torch.Generator().manual_seed(1))
    batches = list(loader)
    assert len(loader) == len(batches) == math.ceil(100 / 7)
    assert [len(b[0]) for b in batches] == [7] * 14 + [2]
    seen = torch.cat([b[0] for b in batches])
    assert len(seen) == 100
    assert len(seen.unique()) < 100  # some examples twice, so others not at all
    # labels stay paired with their example
    for i, label in zip(seen.long(), torch.cat([b[1] for b in batches])):
        assert label == y[i]


def test_permutation_loader_sees_every_example_once():
    ids = torch.arange(100.)
    seen = torch.cat([b[0] for b in d2l.load_array((ids, ids), 7)])
    assert sorted(seen.tolist()) == ids.tolist()


def test_replacement_loader_covers_about_63_percent():
    ids = torch.arange(5000.)
    loader = ex.load_array_with_replacement((ids, ids), 100,
                                            generator=torch.Generator().manual_seed(0))
    distinct = len(torch.cat([b[0] for b in loader]).unique()) / 5000
    assert abs(distinct - (1 - math.exp(-1))) < 0.02


def test_replacement_loader_rejects_bad_input():
    with pytest.raises(ValueError, match='batch_size'):
        ex.load_array_with_replacement((torch.ones(3), torch.ones(3)), 0)
    with pytest.raises(ValueError, match='equal lengths'):
        ex.load_array_with_replacement((torch.ones(3), torch.ones(4)), 2)


def test_replacement_loader_trains():
    X, y = toy_data()
    _, losses = d2l.train_ch11(d2l.sgd, None, {'lr': 0.1},
                               ex.load_array_with_replacement((X, y), 5), 3, 5,
                               verbose=False)
    assert losses[-1] < 0.01


def test_duplicate_doubles_and_keeps_both_copies():
    ids = torch.arange(10.)
    loader = d2l.load_array((ids, 2 * ids), 4)
    dup = ex.duplicate(loader)
    assert len(dup.tensors[0]) == 20
    assert len(dup) == math.ceil(20 / 4)
    assert dup.batch_size == 4 and dup.shuffle
    seen = torch.cat([b[0] for b in dup])
    assert torch.bincount(seen.long()).tolist() == [2] * 10
    assert torch.equal(dup.tensors[1], 2 * dup.tensors[0])
    assert len(ex.duplicate(loader, copies=3).tensors[0]) == 30


def test_duplicate_rejects_bad_input():
    loader = d2l.load_array((torch.ones(3), torch.ones(3)), 2)
    with pytest.raises(ValueError, match='copies'):
        ex.duplicate(loader, copies=0)
    with pytest.raises(TypeError, match='tensors'):
        ex.duplicate([(torch.ones(2), torch.ones(2))])


def test_gd_on_duplicated_data_takes_the_same_steps():
    X, y = toy_data(n=200)  # records after every epoch: a multiple of 200
    full = d2l.load_array((X, y), 200)
    runs = []
    for data_iter in [full, ex.duplicate(full)]:
        data_iter.batch_size = len(data_iter.tensors[0])  # gradient descent
        d2l.set_seed(0)
        runs.append(d2l.train_ch11(d2l.sgd, None, {'lr': 0.3}, data_iter, 3, 4,
                                   verbose=False)[1])
    assert len(runs[0]) == 4
    assert runs[0] == pytest.approx(runs[1], rel=1e-5)


@pytest.mark.parametrize('k', [1, 3])
def test_scheduler_cuts_lr_tenfold_per_epoch(k):
    X, y = toy_data()
    data_iter = d2l.load_array((X, y), 10)
    times, losses, lrs = ex.train_with_scheduler(
        torch.optim.SGD, {'lr': 0.2}, data_iter,
        lambda opt: torch.optim.lr_scheduler.StepLR(opt, step_size=1, gamma=0.1),
        num_epochs=k, verbose=False)
    assert lrs == pytest.approx([0.2 * 0.1 ** i for i in range(k)])
    assert len(times) == len(losses) == len(ex.record_points(60, 10, k))


def test_scheduler_that_does_nothing_matches_constant_lr():
    X, y = toy_data()
    results = []
    for scheduled in [True, False]:
        d2l.set_seed(3)
        data_iter = d2l.load_array((X, y), 10)
        if scheduled:
            out = ex.train_with_scheduler(
                torch.optim.SGD, {'lr': 0.05}, data_iter,
                lambda opt: torch.optim.lr_scheduler.ExponentialLR(opt, gamma=1.0),
                num_epochs=2, verbose=False)
        else:
            out = d2l.train_concise_ch11(torch.optim.SGD, {'lr': 0.05}, data_iter, 2,
                                         verbose=False)
        results.append(out[1])
    assert results[0] == pytest.approx(results[1])


def test_time_to_loss():
    assert ex.time_to_loss([1, 2, 3], [0.5, 0.2, 0.1], 0.25) == 2
    assert ex.time_to_loss([1, 2, 3], [0.5, 0.4, 0.3], 0.25) == math.inf
    with pytest.raises(ValueError, match='equal lengths'):
        ex.time_to_loss([1, 2], [0.5], 0.25)


def test_record_points_match_the_training_loop():
    X, y = toy_data(n=1000)
    for batch_size, epochs in [(1000, 3), (7, 1), (100, 2)]:
        times, losses = d2l.train_ch11(d2l.sgd, None, {'lr': 0.01},
                                       d2l.load_array((X, y), batch_size), 3, epochs,
                                       verbose=False)
        points = ex.record_points(1000, batch_size, epochs)
        assert len(points) == len(losses)
        assert points[-1] == 1000 * epochs
    assert ex.record_points(1500, 1500, 2) == [1500, 3000]
    with pytest.raises(ValueError, match='batch_size'):
        ex.record_points(10, 0, 1)


def test_sweep_records_every_run_and_marks_divergence(capsys):
    X, y = toy_data()
    records = ex.sweep({5: [0.05, 100.0], 60: [0.5]}, X, y, num_epochs=2,
                       target=0.5, show_progress=False)
    assert [(r['batch_size'], r['lr']) for r in records] == [(5, 0.05), (5, 100.0), (60, 0.5)]
    ok, bad, gd = records
    assert not ok['diverged'] and ok['loss'] < 0.5 and ok['time_to_target'] < math.inf
    assert bad['diverged'] and bad['time_to_target'] == math.inf
    assert ok['sec_per_epoch'] > 0
    assert ok['examples_to_target'] in ex.record_points(60, 5, 2)
    assert gd['examples_to_target'] % 60 == 0  # gradient descent records once per epoch
    out = capsys.readouterr()
    assert out.out == '' and out.err == ''  # no training printouts, no progress bar


def test_sweep_reports_where_each_run_first_reached_the_target():
    X, y = toy_data(n=1000)  # one epoch of batches of 10 records the loss 5 times
    d2l.set_seed(0)
    [rec] = ex.sweep({10: [0.01]}, X, y, num_epochs=1, target=1.0, show_progress=False)
    d2l.set_seed(0)  # the same run again, to see its whole loss curve
    _, losses = d2l.train_ch11(d2l.sgd, None, {'lr': 0.01}, d2l.load_array((X, y), 10), 3, 1,
                               verbose=False)
    assert losses[-1] == pytest.approx(rec['loss'])
    k = next(i for i, l in enumerate(losses) if l <= 1.0)
    assert 0 < k < len(losses) - 1  # reached in the middle, so the test can tell
    assert rec['loss_at_target'] == pytest.approx(losses[k]) and losses[k - 1] > 1.0
    assert rec['examples_to_target'] == ex.record_points(1000, 10, 1)[k]
    [never] = ex.sweep({10: [0.01]}, X, y, num_epochs=1, target=0.0, show_progress=False)
    assert never['loss_at_target'] == never['examples_to_target'] == math.inf


def test_sweep_rejects_bad_grid():
    X, y = toy_data()
    with pytest.raises(TypeError, match='grid'):
        ex.sweep([(5, 0.1)], X, y)
    with pytest.raises(ValueError, match='batch size'):
        ex.sweep({0: [0.1]}, X, y)
    with pytest.raises(ValueError, match='learning rate'):
        ex.sweep({5: [-0.1]}, X, y)


def test_progress_bar_leaves_nothing_behind(capsys):
    out = list(ex.progress(range(3), 'test', enabled=True))
    assert out == [0, 1, 2]
    err = capsys.readouterr().err
    assert 'test' in err  # it was shown ...
    last = re.split(r'\r', err)[-1]
    assert 'test' not in last and '|' not in last  # ... and cleared (leave=False)


def test_progress_is_off_when_nobody_watches(capsys):
    assert not ex.interactive()  # pytest captures stderr, so it is not a terminal
    assert ex.progress(range(3), 'test') == range(3)
    assert capsys.readouterr().err == ''


@pytest.mark.parametrize('allow_stdin', [True, False])
def test_progress_follows_whether_the_kernel_accepts_input(monkeypatch, allow_stdin):
    # JupyterLab executes cells with allow_stdin=True; a book build (nbclient) with False.
    IPython = pytest.importorskip('IPython')
    kernel = type('Kernel', (), {'_allow_stdin': allow_stdin})()
    shell = type('Shell', (), {'kernel': kernel})()
    monkeypatch.setattr(IPython, 'get_ipython', lambda: shell)
    assert ex.interactive() is allow_stdin


@pytest.mark.slow
def test_exercises_page_has_no_progress_bars(book_html):
    page = (book_html / 'chapters' / 'exercises.html').read_text()
    assert 'widget' not in page
    assert not re.search(r'\d+it/s|it/s]|sweep:', page)
    assert page.count('class="solution dropdown') >= 4
