"""MXNet minibatches of in-memory arrays, and the airfoil data as such
batches."""

import mxnet
from mxnet import np

from ..core import checks
from ..core.contract import names
from ..core.data import airfoil
from ..core.loader import Batches
from .device import parse_device

__all__ = names('data')


class ArrayLoader(Batches):
    """Minibatches of in-memory arrays, indexed a whole batch at a time."""

    @property
    def device(self):
        return self.tensors[0].ctx

    def order(self):
        """This epoch's example indices: a fresh permutation, from MXNet's
        seeded generator."""
        idx = np.arange(self.num_examples, dtype='int64', ctx=self.device)
        np.random.shuffle(idx)
        return idx

    def gather(self, t, idx):
        return t.copy() if idx is None else t.take(idx, axis=0)

    def split(self, t):
        b = self.batch_size
        return [t[i : i + b] for i in range(0, len(t), b)]  # views


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


def get_data_ch11(batch_size=10, n=1500, device=None):
    """The airfoil data, standardised per column: (data_iter, feature_dim)."""
    device = parse_device(device)  # None: the default device
    features, labels = airfoil(n)  # (n, 5), (n,)
    data_iter = load_array(
        (np.array(features, ctx=device), np.array(labels, ctx=device)),
        batch_size, is_train=True)
    return data_iter, features.shape[1]


def airfoil_tensors(n=1500, device=None):
    """The standardised airfoil features and labels: (n, 5), (n,)."""
    return get_data_ch11(batch_size=n, n=n, device=device)[0].tensors
