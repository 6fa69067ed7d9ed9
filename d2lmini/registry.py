"""What the book knows about each framework, written once: its names, its
Jupyter kernel, its pip extra, and where it cannot run."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Framework:
    name: str  # a cell's tag, a notebook's suffix: minibatch_sgd-tensorflow
    display: str  # what a reader sees: a tab's title
    adapter: str  # `from d2lmini import <adapter> as d2l`
    module: str  # what `import` names
    extra: str  # pip install "d2lmini[<extra>]"
    kernel: str  # the Jupyter kernel that runs its notebooks
    kernel_display: str
    max_python: tuple = ()  # the newest Python it runs on; () for any
    no_colab: str = ''  # why Colab cannot run it; '' when it can


FRAMEWORKS = {
    f.name: f
    for f in (
        Framework(
            'pytorch', 'PyTorch', 'torch', 'torch', 'torch',
            'python3', 'Python 3 (ipykernel)',
        ),
        Framework(
            'tensorflow', 'TensorFlow', 'tensorflow', 'tensorflow',
            'tensorflow', 'd2lmini-tensorflow', 'TensorFlow (d2lmini)',
        ),
        Framework(
            'mxnet', 'MXNet', 'mxnet', 'mxnet', 'mxnet',
            'd2lmini-mxnet', 'MXNet 1.9.1 (d2lmini)',
            max_python=(3, 11),
            no_colab='MXNet 1.9.1 runs on Python 3.11 or older, and '
            "Colab's Python is newer",
        ),
    )
}  # fmt: skip
