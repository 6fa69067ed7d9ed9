"""The training loop that every framework's train_ch11 and
train_concise_ch11 share: when to record, what to time, what to print."""

import math

import numpy as np

from . import checks
from .plotting import Animator
from .timer import Timer


def record_due(n_before, n, record_every=200):
    """True when a batch takes the count of examples seen from n_before to n
    past a multiple of record_every: the training loop records the loss
    there."""
    return n // record_every > n_before // record_every


def record_points(n, batch_size, num_epochs, record_every=200):
    """The number of examples processed at each loss record of the training
    loops, for `n` examples in batches of `batch_size`: where record_due says,
    and at the end."""
    sizes = [min(batch_size, n - i) for i in range(0, n, batch_size)]
    after = np.cumsum(sizes * num_epochs)  # examples seen after each batch
    points = [
        int(a)
        for a, size in zip(after, sizes * num_epochs)
        if record_due(a - size, a, record_every)
    ]
    if not points or points[-1] != after[-1]:
        points.append(int(after[-1]))  # the record at the end
    return np.array(points)


def full_data(data_iter):
    """The (features, labels) behind a loader, when it exposes them: every
    d2lmini loader (`.tensors`), and a PyTorch DataLoader over a
    TensorDataset (`.dataset.tensors`)."""
    tensors = getattr(data_iter, 'tensors', None)
    if tensors is None:
        tensors = getattr(getattr(data_iter, 'dataset', None), 'tensors', None)
    return tensors if tensors is not None and len(tensors) == 2 else None


def features_of(data_iter):
    """All the features behind a loader, or else its first batch of them."""
    full = full_data(data_iter)
    return full[0] if full is not None else next(iter(data_iter))[0]


def mean_loss(batch_loss, data_iter):
    """The loss per example over a loader, in one pass when it holds all its
    data. `batch_loss(X, y)` gives a batch's (sum of loss values, number of
    values): one value per example, or one mean for the batch."""
    full = full_data(data_iter)
    batches = [full] if full is not None else data_iter
    total, count = 0.0, 0
    for X, y in batches:
        value, size = batch_loss(X, y)
        total += value if size > 1 else value * len(X)  # weight a mean
        count += len(X)
    return total / count


def examples_per_epoch(data_iter):
    """The number of examples in one pass over a loader."""
    full = full_data(data_iter)
    if full is not None:
        return len(full[0])
    if iter(data_iter) is data_iter:  # counting would use up a generator
        raise TypeError(
            f'data_iter must be re-iterable (one pass per epoch), got '
            f'{type(data_iter).__name__}; use d2l.load_array'
        )
    return sum(len(X) for X, _ in data_iter)


def train_loop(step, evaluate, data_iter, num_epochs, hyperparams, timer=None,
               verbose=True, record_every=200, on_epoch_end=None,
               labels=('epoch', 'loss')):
    """Run `step(X, y)` over the data; record `evaluate()`, the full-data
    loss, every `record_every` examples and at the end. Return
    (cumulative_times, losses). `hyperparams` holds the learning rate,
    checked before the first step. `timer` is the framework's Timer, which
    waits for the device. `on_epoch_end()` is called after every epoch,
    outside the timed training. verbose=False trains silently: no printout
    and no live plot, whose axis labels are `labels`."""
    num_epochs = checks.positive_int('num_epochs', num_epochs)
    lr = checks.learning_rate(hyperparams)  # named if training diverges
    n_per_epoch = examples_per_epoch(data_iter)
    # Redrawn at most twice a second: a redraw pauses the framework's
    # threads, and the steps after a pause run slower.
    animator = (Animator(*labels, xlim=[0, num_epochs], redraw_every=0.5)
                if verbose else None)
    epochs, times, losses = [], [], []
    n, batch_size, clock = 0, 0, timer if timer is not None else Timer()
    clock.start()  # the clock runs while the model trains, from here on

    def record():
        clock.stop()  # evaluation is not training time
        times.append(clock.sum())
        value = evaluate()
        if not math.isfinite(value):  # it keeps what was recorded
            raise checks.Diverged(value, n, lr, batch_size, times, losses)
        epochs.append(n / n_per_epoch)
        losses.append(value)
        if animator is not None:
            animator.add(epochs[-1], (value,))
        clock.start()

    for _ in range(num_epochs):
        for X, y in data_iter:
            step(X, y)
            n, batch_size = n + len(X), max(batch_size, len(X))
            if record_due(n - len(X), n, record_every):
                record()
        if on_epoch_end is not None:
            clock.stop()  # not training time either
            on_epoch_end()
            clock.start()
    if not epochs or epochs[-1] != n / n_per_epoch:
        record()
    if verbose:
        animator.flush()  # the points added since the last redraw
        print(f'loss: {losses[-1]:.3f}, '
              f'{times[-1] / num_epochs:.3g} sec/epoch')
    return times, losses
