"""Helpers for the exercises of the minibatch SGD chapter: sweeps, schedules, sampling."""
import math
import sys

import torch

from . import checks
from .data import ArrayLoader, load_array
from .train import record_due, sgd, train_ch11, train_concise_ch11


def interactive():
    """True when someone is watching: a terminal, or a notebook frontend that can answer input()."""
    try:
        from IPython import get_ipython
        kernel = getattr(get_ipython(), 'kernel', None)
    except ImportError:
        kernel = None
    if kernel is not None:  # JupyterLab allows stdin; a book build (nbclient) does not
        return bool(getattr(kernel, '_allow_stdin', False))
    return sys.stderr.isatty()


def progress(iterable, desc, enabled=None):
    """Wrap `iterable` in a tqdm bar that vanishes when done; none unless interactive()."""
    enabled = interactive() if enabled is None else enabled
    if not enabled:
        return iterable
    from tqdm.auto import tqdm  # imported only when shown: no widget or warning in a build
    return tqdm(iterable, desc=desc, leave=False)


def time_to_loss(times, losses, target):
    """The time (or other count) at which the recorded loss first reached `target`, or inf."""
    if len(times) != len(losses):
        raise ValueError(f'times and losses must have equal lengths, got '
                         f'{len(times)} and {len(losses)}; pass the (times, losses) '
                         f'that one training run returned')
    return next((t for t, l in zip(times, losses) if l <= target), math.inf)


def sweep(grid, features, labels, num_epochs=1, target=0.25, show_progress=None):
    """Train linear regression with minibatch SGD for every batch size and learning rate in grid.

    grid maps batch sizes to lists of learning rates. Returns one dict per run, with the
    time, examples and loss at which it first reached `target` (inf if never). A run
    whose loss becomes non-finite, or ends above the loss of the zero model, counts as
    diverged.
    """
    if not isinstance(grid, dict) or not grid:
        raise TypeError(f'grid must be a non-empty dict {{batch_size: [lr, ...]}}, '
                        f'got {grid!r}')
    runs = [(checks.positive_int('batch size in grid', b),
             checks.learning_rate({'lr': lr})) for b, lrs in grid.items() for lr in lrs]
    start_loss = (labels.float() ** 2).mean().item() / 2  # loss of w = 0, b = 0
    records = []
    for batch_size, lr in progress(runs, 'sweep', show_progress):
        data_iter = load_array((features, labels), batch_size)
        try:
            times, losses = train_ch11(sgd, None, {'lr': lr}, data_iter,
                                       features.shape[1], num_epochs, verbose=False)
        except FloatingPointError:
            times, losses = [math.nan], [math.inf]
        diverged = not losses[-1] <= start_loss
        points = record_points(len(features), batch_size, num_epochs)
        first = lambda xs: math.inf if diverged else time_to_loss(xs, losses, target)
        records.append({
            'batch_size': batch_size, 'lr': lr, 'diverged': diverged,
            'loss': losses[-1], 'sec_per_epoch': times[-1] / num_epochs,
            'time_to_target': first(times), 'examples_to_target': first(points),
            'loss_at_target': first(losses)})  # the first recorded loss <= target
    return records


class EpochEndLoader:
    """A loader that calls `on_epoch_end()` after each full pass over `loader`."""
    def __init__(self, loader, on_epoch_end):
        self.loader = loader
        self.on_epoch_end = on_epoch_end

    @property
    def tensors(self):
        return self.loader.tensors

    @property
    def batch_size(self):
        return self.loader.batch_size

    def __len__(self):
        return len(self.loader)

    def __iter__(self):
        yield from self.loader
        self.on_epoch_end()


def train_with_scheduler(trainer_fn, hyperparams, data_iter, scheduler_fn,
                         num_epochs=4, verbose=True):
    """train_concise_ch11 with `scheduler_fn(optimizer)` stepped after every epoch.

    Returns (times, losses, lrs), where lrs[k] is the learning rate used in epoch k.
    """
    made, lrs = {}, []

    def make_optimizer(params, **hyperparams):
        made['optimizer'] = trainer_fn(params, **hyperparams)
        made['scheduler'] = scheduler_fn(made['optimizer'])
        return made['optimizer']

    def on_epoch_end():
        lrs.append(made['optimizer'].param_groups[0]['lr'])
        made['scheduler'].step()

    times, losses = train_concise_ch11(make_optimizer, hyperparams,
                                       EpochEndLoader(data_iter, on_epoch_end),
                                       num_epochs, verbose)
    return times, losses, lrs


class ReplacementLoader(ArrayLoader):
    """Like ArrayLoader, but each epoch draws its examples with replacement."""
    def order(self):
        gen = self.generator
        return torch.randint(self.num_examples, (self.num_examples,), generator=gen,
                             device=gen.device if gen is not None else self.device)


def load_array_with_replacement(data_arrays, batch_size, generator=None):
    """Like load_array, but minibatches are drawn with replacement."""
    base = load_array(data_arrays, batch_size, generator=generator)  # checks the arrays
    return ReplacementLoader(base.tensors, base.batch_size, generator=generator)


def duplicate(data_iter, copies=2):
    """A loader over the same examples, each repeated `copies` times."""
    copies = checks.positive_int('copies', copies)
    if not hasattr(data_iter, 'tensors'):
        raise TypeError(f'data_iter must be a d2lmini loader with .tensors, got '
                        f'{type(data_iter).__name__}; build it with d2l.load_array')
    tensors = [torch.cat([t] * copies) for t in data_iter.tensors]
    return load_array(tensors, data_iter.batch_size, is_train=data_iter.shuffle,
                      generator=data_iter.generator)


def record_points(num_examples, batch_size, num_epochs, record_every=200):
    """The examples processed at each point where the training loop records the loss."""
    for name, value in [('num_examples', num_examples), ('batch_size', batch_size),
                        ('num_epochs', num_epochs), ('record_every', record_every)]:
        checks.positive_int(name, value)
    sizes = [min(batch_size, num_examples - i) for i in range(0, num_examples, batch_size)]
    points, n = [], 0
    for _ in range(num_epochs):
        for size in sizes:
            n += size
            if record_due(n - size, n, record_every):
                points.append(n)
    if not points or points[-1] != n:
        points.append(n)
    return points
