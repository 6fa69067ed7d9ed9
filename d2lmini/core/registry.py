"""What the book knows about each framework, written once: its names, its
Jupyter kernel and environment, its pip extra, and where it cannot run.

The Makefile reads it with a small command, from the repository's root:

    python -m d2lmini.core.registry mxnet kernel     # d2lmini-mxnet
    python -m d2lmini.core.registry mxnet fits       # exit 0: this Python can
"""

import sys
from dataclasses import dataclass


@dataclass(frozen=True)
class Framework:
    name: str  # a cell's tag, a notebook's suffix: minibatch_sgd-tensorflow
    display: str  # what a reader sees: a tab's title
    adapter: str  # `from d2lmini import <adapter> as d2l`
    module: str  # what `import` names
    extra: str  # pip install "d2lmini[<extra>]"
    kernel: str  # the Jupyter kernel that runs its notebooks
    kernel_env: tuple = ()  # (name, value) pairs its kernel sets
    environment: str = ''  # its own virtual environment; '' for the book's
    pins: tuple = ()  # the exact versions it needs, for pip
    max_python: tuple = ()  # the newest Python it runs on; () for any
    why: str = ''  # why it has those limits

    @property
    def release(self):
        """'MXNet 1.9.1' where a version is pinned, else 'PyTorch'."""
        pinned = [p for p in self.pins if p.startswith(self.module + '==')]
        version = pinned[0].partition('==')[2] if pinned else ''
        return f'{self.display} {version}'.strip()

    @property
    def kernel_display(self):
        """Its kernel's name in Jupyter's menus: 'MXNet 1.9.1 (d2lmini)'."""
        if self.kernel == 'python3':  # ipykernel's own
            return 'Python 3 (ipykernel)'
        return f'{self.release} (d2lmini)'

    @property
    def python(self):
        """'Python 3.11 or older', or '' for any Python."""
        newest = '.'.join(map(str, self.max_python))
        return f'Python {newest} or older' if self.max_python else ''

    @property
    def pip(self):
        """The pip command that installs its pinned versions, or ''."""
        return 'pip install ' + ' '.join(self.pins) if self.pins else ''

    @property
    def no_colab(self):
        """Why Colab cannot run it; '' when it can."""
        if not self.max_python:
            return ''
        return (
            f"{self.release} runs on {self.python}, and Colab's Python is "
            'newer'
        )

    def fits(self, version=sys.version_info):
        """True if a Python of `version` can run it."""
        return not self.max_python or version[:2] <= self.max_python


FRAMEWORKS = {
    f.name: f
    for f in (
        Framework(
            'pytorch', 'PyTorch', 'torch', 'torch', 'torch', 'python3',
        ),
        Framework(
            'tensorflow', 'TensorFlow', 'tensorflow', 'tensorflow',
            'tensorflow', 'd2lmini-tensorflow',
            # Its C++ start-up lines on stderr would fail the strict build:
            # C++ errors only, and no oneDNN notice (printed at any level).
            kernel_env=(
                ('TF_CPP_MIN_LOG_LEVEL', '2'), ('TF_ENABLE_ONEDNN_OPTS', '0'),
            ),
        ),
        Framework(
            'mxnet', 'MXNet', 'mxnet', 'mxnet', 'mxnet',
            'd2lmini-mxnet',
            environment='.venv-mxnet',
            pins=('mxnet==1.9.1', 'numpy==1.23.5'),
            max_python=(3, 11),
            why='later numpy removed names it uses, and numpy 1.23.5 has no '
            'wheels past Python 3.11',
        ),
    )
}  # fmt: skip


def fact(name, field):
    """One fact as the Makefile reads it: a string, a version as '3.11', or
    `kernel_env` as ipykernel's `--env NAME VALUE` arguments."""
    value = getattr(FRAMEWORKS[name], field)
    if field == 'kernel_env':
        return ' '.join(f'--env {k} {v}' for k, v in value)
    if field == 'max_python':
        return '.'.join(map(str, value))
    return str(value)


def main(argv):
    if len(argv) != 2 or argv[0] not in FRAMEWORKS:
        sys.exit(
            f'usage: python -m d2lmini.core.registry FRAMEWORK FIELD|fits; '
            f'FRAMEWORK is one of {", ".join(FRAMEWORKS)}'
        )
    name, field = argv
    if field == 'fits':
        sys.exit(0 if FRAMEWORKS[name].fits() else 1)
    print(fact(name, field))


if __name__ == '__main__':
    main(sys.argv[1:])
