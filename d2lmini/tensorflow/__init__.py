"""d2lmini for TensorFlow, as the book imports it::

    from d2lmini import tensorflow as d2l

The framework-free names come from the core; the rest from this adapter's
modules, the same in every framework (d2lmini/core/contract.py)."""

import os
import platform


def _install_hint():
    """The pip command that installs TensorFlow on this machine."""
    if platform.system() != 'Linux':
        return 'pip install tensorflow'
    if os.path.exists('/dev/nvidiactl'):  # an NVIDIA driver is loaded
        return "pip install 'tensorflow[and-cuda]'"
    return 'pip install tensorflow-cpu  (no GPU: the smaller CPU-only build)'


try:
    import tensorflow  # noqa: F401 (the modules below import it too)
except ModuleNotFoundError as e:
    if e.name != 'tensorflow':
        raise  # TensorFlow is there, but something it imports is missing
    raise ImportError(
        f'd2lmini.tensorflow needs TensorFlow, which is not installed; '
        f'install it with: {_install_hint()}',
        name='tensorflow',
    ) from None


from ..core import contract, shared  # noqa: E402
from ..core.shared import *  # noqa: E402, F403
from .data import *  # noqa: E402, F403
from .device import *  # noqa: E402, F403
from .train import *  # noqa: E402, F403

__all__ = shared.__all__ + contract.names()
__getattr__ = shared.pyplot_getattr(__name__)
