"""Linear regression trained from scratch and with Gluon, as in d2l chapter
11."""

from mxnet import autograd, gluon, np
from mxnet.gluon import nn

from ..core import checks
from ..core.contract import names
from ..core.loop import features_of, mean_loss, train_loop
from ..core.model import linreg
from .device import Timer, device_of

__all__ = names('train')


def squared_loss(y_hat, y):
    """Squared loss."""
    return (y_hat - y.reshape(y_hat.shape)) ** 2 / 2


def evaluate_loss(net, data_iter, loss):
    """Evaluate the loss of a model on the given dataset."""

    def summed(X, y):
        out = net(X)
        l = loss(out, y.reshape(out.shape))
        return l.sum().item(), l.size

    with autograd.pause():  # no gradients, even inside autograd.record()
        return mean_loss(summed, data_iter)


def init_params(feature_dim, device=None):
    """Weights drawn from N(0, 0.01^2) and a zero bias, for a linear model."""
    w = np.random.normal(0, 0.01, (feature_dim, 1), ctx=device)
    b = np.zeros(1, ctx=device)
    return w, b


def sgd(params, states, hyperparams):
    """Minibatch stochastic gradient descent."""
    for p in params:  # backward overwrites p.grad: nothing to zero
        p[:] -= hyperparams['lr'] * p.grad


def train_ch11(trainer_fn, states, hyperparams, data_iter, feature_dim,
               num_epochs=2, **options):  # options: train_loop's
    """Train linear regression with a from-scratch optimizer `trainer_fn`."""
    device = device_of(data_iter)
    w, b = init_params(feature_dim, device)
    w.attach_grad()
    b.attach_grad()
    net, loss = lambda X: linreg(X, w, b), squared_loss

    def step(X, y):
        with autograd.record():
            l = loss(net(X), y).mean()
        l.backward()
        trainer_fn([w, b], states, hyperparams)

    return train_loop(step, lambda: evaluate_loss(net, data_iter, loss),
                      data_iter, num_epochs, hyperparams, Timer(device),
                      **options)


def linear_model(feature_dim, device=None):
    """A Gluon Dense(1) layer for train_concise_ch11, starting where
    train_ch11's model starts."""
    w, b = init_params(feature_dim, device)
    net = nn.Dense(1, in_units=feature_dim)  # (batch, features) -> (batch, 1)
    net.initialize(ctx=device)
    net.weight.set_data(w.T)
    net.bias.set_data(b)
    return net


def train_concise_ch11(tr_name, hyperparams, data_iter, num_epochs=2,
                       on_epoch_end=None, **options):
    """Train linear regression with the Gluon optimizer named `tr_name`.

    `on_epoch_end(trainer)`, if given, is called after every epoch: to decay
    the learning rate with trainer.set_learning_rate, for example. The
    other `options` (verbose, labels) go to train_loop."""
    checks.learning_rate(hyperparams, 'learning_rate')  # Gluon's name
    X = features_of(data_iter)  # (examples, features)
    net = nn.Sequential()
    net.add(linear_model(X.shape[1], X.ctx))
    trainer = gluon.Trainer(net.collect_params(), tr_name, hyperparams)
    loss = gluon.loss.L2Loss()  # squared_loss, one value per example

    def step(X, y):
        with autograd.record():
            l = loss(net(X), y)
        l.backward()
        trainer.step(X.shape[0])  # the mean gradient over the batch

    epoch_end = (None if on_epoch_end is None
                 else lambda: on_epoch_end(trainer))
    return train_loop(step, lambda: evaluate_loss(net, data_iter, loss),
                      data_iter, num_epochs, hyperparams, Timer(X.ctx),
                      on_epoch_end=epoch_end, **options)
