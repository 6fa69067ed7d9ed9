"""Seconds per epoch of a framework's train_ch11, against its standard data
pipeline and against a lean training loop.

    .venv/bin/python benchmarks/train_speed.py --framework pytorch
    .venv/bin/python benchmarks/train_speed.py --framework tensorflow
    .venv-mxnet/bin/python benchmarks/train_speed.py --framework mxnet

For each of the book's four runs (learning rate, batch size, epochs):

- "train_ch11" is d2lmini's train_ch11 over d2l.load_array, as the book
  calls it (live plot on, output discarded): the seconds per epoch it
  reports.
- "pipeline" is the same train_ch11 over the framework's standard loader
  (`bench_<framework>.py` says which); "speed-up" is its time over ours.
- "floor" is the leanest eager-autograd loop: the same step (linreg,
  squared_loss, sgd) over minibatches sliced from permutations drawn before
  the clock starts, recording nothing. "overhead" is train_ch11's time over
  the floor's: what the training loop and its loader add.
- "loader alone" is one epoch of iterating without training.

Settings take turns, repeat `--repeats` times, and the table gives medians.
"""

import argparse
import contextlib
import dataclasses
import importlib
import io
import statistics
import sys
from pathlib import Path

from d2lmini.core.registry import FRAMEWORKS

sys.path.insert(0, str(Path(__file__).parent))  # the bench_<framework> modules

# (lr, batch size, epochs): the book's gradient descent, SGD and minibatches.
RUNS = [(1, 1500, 10), (0.005, 1, 2), (0.4, 100, 2), (0.05, 10, 2)]
# The most that train_ch11 may add to the floor, per batch size.
OVERHEAD_TARGETS = {1: 1.15, 10: 1.15, 100: 1.35, 1500: 1.5}
SAME_LOSS = 0.005  # final losses of the two loaders may differ by this much


@dataclasses.dataclass
class Row:
    lr: float
    batch: int
    epochs: int
    ours: float  # train_ch11 over load_array, s/epoch
    pipeline: float  # train_ch11 over the standard pipeline, s/epoch
    floor: float  # the lean loop, s/epoch
    loss_ours: float
    loss_pipeline: float
    loader_ours: float  # one epoch of iterating, s
    loader_pipeline: float
    speedup_target: float

    @property
    def speedup(self):
        return self.pipeline / self.ours

    @property
    def overhead(self):
        return self.ours / self.floor

    @property
    def met(self):
        return (
            self.speedup >= self.speedup_target
            and self.overhead <= OVERHEAD_TARGETS[self.batch]
            and abs(self.loss_ours - self.loss_pipeline) <= SAME_LOSS
        )


def train(d2l, lr, data_iter, feature_dim, num_epochs):
    """train_ch11 as the book calls it; return (sec/epoch, final loss)."""
    with contextlib.redirect_stdout(io.StringIO()):
        times, losses = d2l.train_ch11(
            d2l.sgd, None, {'lr': lr}, data_iter, feature_dim, num_epochs
        )
    return times[-1] / num_epochs, losses[-1]


def loader_alone(d2l, data_iter, repeats):
    """Median seconds to iterate over one epoch without training."""
    for _ in data_iter:  # warm-up: tf.data builds its iterator machinery
        pass
    times = []
    for _ in range(repeats):
        timer = d2l.Timer()
        for _ in data_iter:
            pass
        times.append(timer.stop())
    return statistics.median(times)


def measure(fw, lr, batch_size, num_epochs, repeats):
    """One row of the table: every setting `repeats` times, taking turns."""
    d2l = fw.d2l
    ours, feature_dim = d2l.get_data_ch11(batch_size)
    theirs = fw.pipeline(ours, batch_size)
    ran = {'ours': [], 'pipeline': [], 'floor': []}
    for i in range(repeats + 1):  # the first round warms up, untimed
        d2l.set_seed(i)
        o = train(d2l, lr, ours, feature_dim, num_epochs)
        d2l.set_seed(i)
        p = train(d2l, lr, theirs, feature_dim, num_epochs)
        d2l.set_seed(i)
        f = fw.floor(lr, ours, batch_size, num_epochs)
        if i:
            ran['ours'].append(o)
            ran['pipeline'].append(p)
            ran['floor'].append(f)
    med = statistics.median
    return Row(
        lr=lr,
        batch=batch_size,
        epochs=num_epochs,
        ours=med(t for t, _ in ran['ours']),
        pipeline=med(t for t, _ in ran['pipeline']),
        floor=med(ran['floor']),
        loss_ours=med(l for _, l in ran['ours']),
        loss_pipeline=med(l for _, l in ran['pipeline']),
        loader_ours=loader_alone(d2l, ours, repeats),
        loader_pipeline=loader_alone(d2l, theirs, repeats),
        speedup_target=fw.SPEEDUP_TARGETS[batch_size],
    )


def table(rows, pipeline_name):
    """The rows as a Markdown table."""
    columns = [  # (heading, the cell of row r)
        ('lr', lambda r: f'{r.lr:g}'),
        ('batch', lambda r: f'{r.batch}'),
        ('epochs', lambda r: f'{r.epochs}'),
        ('train_ch11 s/ep', lambda r: f'{r.ours:.5f}'),
        (f'{pipeline_name} s/ep', lambda r: f'{r.pipeline:.5f}'),
        (
            'speed-up (target)',
            lambda r: f'{r.speedup:.2f}x (>= {r.speedup_target:g}x)',
        ),
        ('floor s/ep', lambda r: f'{r.floor:.5f}'),
        (
            'overhead (target)',
            lambda r: f'{r.overhead:.2f} (<= {OVERHEAD_TARGETS[r.batch]:g})',
        ),
        ('loss: ours', lambda r: f'{r.loss_ours:.4f}'),
        (f'loss: {pipeline_name}', lambda r: f'{r.loss_pipeline:.4f}'),
        ('loader alone: ours', lambda r: f'{r.loader_ours:.5f}'),
        (
            f'loader alone: {pipeline_name}',
            lambda r: f'{r.loader_pipeline:.5f}',
        ),
        ('met', lambda r: 'yes' if r.met else 'NO'),
    ]
    lines = [
        '| ' + ' | '.join(head for head, _ in columns) + ' |',
        '|' + '---|' * len(columns),
    ]
    for r in rows:
        lines.append('| ' + ' | '.join(cell(r) for _, cell in columns) + ' |')
    return '\n'.join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        '--framework',
        default='pytorch',
        choices=list(FRAMEWORKS),
    )
    parser.add_argument('--repeats', type=int, default=7)
    args = parser.parse_args(argv)
    fw = importlib.import_module(f'bench_{args.framework}')
    device = fw.d2l.default_device()
    print(
        f'device: {fw.d2l.device_name(device)}, {fw.VERSION}, '
        f'{args.repeats} repeats, medians\n'
    )
    rows = [measure(fw, *run, args.repeats) for run in RUNS]
    print(table(rows, fw.PIPELINE))
    ok = all(r.met for r in rows)
    print('\nall targets met' if ok else '\nsome targets NOT met (see met)')
    return 0 if ok else 1


if __name__ == '__main__':
    raise SystemExit(main())
