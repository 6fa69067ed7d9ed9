"""MXNet for benchmarks/train_speed.py: its standard pipeline and its lean
loop. Runs in MXNet's environment (.venv-mxnet)."""

import mxnet
from mxnet import autograd, gluon, np

from d2lmini import mxnet as d2l

VERSION = f'MXNet {mxnet.__version__}'
PIPELINE = 'DataLoader'
SPEEDUP_TARGETS = {1: 1.0, 10: 1.0, 100: 1.0, 1500: 1.0}


def pipeline(data_iter, batch_size):
    """Gluon's DataLoader(ArrayDataset), reshuffled every epoch."""
    return gluon.data.DataLoader(
        gluon.data.ArrayDataset(*data_iter.tensors), batch_size, shuffle=True
    )


def floor(lr, data_iter, batch_size, num_epochs):
    """Seconds per epoch of the lean loop (train_speed.py says what it is)."""
    X, y = data_iter.tensors  # (n, features), (n,)
    w, b = d2l.init_params(X.shape[1], X.ctx)
    w.attach_grad()
    b.attach_grad()
    batches = []
    for _ in range(num_epochs):
        idx = np.arange(len(X), dtype='int64', ctx=X.ctx)
        np.random.shuffle(idx)
        Xs, ys = X.take(idx, axis=0), y.take(idx, axis=0)
        batches += [
            (Xs[i : i + batch_size], ys[i : i + batch_size])
            for i in range(0, len(X), batch_size)
        ]
    timer = d2l.Timer()
    for Xb, yb in batches:
        with autograd.record():
            l = d2l.squared_loss(d2l.linreg(Xb, w, b), yb).mean()
        l.backward()
        d2l.sgd([w, b], None, {'lr': lr})
    return timer.stop() / num_epochs
