"""TensorFlow minibatches of in-memory tensors, and the airfoil data as such
batches."""

import tensorflow as tf

from ..core import checks
from ..core.contract import names
from ..core.data import airfoil
from ..core.loader import Batches
from .device import parse_device

__all__ = names('data')


class ArrayLoader(Batches, tf.data.Dataset):
    """Minibatches of in-memory tensors, as a tf.data.Dataset of known
    cardinality. Iterated eagerly, it permutes the examples once per epoch
    and splits them into batches in one call, on the device where the
    tensors are; `tensors` holds the whole data, for one-pass evaluation."""

    def __init__(self, tensors, batch_size, shuffle=True):
        Batches.__init__(self, tensors, batch_size, shuffle)
        # The same batches as a tf.data pipeline, for graph code (Keras'
        # fit, tf.function) and for the transformations (take, prefetch).
        pipeline = tf.data.Dataset.from_tensor_slices(self.tensors)
        if shuffle:
            pipeline = pipeline.shuffle(self.num_examples)
        self._pipeline = pipeline.batch(batch_size)
        # A Dataset subclass is built on its input's variant tensor, as
        # tf.data's own unary datasets are.
        tf.data.Dataset.__init__(self, self._pipeline._variant_tensor)

    def _inputs(self):
        return [self._pipeline]

    @property
    def element_spec(self):
        return self._pipeline.element_spec

    def order(self):
        """This epoch's example indices: a fresh permutation."""
        with tf.device(self.tensors[0].device):
            return tf.random.shuffle(tf.range(self.num_examples))

    def gather(self, t, idx):
        return t if idx is None else tf.gather(t, idx)  # tensors are immutable

    def split(self, t):
        n, b = self.num_examples, self.batch_size
        return tf.split(t, [b] * (n // b) + ([n % b] if n % b else []))

    def __iter__(self):
        if not tf.executing_eagerly():  # inside a tf.function
            return tf.data.Dataset.__iter__(self)
        return Batches.__iter__(self)


def load_array(data_arrays, batch_size, is_train=True):
    """Construct a TensorFlow data iterator."""
    batch_size = checks.positive_int('batch_size', batch_size)
    tensors = [tf.convert_to_tensor(a) for a in data_arrays]
    if not tensors or any(t.shape.rank == 0 for t in tensors):
        raise ValueError(
            'data_arrays must be arrays of examples (features and labels), '
            'each with the examples along its first axis'
        )
    checks.batchable([int(t.shape[0]) for t in tensors])
    return ArrayLoader(tensors, batch_size, shuffle=is_train)


def get_data_ch11(batch_size=10, n=1500, device=None):
    """The airfoil data, standardised per column: (data_iter, feature_dim)."""
    device = parse_device(device)  # None: the default device
    features, labels = airfoil(n)  # (n, 5), (n,)
    with tf.device(device):
        tensors = (tf.identity(features), tf.identity(labels))
    data_iter = load_array(tensors, batch_size, is_train=True)
    return data_iter, features.shape[1]


def airfoil_tensors(n=1500, device=None):
    """The standardised airfoil features and labels: (n, 5), (n,)."""
    return get_data_ch11(batch_size=n, n=n, device=device)[0].tensors
