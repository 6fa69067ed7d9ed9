"""Linear regression trained from scratch and with a Keras optimizer, as in
d2l chapter 11."""

import tensorflow as tf

from ..core import checks
from ..core.contract import names
from ..core.loop import features_of, full_data, train_loop
from .data import device_of
from .device import Timer, default_device

__all__ = names('train')


def linreg(X, w, b):
    """The linear regression model."""
    return tf.matmul(X, w) + b  # (batch, 1)


def squared_loss(y_hat, y):
    """Squared loss."""
    return (y_hat - tf.reshape(y, y_hat.shape)) ** 2 / 2


def sgd(params, grads, states, hyperparams):
    """Minibatch stochastic gradient descent."""
    for param, grad in zip(params, grads):
        param.assign_sub(hyperparams['lr'] * grad)


def evaluate_loss(net, data_iter, loss):
    """Evaluate the loss of a model on the given dataset."""
    full = full_data(data_iter)
    batches = [full] if full is not None else data_iter  # one pass if we can
    total, count = 0.0, 0
    for X, y in batches:
        out = net(X)
        l = loss(out, tf.reshape(y, out.shape))
        # Sum a per-example loss; weight a scalar (mean) loss by batch size.
        weight = 1 if l.shape.num_elements() > 1 else len(X)
        total += float(tf.reduce_sum(l)) * weight
        count += len(X)
    return total / count


def init_params(feature_dim, device=None):
    """Weights drawn from N(0, 0.01^2) and a zero bias, for a linear model."""
    with tf.device(default_device() if device is None else device):
        w = tf.Variable(tf.random.normal((feature_dim, 1), 0, 0.01))
        b = tf.Variable(tf.zeros(1))
    return w, b


def linear_model(feature_dim, device=None):
    """A Keras Dense(1) model, starting where train_ch11's model starts."""
    w, b = init_params(feature_dim, device)
    with tf.device(default_device() if device is None else device):
        # (batch, features) -> (batch, 1)
        net = tf.keras.Sequential(
            [tf.keras.Input((feature_dim,)), tf.keras.layers.Dense(1)]
        )
    net.set_weights([w.numpy(), b.numpy()])
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
    net, loss = lambda X: linreg(X, w, b), squared_loss

    def step(X, y):
        with tf.GradientTape() as g:
            l = tf.reduce_mean(loss(net(X), y))
        trainer_fn([w, b], g.gradient(l, [w, b]), states, hyperparams)

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
    num_epochs=2,
    verbose=True,
    on_epoch_end=None,
    labels=('epoch', 'loss'),
):
    """Train linear regression with a Keras optimizer class `trainer_fn`.

    `on_epoch_end(optimizer)`, if given, is called after every epoch: to
    decay the learning rate, for example."""
    checks.learning_rate(hyperparams, 'learning_rate')  # before Keras
    if 'lr' in hyperparams:  # d2l's PyTorch name, which Keras 3 rejects
        raise ValueError(
            f"Keras optimizers take 'learning_rate', not 'lr': pass "
            f"{{'learning_rate': {hyperparams['lr']!r}}}"
        )
    X = features_of(data_iter)  # (examples, features)
    net = linear_model(X.shape[1], X.device)
    optimizer = trainer_fn(**hyperparams)
    # MeanSquaredError is twice squared_loss, so halve it to compare with
    # train_ch11.
    mse = tf.keras.losses.MeanSquaredError()

    def loss(out, y):
        return mse(y, out) / 2

    def step(X, y):
        with tf.GradientTape() as g:
            out = net(X)
            l = loss(out, tf.reshape(y, out.shape))
        params = net.trainable_variables
        optimizer.apply_gradients(zip(g.gradient(l, params), params))

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
