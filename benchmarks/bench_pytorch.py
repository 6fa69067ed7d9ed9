"""PyTorch for benchmarks/train_speed.py: its standard pipeline and its lean
loop."""

import torch
from torch.utils.data import DataLoader, TensorDataset

from d2lmini import torch as d2l

VERSION = f'PyTorch {torch.__version__}'
PIPELINE = 'DataLoader'
# DataLoader fetches and collates every example: ours should be far faster.
SPEEDUP_TARGETS = {1: 1.3, 10: 3.0, 100: 3.0, 1500: 3.0}


def pipeline(data_iter, batch_size):
    """DataLoader(TensorDataset), reshuffled every epoch."""
    return DataLoader(
        TensorDataset(*data_iter.tensors), batch_size, shuffle=True
    )


def floor(lr, data_iter, batch_size, num_epochs):
    """Seconds per epoch of the lean loop (train_speed.py says what it is)."""
    X, y = data_iter.tensors  # (n, features), (n,)
    w, b = d2l.init_params(X.shape[1], X.device)
    w.requires_grad_(True)
    b.requires_grad_(True)
    batches = []
    for _ in range(num_epochs):
        idx = torch.randperm(len(X), device=X.device)
        batches += zip(X[idx].split(batch_size), y[idx].split(batch_size))
    timer = d2l.Timer(X.device)
    for Xb, yb in batches:
        d2l.squared_loss(d2l.linreg(Xb, w, b), yb).mean().backward()
        d2l.sgd([w, b], None, {'lr': lr})
    return timer.stop() / num_epochs
