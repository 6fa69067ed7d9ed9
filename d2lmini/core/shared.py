"""The framework-free names that every adapter re-exports, as d2l has them:
`from d2lmini import <framework> as d2l` gives these and the adapter's own."""

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
from .loop import (
    examples_per_epoch,
    features_of,
    full_data,
    record_due,
    record_points,
    train_loop,
)
from .matmul import gflops, matmul_flops
from .model import linreg
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

__all__ = [
    'checks', 'Words', 'glue',
    'DATA_HUB', 'DATA_URL', 'ChecksumError', 'DownloadError', 'airfoil',
    'data_dir', 'download', 'read_airfoil', 'sha1sum',
    'examples_per_epoch', 'features_of', 'full_data', 'record_due',
    'record_points', 'train_loop',
    'gflops', 'matmul_flops',
    'linreg',
    'Animator', 'plot', 'set_axes', 'set_figsize', 'use_cjk_font',
    'use_svg_display',
    'gap_words', 'line_fit', 'mean_gap', 'measurable', 'ratio_words',
    'slope_words',
    'cache_sizes', 'smallest_cache',
]  # fmt: skip


def pyplot_getattr(module):
    """A module `__getattr__` for `module`: `d2l.plt` is matplotlib.pyplot,
    imported on first use (it is slow to import)."""

    def __getattr__(name):
        if name == 'plt':
            import matplotlib.pyplot

            return matplotlib.pyplot
        raise AttributeError(f'module {module!r} has no attribute {name!r}')

    return __getattr__
