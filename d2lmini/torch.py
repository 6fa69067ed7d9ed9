"""d2lmini for PyTorch, as the book imports it::

    from d2lmini import torch as d2l

The shared, framework-free names come from the core modules; the rest from
the PyTorch modules (device, loader, train)."""

try:
    import torch  # noqa: F401 (the modules below import it too)
except ImportError as e:
    raise ImportError(
        f'd2lmini.torch needs PyTorch ({e}): pip install "d2lmini[torch]", '
        f'or see https://pytorch.org for the build for your machine'
    ) from e

from . import checks
from .book import Words, glue
from .data import (
    DATA_HUB,
    DATA_URL,
    ChecksumError,
    DownloadError,
    airfoil,
    data_dir,
    download,
    read_airfoil,
    sha1sum,
)
from .device import (
    Timer,
    accelerator,
    default_device,
    device_name,
    devices,
    large_matmul_gflops,
    parse_device,
    set_seed,
    synchronize,
    time_each,
    time_it,
    try_gpu,
    zeros,
)
from .loader import ArrayLoader, airfoil_tensors, get_data_ch11, load_array
from .loop import (
    examples_per_epoch,
    features_of,
    full_data,
    record_due,
    record_points,
    train_loop,
)
from .matmul import gflops, matmul_flops
from .plotting import (
    Animator,
    plot,
    set_axes,
    set_figsize,
    use_cjk_font,
    use_svg_display,
)
from .stats import (
    gap_words,
    line_fit,
    mean_gap,
    measurable,
    ratio_words,
    slope_words,
)
from .sysinfo import cache_sizes, smallest_cache
from .train import (
    evaluate_loss,
    init_params,
    linear_model,
    linreg,
    sgd,
    squared_loss,
    train_ch11,
    train_concise_ch11,
)

__all__ = [name for name in dir() if not name.startswith('_')]


def __getattr__(name):
    """`d2l.plt` is matplotlib.pyplot, imported on first use (it is slow to
    import)."""
    if name == 'plt':
        import matplotlib.pyplot

        return matplotlib.pyplot
    raise AttributeError(f'module {__name__!r} has no attribute {name!r}')
