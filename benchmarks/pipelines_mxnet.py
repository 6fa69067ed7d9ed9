"""Seconds per epoch of the MXNet train_ch11 over d2lmini's load_array versus
Gluon's DataLoader.

Runs in the MXNet environment (MXNet 1.9.1 needs Python <= 3.11 and numpy
1.23.5): .venv-mxnet/bin/python benchmarks/pipelines_mxnet.py

"loader alone" is one epoch of iterating without training, which shows how much
of each epoch is the loader and how much is the training step. Both loaders
feed the same training loop (d2lmini.mxnet.train_ch11) the same data on the
same device; each setting runs `--repeats` times, alternating the loaders, and
the table reports medians. The target: load_array at least as fast as
`gluon.data.DataLoader(gluon.data.ArrayDataset(X, y), batch_size,
shuffle=True)`, with the same final loss within 0.005.
"""

import argparse
import contextlib
import io
import statistics

import mxnet
from mxnet import gluon

from d2lmini import mxnet as d2l

RUNS = [(1, 1500), (0.005, 1), (0.4, 100), (0.05, 10)]  # (lr, batch size)
TARGET = 1.0  # speed-up wanted at every batch size


def run(lr, data_iter, feature_dim, num_epochs):
    """Train once, silently; return (sec/epoch, final loss)."""
    with contextlib.redirect_stdout(io.StringIO()):
        times, losses = d2l.train_ch11(
            d2l.sgd,
            None,
            {'lr': lr},
            data_iter,
            feature_dim,
            num_epochs,
            verbose=False,
        )
    return times[-1] / num_epochs, losses[-1]


def loader_only(data_iter, repeats):
    """Median seconds to iterate over one epoch without training: the
    loader's own cost."""
    times = []
    for _ in range(repeats):
        timer = d2l.Timer()
        for _ in data_iter:
            pass
        times.append(timer.stop())
    return statistics.median(times)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--repeats', type=int, default=7)
    parser.add_argument('--epochs', type=int, default=2)
    args = parser.parse_args()
    device = d2l.default_device()
    print(
        f'device: {d2l.device_name(device)}, MXNet {mxnet.__version__}, '
        f'{args.repeats} repeats of {args.epochs} epochs, medians\n'
    )
    rows, ok = [], True
    for lr, batch_size in RUNS:
        ours, feature_dim = d2l.get_data_ch11(batch_size)
        theirs = gluon.data.DataLoader(
            gluon.data.ArrayDataset(*ours.arrays), batch_size, shuffle=True
        )
        res = {'load_array': [], 'DataLoader': []}
        for i in range(args.repeats):
            d2l.set_seed(i)
            res['load_array'].append(run(lr, ours, feature_dim, args.epochs))
            d2l.set_seed(i)
            res['DataLoader'].append(run(lr, theirs, feature_dim, args.epochs))
        t_ours = statistics.median(t for t, _ in res['load_array'])
        t_dl = statistics.median(t for t, _ in res['DataLoader'])
        l_ours = statistics.median(l for _, l in res['load_array'])
        l_dl = statistics.median(l for _, l in res['DataLoader'])
        speedup = t_dl / t_ours
        good = speedup >= TARGET and abs(l_ours - l_dl) <= 0.005
        ok &= good
        rows.append(
            (
                lr,
                batch_size,
                t_ours,
                t_dl,
                speedup,
                l_ours,
                l_dl,
                'yes' if good else 'NO',
                loader_only(ours, args.repeats),
                loader_only(theirs, args.repeats),
            )
        )
    head = (
        'lr',
        'batch',
        'load_array s/ep',
        'DataLoader s/ep',
        'speed-up',
        'loss (ours)',
        'loss (DL)',
        f'met (>= {TARGET:g}x)',
        'loader alone: ours',
        'loader alone: DataLoader',
    )
    print('| ' + ' | '.join(head) + ' |')
    print('|' + '---|' * len(head))
    for r in rows:
        print(
            f'| {r[0]:g} | {r[1]} | {r[2]:.5f} | {r[3]:.5f} | {r[4]:.2f}x | '
            f'{r[5]:.4f} | {r[6]:.4f} | {r[7]} | {r[8]:.5f} | {r[9]:.5f} |'
        )
    print(
        '\nall targets met'
        if ok
        else '\nsome targets NOT met (see the met column)'
    )
    return 0 if ok else 1


if __name__ == '__main__':
    raise SystemExit(main())
