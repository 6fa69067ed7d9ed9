"""Linear regression trained from scratch and with torch.optim, as in d2l
chapter 11."""

import torch
from torch import nn

from ..core import checks
from ..core.contract import names
from ..core.loop import features_of, full_data, train_loop
from .data import device_of
from .device import Timer

__all__ = names('train')


def linreg(X, w, b):
    """The linear regression model."""
    return torch.matmul(X, w) + b  # (batch, 1), or (batch,) for a 1-D w


def squared_loss(y_hat, y):
    """Squared loss."""
    return (y_hat - y.reshape(y_hat.shape)) ** 2 / 2


def sgd(params, states, hyperparams):
    """Minibatch stochastic gradient descent; zeroes the gradients it used."""
    with torch.no_grad():
        for p in params:
            p.sub_(p.grad, alpha=hyperparams['lr'])
            p.grad.zero_()


@torch.no_grad()
def evaluate_loss(net, data_iter, loss):
    """Evaluate the loss of a model on the given dataset."""
    full = full_data(data_iter)
    batches = [full] if full is not None else data_iter  # one pass if we can
    total, count = 0.0, 0
    for X, y in batches:
        out = net(X)
        l = loss(out, y.reshape(out.shape))
        # Sum a per-example loss; weight a scalar (mean) loss by batch size.
        total += l.sum().item() if l.numel() > 1 else l.item() * len(X)
        count += len(X)
    return total / count


def init_params(feature_dim, device=None):
    """Weights drawn from N(0, 0.01^2) and a zero bias, for a linear model.

    Drawn on the CPU, then moved: a seed gives the same weights on every
    device (a GPU's generator would draw others)."""
    w = torch.normal(0.0, 0.01, size=(feature_dim, 1)).to(device)
    b = torch.zeros(1, device=device)
    return w, b


def linear_model(feature_dim, device=None):
    """nn.Linear(feature_dim, 1), starting where train_ch11's model starts."""
    w, b = init_params(feature_dim, device)
    # (batch, features) -> (batch, 1)
    net = nn.Linear(feature_dim, 1).to(device)
    with torch.no_grad():
        net.weight.copy_(w.T)
        net.bias.copy_(b)
    return net


def train_ch11(
    trainer_fn,
    states,
    hyperparams,
    data_iter,
    feature_dim,
    num_epochs=2,
    verbose=True,
    labels=('epoch', 'loss'),
):
    """Train linear regression with a from-scratch optimizer `trainer_fn`."""
    device = device_of(data_iter)
    w, b = init_params(feature_dim, device)
    w.requires_grad_(True)
    b.requires_grad_(True)
    net, loss = lambda X: linreg(X, w, b), squared_loss

    def step(X, y):
        l = loss(net(X), y).mean()
        l.backward()
        trainer_fn([w, b], states, hyperparams)

    return train_loop(
        step,
        lambda: evaluate_loss(net, data_iter, loss),
        data_iter,
        num_epochs,
        hyperparams,
        Timer(device),
        verbose,
        labels=labels,
    )


def train_concise_ch11(
    trainer_fn,
    hyperparams,
    data_iter,
    num_epochs=4,
    verbose=True,
    on_epoch_end=None,
    labels=('epoch', 'loss'),
):
    """Train linear regression with a torch.optim optimizer class `trainer_fn`.

    `on_epoch_end(optimizer)`, if given, is called after every epoch: to
    decay the learning rate, for example."""
    checks.learning_rate(hyperparams)  # before torch.optim reads it
    X = features_of(data_iter)  # (examples, features)
    net = nn.Sequential(linear_model(X.shape[1], X.device))
    optimizer = trainer_fn(net.parameters(), **hyperparams)
    # nn.MSELoss is twice squared_loss, so halve it to compare with train_ch11.
    mse = nn.MSELoss()

    def loss(out, y):
        return mse(out, y) / 2

    def step(X, y):
        optimizer.zero_grad()
        out = net(X)
        l = loss(out, y.reshape(out.shape))
        l.backward()
        optimizer.step()

    epoch_end = (
        None if on_epoch_end is None else lambda: on_epoch_end(optimizer)
    )
    return train_loop(
        step,
        lambda: evaluate_loss(net, data_iter, loss),
        data_iter,
        num_epochs,
        hyperparams,
        Timer(X.device),
        verbose,
        on_epoch_end=epoch_end,
        labels=labels,
    )
