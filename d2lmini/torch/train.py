"""Linear regression trained from scratch and with torch.optim, as in d2l
chapter 11."""

import torch
from torch import nn

from ..core import checks
from ..core.contract import names
from ..core.loop import features_of, mean_loss, train_loop
from ..core.model import linreg
from .device import Timer, device_of

__all__ = names('train')


def squared_loss(y_hat, y):
    """Squared loss."""
    return (y_hat - y.reshape(y_hat.shape)) ** 2 / 2


@torch.no_grad()
def evaluate_loss(net, data_iter, loss):
    """Evaluate the loss of a model on the given dataset."""

    def summed(X, y):
        out = net(X)
        l = loss(out, y.reshape(out.shape))
        return l.sum().item(), l.numel()

    return mean_loss(summed, data_iter)


def init_params(feature_dim, device=None):
    """Weights drawn from N(0, 0.01^2) and a zero bias, for a linear model.

    Drawn on the CPU, then moved: a seed gives the same weights on every
    device (a GPU's generator would draw others)."""
    w = torch.normal(0.0, 0.01, size=(feature_dim, 1)).to(device)
    b = torch.zeros(1, device=device)
    return w, b


def sgd(params, states, hyperparams):
    """Minibatch stochastic gradient descent; zeroes the gradients it used."""
    with torch.no_grad():
        for p in params:
            p.sub_(p.grad, alpha=hyperparams['lr'])
            p.grad.zero_()


def train_ch11(trainer_fn, states, hyperparams, data_iter, feature_dim,
               num_epochs=2, **options):  # options: train_loop's
    """Train linear regression with a from-scratch optimizer `trainer_fn`."""
    device = device_of(data_iter)
    w, b = init_params(feature_dim, device)
    w.requires_grad_(True)
    b.requires_grad_(True)
    net, loss = lambda X: linreg(X, w, b), squared_loss

    def step(X, y):
        loss(net(X), y).mean().backward()
        trainer_fn([w, b], states, hyperparams)

    return train_loop(step, lambda: evaluate_loss(net, data_iter, loss),
                      data_iter, num_epochs, hyperparams, Timer(device),
                      **options)


def linear_model(feature_dim, device=None):
    """nn.Linear(feature_dim, 1) for train_concise_ch11: its weights start
    where train_ch11's start."""
    w, b = init_params(feature_dim, device)
    # (batch, features) -> (batch, 1)
    net = nn.Linear(feature_dim, 1).to(device)
    with torch.no_grad():
        net.weight.copy_(w.T)
        net.bias.copy_(b)
    return net


def train_concise_ch11(trainer_fn, hyperparams, data_iter, num_epochs=4,
                       on_epoch_end=None, **options):
    """Train linear regression with a torch.optim optimizer class `trainer_fn`.

    `on_epoch_end(optimizer)`, if given, is called after every epoch: to
    decay the learning rate, for example. The other `options` (verbose,
    labels) go to train_loop."""
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

    epoch_end = (None if on_epoch_end is None
                 else lambda: on_epoch_end(optimizer))
    return train_loop(step, lambda: evaluate_loss(net, data_iter, loss),
                      data_iter, num_epochs, hyperparams, Timer(X.device),
                      on_epoch_end=epoch_end, **options)
