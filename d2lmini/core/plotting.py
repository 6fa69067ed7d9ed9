"""Plotting: d2l's set_figsize, plot and Animator, with SVG output that
shows once."""

import io
import sys
import time
from pathlib import Path

import matplotlib
from matplotlib import font_manager
from matplotlib.figure import Figure

WHITE = {
    'figure.facecolor': 'white',
    'axes.facecolor': 'white',
    'savefig.facecolor': 'white',
    'savefig.transparent': False,
}


def _shell():
    """The running IPython shell, or None; never starts one (a script stays a
    script, with no IPython history file left behind)."""
    IPython = sys.modules.get('IPython')
    return IPython.get_ipython() if IPython is not None else None


def in_notebook():
    """True in a Jupyter kernel that shows displays: JupyterLab, VS Code,
    Colab (a subclass of the kernel shell), nbclient during a book build."""
    shell = _shell()
    return shell is not None and any(
        cls.__name__ == 'ZMQInteractiveShell' for cls in type(shell).__mro__
    )


def use_svg_display():
    """Use the svg format to display a plot in Jupyter, on an opaque white
    background."""
    if _shell() is not None:
        try:
            from matplotlib_inline import backend_inline

            backend_inline.set_matplotlib_formats('svg')
        except ImportError:  # an IPython without the inline backend
            pass
    matplotlib.rcParams.update(WHITE)


CJK_FONT = Path(__file__).parents[1] / 'fonts' / 'NotoSansCJKsc-d2lmini.otf'


def use_cjk_font():
    """Draw CJK characters with the font that ships with d2lmini (Noto Sans
    CJK SC, cut down to the Chinese chapter's characters); return its name.

    The shipped font is used even where a CJK font is installed, so the
    figures come out the same on every machine."""
    known = {f.fname for f in font_manager.fontManager.ttflist}
    if str(CJK_FONT) not in known:
        font_manager.fontManager.addfont(str(CJK_FONT))
    name = font_manager.FontProperties(fname=CJK_FONT).get_name()
    # matplotlib falls back along font.family, glyph by glyph.
    family = [f for f in matplotlib.rcParams['font.family'] if f != name]
    matplotlib.rcParams['font.family'] = family + [name]
    return name


def set_figsize(figsize=(3.5, 2.5)):
    """Set the figure size for matplotlib."""
    use_svg_display()
    matplotlib.rcParams['figure.figsize'] = figsize


def set_axes(axes, xlabel, ylabel, xlim, ylim, xscale, yscale, legend):
    """Set the axes for matplotlib."""
    axes.set_xlabel(xlabel)
    axes.set_ylabel(ylabel)
    axes.set_xscale(xscale)
    axes.set_yscale(yscale)
    if xlim is not None:
        axes.set_xlim(xlim)
    if ylim is not None:
        axes.set_ylim(ylim)
    if legend:
        axes.legend(legend)
    axes.grid()


def _has_one_axis(X):
    return (
        hasattr(X, 'ndim')
        and X.ndim == 1
        or isinstance(X, list)
        and not hasattr(X[0], '__len__')
    )


def _draw_lines(axes, X, Y, fmts):
    if _has_one_axis(X):
        X = [X]
    if Y is None:
        X, Y = [[]] * len(X), X
    elif _has_one_axis(Y):
        Y = [Y]
    if len(X) != len(Y):
        X = X * len(Y)
    for i, (x, y) in enumerate(zip(X, Y)):
        fmt = fmts[i % len(fmts)]
        axes.plot(x, y, fmt) if len(x) else axes.plot(y, fmt)


def plot(
    X,
    Y=None,
    xlabel=None,
    ylabel=None,
    legend=None,
    xlim=None,
    ylim=None,
    xscale='linear',
    yscale='linear',
    fmts=('-', 'm--', 'g-.', 'r:'),
    figsize=None,
    axes=None,
):
    """Plot data points; figsize=None keeps the size set by set_figsize."""
    if figsize is not None:
        set_figsize(figsize)
    else:
        use_svg_display()
    if axes is None:
        # pyplot only when plotting: fast imports elsewhere
        import matplotlib.pyplot as plt

        axes = plt.gca()
    axes.cla()
    _draw_lines(axes, X, Y, fmts)
    set_axes(axes, xlabel, ylabel, xlim, ylim, xscale, yscale, legend)


class SVGFigure:
    """A Figure shown by Jupyter as SVG, with no '<Figure ...>' text."""

    def __init__(self, fig):
        self.fig = fig

    def _repr_svg_(self):
        buf = io.StringIO()
        self.fig.savefig(
            buf,
            format='svg',
            bbox_inches='tight',
            facecolor='white',
            transparent=False,
        )
        return buf.getvalue()

    def __repr__(self):
        return 'Animator figure'


class Animator:
    """For plotting data in animation."""

    def __init__(
        self,
        xlabel=None,
        ylabel=None,
        legend=None,
        xlim=None,
        ylim=None,
        xscale='linear',
        yscale='linear',
        fmts=('-', 'm--', 'g-.', 'r:'),
        nrows=1,
        ncols=1,
        figsize=(3.5, 2.5),
        redraw_every=0.0,
    ):
        # A Figure outside pyplot, so the inline backend never shows a
        # second copy.
        self.fig = Figure(figsize=figsize, facecolor='white')
        self.axes = list(
            self.fig.subplots(nrows, ncols, squeeze=False).ravel()
        )
        self.config_axes = lambda: set_axes(
            self.axes[0], xlabel, ylabel, xlim, ylim, xscale, yscale, legend
        )
        self.X, self.Y, self.fmts = None, None, fmts
        self._handle = None
        # Seconds between redraws in a notebook; 0 redraws at every add.
        self.redraw_every = redraw_every
        self._shown, self._pending = time.perf_counter(), False

    def add(self, x, y):
        """Add one point (or one per line, if y is a tuple) and redraw, if
        `redraw_every` seconds have passed since the last redraw."""
        if not hasattr(y, '__len__'):
            y = [y]
        n = len(y)
        if not hasattr(x, '__len__'):
            x = [x] * n
        if not self.X:
            self.X = [[] for _ in range(n)]
        if not self.Y:
            self.Y = [[] for _ in range(n)]
        for i, (a, b) in enumerate(zip(x, y)):
            if a is not None and b is not None:
                self.X[i].append(a)
                self.Y[i].append(b)
        self._pending = True
        due = time.perf_counter() - self._shown >= self.redraw_every
        if due and in_notebook():
            self.show()

    def flush(self):
        """Show the points added since the last redraw, in a notebook."""
        if self._pending and in_notebook():
            self.show()

    def draw(self):
        """Redraw the lines on the figure."""
        self.axes[0].cla()
        for i, (x, y) in enumerate(zip(self.X or [], self.Y or [])):
            self.axes[0].plot(x, y, self.fmts[i % len(self.fmts)])
        self.config_axes()
        return self.fig

    def show(self):
        """Show the figure, replacing the one this Animator showed before."""
        from IPython.display import display

        self.draw()
        if self._handle is None:
            self._handle = display(SVGFigure(self.fig), display_id=True)
        else:
            self._handle.update(SVGFigure(self.fig))
        self._shown, self._pending = time.perf_counter(), False
