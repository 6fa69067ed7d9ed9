"""PyTorch minibatches of in-memory tensors, indexed a batch at a time, and
the airfoil data as such batches."""

import math

import torch

from ..core import checks
from ..core.contract import names
from ..core.data import airfoil
from ..core.loop import features_of
from .device import default_device, parse_device

__all__ = names('data')


class ArrayLoader:
    """Minibatches of in-memory tensors, indexed a whole batch at a time."""

    def __init__(self, tensors, batch_size, shuffle=True, generator=None):
        self.tensors = tensors
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.generator = generator

    @property
    def num_examples(self):
        return len(self.tensors[0])

    @property
    def device(self):
        return self.tensors[0].device

    def __len__(self):
        return math.ceil(self.num_examples / self.batch_size)

    def order(self):
        """This epoch's example indices: a fresh permutation, or None to keep
        the order."""
        if not self.shuffle:
            return None
        gen = self.generator
        return torch.randperm(
            self.num_examples,
            generator=gen,
            device=gen.device if gen is not None else self.device,
        )

    def __iter__(self):
        idx = self.order()
        # One gather (or one copy) per epoch, then every batch is a view of it:
        # changing a batch in place never changes the data.
        tensors = [
            t.index_select(0, idx.to(t.device))
            if idx is not None
            else t.clone()
            for t in self.tensors
        ]
        # torch.split makes all the batch views in one call: (batch, ...) each
        yield from zip(*(torch.split(t, self.batch_size) for t in tensors))


def load_array(data_arrays, batch_size, is_train=True, generator=None):
    """Construct a PyTorch data iterator."""
    batch_size = checks.positive_int('batch_size', batch_size)
    tensors = [torch.as_tensor(a) for a in data_arrays]
    checks.batchable(
        [len(t) for t in tensors], [str(t.device) for t in tensors]
    )
    return ArrayLoader(
        tensors, batch_size, shuffle=is_train, generator=generator
    )


def device_of(data_iter):
    """The device that holds a loader's data."""
    return features_of(data_iter).device


def get_data_ch11(batch_size=10, n=1500, device=None):
    """The airfoil data, standardised per column: (data_iter, feature_dim)."""
    device = default_device() if device is None else parse_device(str(device))
    features, labels = airfoil(n)  # (n, 5), (n,)
    data_iter = load_array(
        (
            torch.tensor(features, device=device),
            torch.tensor(labels, device=device),
        ),
        batch_size,
        is_train=True,
    )
    return data_iter, features.shape[1]


def airfoil_tensors(n=1500, device=None):
    """The standardised airfoil features and labels: (n, 5), (n,)."""
    return get_data_ch11(batch_size=n, n=n, device=device)[0].tensors
