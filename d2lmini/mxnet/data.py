"""MXNet minibatches of in-memory arrays, and the airfoil data as such
batches."""

import math

import mxnet
from mxnet import np

from ..core import checks
from ..core.contract import names
from ..core.data import airfoil
from ..core.loop import features_of
from .device import default_device, parse_device

__all__ = names('data')


class ArrayLoader:
    """Minibatches of in-memory arrays, indexed a whole batch at a time."""

    def __init__(self, arrays, batch_size, shuffle=True):
        self.arrays = arrays
        self.batch_size = batch_size
        self.shuffle = shuffle

    @property
    def tensors(self):
        """The arrays, under the name d2lmini.torch's loader gives them."""
        return self.arrays

    @property
    def num_examples(self):
        return len(self.arrays[0])

    @property
    def device(self):
        return self.arrays[0].ctx

    def __len__(self):
        return math.ceil(self.num_examples / self.batch_size)

    def __iter__(self):
        if self.shuffle:  # a fresh permutation, from MXNet's seeded generator
            idx = np.arange(self.num_examples, dtype='int64', ctx=self.device)
            np.random.shuffle(idx)
            # One gather per epoch: (examples, ...) each
            arrays = [a.take(idx, axis=0) for a in self.arrays]
        else:  # a copy, so that changing a batch never changes the data
            arrays = [a.copy() for a in self.arrays]
        # Every batch is a slice (a view, no copy): (batch, ...) each
        for i in range(0, self.num_examples, self.batch_size):
            yield tuple(a[i : i + self.batch_size] for a in arrays)


def _as_array(a):
    """An MXNet NumPy array: as it is, from a legacy NDArray, or from data."""
    if isinstance(a, np.ndarray):
        return a
    if isinstance(a, mxnet.nd.NDArray):
        return a.as_np_ndarray()
    return np.array(a, dtype=getattr(a, 'dtype', None))


def load_array(data_arrays, batch_size, is_train=True):
    """Construct an MXNet data iterator."""
    batch_size = checks.positive_int('batch_size', batch_size)
    arrays = [_as_array(a) for a in data_arrays]
    checks.batchable([len(a) for a in arrays], [str(a.ctx) for a in arrays])
    return ArrayLoader(arrays, batch_size, shuffle=is_train)


def device_of(data_iter):
    """The device that holds a loader's data."""
    return features_of(data_iter).ctx


def get_data_ch11(batch_size=10, n=1500, device=None):
    """The airfoil data, standardised per column: (data_iter, feature_dim)."""
    device = default_device() if device is None else parse_device(device)
    features, labels = airfoil(n)  # (n, 5), (n,)
    data_iter = load_array(
        (np.array(features, ctx=device), np.array(labels, ctx=device)),
        batch_size,
        is_train=True,
    )
    return data_iter, features.shape[1]


def airfoil_tensors(n=1500, device=None):
    """The standardised airfoil features and labels: (n, 5), (n,)."""
    return get_data_ch11(batch_size=n, n=n, device=device)[0].arrays
