"""d2lmini: the d2l names that the minibatch SGD section uses, done right.

Use it where the book says ``from d2l import torch as d2l``::

    import d2lmini as d2l
"""

from . import checks
from .book import Words, glue
from .data import (
    DATA_HUB,
    DATA_URL,
    ArrayLoader,
    ChecksumError,
    DownloadError,
    airfoil_tensors,
    data_dir,
    download,
    get_data_ch11,
    load_array,
    read_airfoil,
    sha1sum,
)
from .device import (
    accelerator,
    default_device,
    device_name,
    devices,
    parse_device,
    set_seed,
    try_gpu,
    zeros,
)
from .matmul import gflops, large_matmul_gflops, matmul_flops
from .plotting import (
    Animator,
    plot,
    set_axes,
    set_figsize,
    use_cjk_font,
    use_svg_display,
)
from .sysinfo import cache_sizes, smallest_cache
from .timer import Timer, synchronize, time_each, time_it
from .train import (
    evaluate_loss,
    examples_per_epoch,
    features_of,
    init_params,
    linear_model,
    linreg,
    record_due,
    record_points,
    sgd,
    squared_loss,
    train_ch11,
    train_concise_ch11,
    train_loop,
)

__version__ = '0.2.0'


def __getattr__(name):
    """`d2l.plt` is matplotlib.pyplot, imported on first use (it is slow to
    import)."""
    if name == 'plt':
        import matplotlib.pyplot

        return matplotlib.pyplot
    raise AttributeError(f'module {__name__!r} has no attribute {name!r}')
