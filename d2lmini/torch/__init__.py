"""d2lmini for PyTorch, as the book imports it::

    from d2lmini import torch as d2l

The framework-free names come from the core; the rest from this adapter's
modules, the same in every framework (d2lmini/core/contract.py)."""

try:
    import torch  # noqa: F401 (the modules below import it too)
except ImportError as e:
    raise ImportError(
        f'd2lmini.torch needs PyTorch ({e}): pip install "d2lmini[torch]", '
        f'or see https://pytorch.org for the build for your machine'
    ) from e

from ..core import contract, shared
from ..core.shared import *  # noqa: F403
from .data import *  # noqa: F403
from .device import *  # noqa: F403
from .train import *  # noqa: F403

__all__ = shared.__all__ + contract.names()
__getattr__ = shared.pyplot_getattr(__name__)
