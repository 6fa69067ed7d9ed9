"""TensorFlow for benchmarks/train_speed.py: its standard pipeline and its
lean loop. Run it as the book's kernel does, with TF_CPP_MIN_LOG_LEVEL=2 and
TF_ENABLE_ONEDNN_OPTS=0 (`make bench` does)."""

import tensorflow as tf

from d2lmini import tensorflow as d2l

VERSION = f'TensorFlow {tf.__version__}'
PIPELINE = 'tf.data'
SPEEDUP_TARGETS = {1: 1.0, 10: 1.0, 100: 1.0, 1500: 1.0}


def pipeline(data_iter, batch_size):
    """tf.data's from_tensor_slices, shuffled in full every epoch, batched.
    (d2l's own load_array shuffles with a buffer of 1000, which on 1500
    examples is not a full permutation.)"""
    return (
        tf.data.Dataset.from_tensor_slices(data_iter.tensors)
        .shuffle(data_iter.num_examples)
        .batch(batch_size)
    )


def floor(lr, data_iter, batch_size, num_epochs):
    """Seconds per epoch of the lean loop (train_speed.py says what it is)."""
    X, y = data_iter.tensors  # (n, features), (n,)
    w, b = d2l.init_params(X.shape[1], X.device)
    batches = []
    for _ in range(num_epochs):
        idx = tf.random.shuffle(tf.range(len(X)))
        Xs, ys = tf.gather(X, idx), tf.gather(y, idx)
        batches += [
            (Xs[i : i + batch_size], ys[i : i + batch_size])
            for i in range(0, len(X), batch_size)
        ]
    timer = d2l.Timer(X.device)
    for Xb, yb in batches:
        with tf.GradientTape() as g:
            l = tf.reduce_mean(d2l.squared_loss(d2l.linreg(Xb, w, b), yb))
        d2l.sgd([w, b], g.gradient(l, [w, b]), None, {'lr': lr})
    return timer.stop() / num_epochs
