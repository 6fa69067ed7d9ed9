"""PyTorch minibatches of in-memory tensors, indexed a batch at a time, and
the airfoil data as such batches."""

import torch

from ..core import checks
from ..core.contract import names
from ..core.data import airfoil
from ..core.loader import Batches
from .device import parse_device

__all__ = names('data')


class ArrayLoader(Batches):
    """Minibatches of in-memory tensors, indexed a whole batch at a time."""

    def __init__(self, tensors, batch_size, shuffle=True, generator=None):
        super().__init__(tensors, batch_size, shuffle)
        self.generator = generator

    @property
    def device(self):
        return self.tensors[0].device

    def order(self):
        """This epoch's example indices: a fresh permutation."""
        gen = self.generator
        device = gen.device if gen is not None else self.device
        return torch.randperm(self.num_examples, generator=gen, device=device)

    def gather(self, t, idx):
        return (
            t.clone() if idx is None else t.index_select(0, idx.to(t.device))
        )

    def split(self, t):
        return torch.split(t, self.batch_size)  # views, made in one call


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


def get_data_ch11(batch_size=10, n=1500, device=None):
    """The airfoil data, standardised per column: (data_iter, feature_dim)."""
    device = parse_device(device)  # None: the default device
    features, labels = airfoil(n)  # (n, 5), (n,)
    data_iter = load_array(
        (torch.tensor(features, device=device),
         torch.tensor(labels, device=device)),
        batch_size, is_train=True)
    return data_iter, features.shape[1]


def airfoil_tensors(n=1500, device=None):
    """The standardised airfoil features and labels: (n, 5), (n,)."""
    return get_data_ch11(batch_size=n, n=n, device=device)[0].tensors
