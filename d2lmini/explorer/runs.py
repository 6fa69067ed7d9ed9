"""The batch-size explorer's grid: minibatch SGD with `train_ch11` for every
batch size and learning rate, each run making about the same number of
updates, with the loss recorded against examples seen, seconds and epochs.
It trains with the framework module it is given (`d2l`), so it imports none.
"""

import math

from ..core import checks
from ..core.loop import record_points
from .words import LABELS

BATCH_SIZES = (1, 2, 5, 10, 20, 50, 100, 200, 500, 1500)
LEARNING_RATES = (0.01, 0.03, 0.1, 0.3, 1, 3)


def epochs_for(batch_size, n, updates=300):
    """The fewest whole epochs that make at least `updates` minibatch
    updates on `n` examples."""
    return max(1, math.ceil(updates / math.ceil(n / batch_size)))


def run(d2l, X, y, batch_size, lr, num_epochs, seed=0):
    """One grid point: `d2l.train_ch11` with `d2l.sgd`, from `seed`. A run
    whose loss became infinite keeps what it recorded before, and where it
    blew up; it, and a run that ends above the loss of the all-zero model,
    count as diverged."""
    d2l.set_seed(seed)
    loader = d2l.load_array((X, y), batch_size)
    blew_up = None
    try:
        times, losses = d2l.train_ch11(
            d2l.sgd, None, {'lr': lr}, loader, X.shape[1], num_epochs,
            verbose=False,
        )  # fmt: skip
    except checks.Diverged as error:
        times, losses = error.times[:-1], error.losses
        blew_up = {'examples': error.n, 'seconds': float(error.times[-1]),
                   'epochs': error.n / len(X)}  # fmt: skip
    examples = record_points(len(X), batch_size, num_epochs)[: len(losses)]
    zero_loss = float((y**2).mean()) / 2  # the loss of w = 0, b = 0
    return {
        'batch_size': batch_size,
        'lr': lr,
        'num_epochs': num_epochs,
        'examples': [int(e) for e in examples],
        'seconds': [float(t) for t in times],
        'epochs': [int(e) / len(X) for e in examples],
        'loss': [float(v) for v in losses],
        'blew_up': blew_up,
        'diverged': blew_up is not None or not losses[-1] <= zero_loss,
    }


def grid(d2l, X, y, batch_sizes=BATCH_SIZES, lrs=LEARNING_RATES, updates=300):
    """Every run of the grid, by batch size, then learning rate, with the
    number of examples and the loss of the all-zero model."""
    updates = checks.positive_int('updates', updates)
    runs = [
        run(d2l, X, y, b, lr, epochs_for(b, len(X), updates))
        for b in batch_sizes
        for lr in lrs
    ]
    return {'n': len(X), 'zero_loss': float((y**2).mean()) / 2, 'runs': runs}


def loss_within(run, limit, axis='seconds'):
    """The last loss `run` recorded within `limit` seconds of training (or
    examples seen, or epochs: `axis`); None if it recorded none by then, or
    blew up by then."""
    kept = [v for x, v in zip(run[axis], run['loss']) if x <= limit]
    blew_up = run['blew_up'] is not None and run['blew_up'][axis] <= limit
    return None if not kept or blew_up else kept[-1]


def budget(runs):
    """A time budget that every run trained for: the shortest training
    time of a run that did not diverge, to two significant digits, down."""
    shortest = min(r['seconds'][-1] for r in runs if not r['diverged'])
    scale = 10 ** (math.floor(math.log10(shortest)) - 1)
    return round(math.floor(shortest / scale) * scale, 12)


def best_lr(runs, batch_size, seconds=None):
    """The learning rate whose run with `batch_size` reached the lowest
    loss, at its end or within `seconds`; None if every one diverged."""

    def reached(r):
        return r['loss'][-1] if seconds is None else loss_within(r, seconds)

    done = [
        r for r in runs
        if r['batch_size'] == batch_size and not r['diverged']
        and reached(r) is not None
    ]  # fmt: skip
    return min(done, key=reached)['lr'] if done else None


def best_run(runs, limit, axis='seconds'):
    """The run that reached the lowest loss within `limit` (seconds of
    training, or examples seen: `axis`)."""
    reached = [(loss_within(r, limit, axis), r) for r in runs]
    return min(
        (pair for pair in reached if pair[0] is not None),
        key=lambda pair: pair[0],
    )[1]


def largest_stable_lr(runs, batch_size):
    """The largest learning rate with which `batch_size` did not diverge;
    None if it diverged with every one."""
    stable = [
        r['lr']
        for r in runs
        if r['batch_size'] == batch_size and not r['diverged']
    ]
    return max(stable, default=None)


def findings(grid, language='en'):
    """What the page says about the grid, by name: the number of runs and
    of diverged ones; the time budget; the run that reached the lowest loss
    within it, and within one epoch; the largest learning rate that did not
    diverge for SGD and for gradient descent (a word if none)."""
    runs, n = grid['runs'], grid['n']
    limit = budget(runs)
    by_time, by_epoch = best_run(runs, limit), best_run(runs, n, 'examples')
    stable = {b: largest_stable_lr(runs, b) for b in (1, n)}
    none = LABELS[language]['none']
    return {
        'runs': len(runs),
        'diverged': sum(r['diverged'] for r in runs),
        'budget': limit,
        'time_batch': by_time['batch_size'],
        'time_lr': by_time['lr'],
        'epoch_batch': by_epoch['batch_size'],
        'epoch_lr': by_epoch['lr'],
        'stable_sgd': none if stable[1] is None else f'{stable[1]:g}',
        'stable_gd': none if stable[n] is None else f'{stable[n]:g}',
    }
