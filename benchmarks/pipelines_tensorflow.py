"""Seconds per epoch of the TensorFlow train_ch11 over d2lmini's load_array
versus the standard tf.data pipeline.

    .venv/bin/python benchmarks/pipelines_tensorflow.py

The standard pipeline is `tf.data.Dataset.from_tensor_slices((X, y))
.shuffle(n).batch(batch_size)` (d2l's own load_array shuffles with a buffer
of 1000, which on 1500 examples is not a full permutation). "loader alone" is
one epoch of iterating without training, which shows how much of each epoch
is the loader and how much is the training step. Both loaders feed the same
training loop (d2lmini.tensorflow.train_ch11) the same data on the same
device; each setting runs `--repeats` times, alternating the loaders, and the
table reports medians. The target: load_array at least as fast as the
standard pipeline, with the same final loss within 0.005.

Set TF_CPP_MIN_LOG_LEVEL=2 and TF_ENABLE_ONEDNN_OPTS=0 to silence
TensorFlow's start-up lines (the second turns oneDNN's kernels off, which
changes the timings a little).
"""

import argparse
import contextlib
import io
import statistics

import tensorflow as tf

from d2lmini import tensorflow as d2l

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
    for _ in data_iter:  # warm-up: tf.data builds its iterator machinery
        pass
    times = []
    for _ in range(repeats):
        timer = d2l.Timer()
        for _ in data_iter:
            pass
        times.append(timer.stop())
    return statistics.median(times)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--repeats', type=int, default=5)
    parser.add_argument('--epochs', type=int, default=2)
    args = parser.parse_args()
    device = d2l.default_device()
    print(
        f'device: {d2l.device_name(device)}, TensorFlow {tf.__version__}, '
        f'{args.repeats} repeats of {args.epochs} epochs, medians\n'
    )
    rows, ok = [], True
    for lr, batch_size in RUNS:
        ours, feature_dim = d2l.get_data_ch11(batch_size)
        theirs = (
            tf.data.Dataset.from_tensor_slices(ours.tensors)
            .shuffle(ours.num_examples)
            .batch(batch_size)
        )
        run(lr, ours, feature_dim, 1)  # warm-up, not timed
        run(lr, theirs, feature_dim, 1)
        res = {'load_array': [], 'tf.data': []}
        for i in range(args.repeats):
            d2l.set_seed(i)
            res['load_array'].append(run(lr, ours, feature_dim, args.epochs))
            d2l.set_seed(i)
            res['tf.data'].append(run(lr, theirs, feature_dim, args.epochs))
        t_ours = statistics.median(t for t, _ in res['load_array'])
        t_std = statistics.median(t for t, _ in res['tf.data'])
        l_ours = statistics.median(l for _, l in res['load_array'])
        l_std = statistics.median(l for _, l in res['tf.data'])
        speedup = t_std / t_ours
        good = speedup >= TARGET and abs(l_ours - l_std) <= 0.005
        ok &= good
        rows.append(
            (
                lr,
                batch_size,
                t_ours,
                t_std,
                speedup,
                l_ours,
                l_std,
                'yes' if good else 'NO',
                loader_only(ours, args.repeats),
                loader_only(theirs, args.repeats),
            )
        )
    head = (
        'lr',
        'batch',
        'load_array s/ep',
        'tf.data s/ep',
        'speed-up',
        'loss (ours)',
        'loss (tf.data)',
        f'met (>= {TARGET:g}x)',
        'loader alone: ours',
        'loader alone: tf.data',
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
