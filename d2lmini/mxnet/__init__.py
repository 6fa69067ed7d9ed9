"""d2lmini for MXNet, as the book imports it::

    from d2lmini import mxnet as d2l

with MXNet's NumPy interface (`from mxnet import np, npx; npx.set_np()`), as
in d2l's MXNet code. The framework-free names come from the core; the rest
from this adapter's modules, the same in every framework
(d2lmini/core/contract.py)."""

import warnings

from ..core.registry import FRAMEWORKS

try:
    with warnings.catch_warnings():
        # MXNet's own modules use names that NumPy and distutils have
        # deprecated since; the warnings are MXNet's, not the reader's.
        warnings.simplefilter('ignore', DeprecationWarning)
        import mxnet  # noqa: F401 (the modules below import it too)
        from mxnet import npx
except (ImportError, AttributeError, OSError) as e:  # numpy>=1.24: no np.bool
    f = FRAMEWORKS['mxnet']
    newest = '.'.join(map(str, f.max_python))
    raise ImportError(
        f'd2lmini.mxnet needs {f.release}, which failed to import ({e}). It '
        f'runs only with {" and ".join(f.pins)}, on {f.python}: {f.why}. '
        f'Make an environment for it, e.g. `python{newest} -m venv '
        f'{f.environment} && {f.environment}/bin/{f.pip}`, and run this '
        f'code there'
    ) from e

npx.set_np()  # MXNet's NumPy interface, which d2l's MXNet code uses

from ..core import contract, shared  # noqa: E402
from ..core.shared import *  # noqa: E402, F403
from .data import *  # noqa: E402, F403
from .device import *  # noqa: E402, F403
from .train import *  # noqa: E402, F403

__all__ = shared.__all__ + contract.names()
__getattr__ = shared.pyplot_getattr(__name__)
