"""Linear regression trained from scratch and with a Keras optimizer, as in
d2l chapter 11."""

import tensorflow as tf

from ..core import checks
from ..core.contract import names
from ..core.loop import features_of, mean_loss, train_loop
from ..core.model import linreg
from .device import Timer, default_device, device_of

__all__ = names('train')


def squared_loss(y_hat, y):
    """Squared loss."""
    return (y_hat - tf.reshape(y, y_hat.shape)) ** 2 / 2


def evaluate_loss(net, data_iter, loss):
    """Evaluate the loss of a model on the given dataset."""

    def summed(X, y):
        out = net(X)
        l = loss(out, tf.reshape(y, out.shape))
        return float(tf.reduce_sum(l)), l.shape.num_elements()

    return mean_loss(summed, data_iter)


def init_params(feature_dim, device=None):
    """Weights drawn from N(0, 0.01^2) and a zero bias, for a linear model."""
    with tf.device(default_device() if device is None else device):
        w = tf.Variable(tf.random.normal((feature_dim, 1), 0, 0.01))
        b = tf.Variable(tf.zeros(1))
    return w, b


def sgd(params, grads, states, hyperparams):
    """Minibatch stochastic gradient descent."""
    for param, grad in zip(params, grads):
        param.assign_sub(hyperparams['lr'] * grad)


def train_ch11(trainer_fn, states, hyperparams, data_iter, feature_dim,
               num_epochs=2, **options):  # options: train_loop's
    """Train linear regression with a from-scratch optimizer `trainer_fn`."""
    device = device_of(data_iter)
    w, b = init_params(feature_dim, device)
    net, loss = lambda X: linreg(X, w, b), squared_loss

    def step(X, y):
        with tf.GradientTape() as g:
            l = tf.reduce_mean(loss(net(X), y))
        trainer_fn([w, b], g.gradient(l, [w, b]), states, hyperparams)

    return train_loop(step, lambda: evaluate_loss(net, data_iter, loss),
                      data_iter, num_epochs, hyperparams, Timer(device),
                      **options)


def linear_model(feature_dim, device=None):
    """A Keras model of one Dense(1) layer, for train_concise_ch11; it starts
    where train_ch11's model starts."""
    w, b = init_params(feature_dim, device)
    with tf.device(default_device() if device is None else device):
        # (batch, features) -> (batch, 1)
        net = tf.keras.Sequential(
            [tf.keras.Input((feature_dim,)), tf.keras.layers.Dense(1)]
        )
    net.set_weights([w.numpy(), b.numpy()])
    return net


def train_concise_ch11(trainer_fn, hyperparams, data_iter, num_epochs=2,
                       on_epoch_end=None, **options):
    """Train linear regression with a Keras optimizer class `trainer_fn`.

    `on_epoch_end(optimizer)`, if given, is called after every epoch: to
    decay the learning rate, for example. The other `options` (verbose,
    labels) go to train_loop."""
    checks.learning_rate(hyperparams, 'learning_rate')  # Keras' name
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

    epoch_end = (None if on_epoch_end is None
                 else lambda: on_epoch_end(optimizer))
    return train_loop(step, lambda: evaluate_loss(net, data_iter, loss),
                      data_iter, num_epochs, hyperparams, Timer(X.device),
                      on_epoch_end=epoch_end, **options)
