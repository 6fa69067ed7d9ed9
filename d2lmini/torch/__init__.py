"""d2lmini for PyTorch, as the book imports it::

    from d2lmini import torch as d2l

The framework-free names come from the core; the rest from this adapter's
modules, the same in every framework (d2lmini/core/contract.py)."""

from ..core import contract, shared
from ..core.checks import need

need(
    'torch',
    'd2lmini.torch needs PyTorch',
    'pip install "d2lmini[torch]", or see https://pytorch.org for the '
    'build for your machine',
)

from ..core.shared import *  # noqa: E402, F403
from .data import *  # noqa: E402, F403
from .device import *  # noqa: E402, F403
from .train import *  # noqa: E402, F403

__all__ = shared.__all__ + contract.names()
__getattr__ = shared.pyplot_getattr(__name__)
