"""d2lmini: the d2l names that the minibatch SGD section uses, done right.

Import it as the book imports d2l, for one framework::

    from d2lmini import torch as d2l        # or tensorflow, or mxnet

`import d2lmini as d2l` means PyTorch. Nothing is imported until it is used,
so importing one framework's module never imports another framework.
"""

import importlib

__version__ = '0.3.0'


def __getattr__(name):
    """d2lmini.<module> imports that module; any other name is PyTorch's, as
    in d2lmini.torch."""
    if name.startswith('_'):  # IPython's _ipython_* and _repr_* probes
        raise AttributeError(f'module {__name__!r} has no attribute {name!r}')
    try:
        return importlib.import_module(f'{__name__}.{name}')
    except ModuleNotFoundError as e:
        if e.name != f'{__name__}.{name}':
            raise  # the module exists, but something it imports is missing
    return getattr(importlib.import_module(f'{__name__}.torch'), name)


def __dir__():
    return sorted(
        set(globals())
        | set(importlib.import_module(f'{__name__}.torch').__all__)
    )
