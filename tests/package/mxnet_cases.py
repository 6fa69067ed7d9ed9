"""What is MXNet's alone in d2lmini.mxnet, against independent references
(Gluon's own loader, its trainer); the tests that every framework shares
are in test_framework_cases.py. Both run inside the MXNet environment (MXNet
needs the older Python and numpy that d2lmini/core/registry.py names), not
in the main test run: tests/package/test_mxnet.py runs them there with

    <mxnet python> -m pytest tests/package/mxnet_cases.py \
        tests/package/test_framework_cases.py --noconftest

(--noconftest: tests/conftest.py imports the main environment's packages)."""

import re

import numpy as onp  # the real NumPy; np is MXNet's, as in d2l
import pytest

# d2lmini.mxnet first: it imports MXNet without the DeprecationWarnings of
# MXNet's own modules, which filterwarnings = error would make errors here.
from d2lmini import mxnet as d2l

# isort: split
from mxnet import np, npx

from d2lmini.core.registry import FRAMEWORKS
from tests.package.test_framework_cases import KITS, run_python
from tests.package.test_framework_cases import toy_loader as kit_loader

npx.set_np()
KIT = KITS['mxnet']('mxnet')


def toy_loader(**kwargs):
    """test_framework_cases.toy_loader, with MXNet's arrays."""
    return kit_loader(KIT, **kwargs)


# Importing.
def test_without_mxnet_the_import_error_says_why_and_the_fix():
    result = run_python(
        "import sys\nsys.modules['mxnet'] = None\nimport d2lmini.mxnet\n"
    )
    assert result.returncode != 0
    message = result.stderr.strip().splitlines()[-1]
    mxnet = FRAMEWORKS['mxnet']
    assert message.startswith(
        f'ImportError: d2lmini.mxnet needs {mxnet.release}'
    )
    assert mxnet.python in message and mxnet.pip in message


# Minibatches.


@pytest.mark.parametrize('is_train', [True, False])
def test_changing_a_batch_in_place_leaves_the_data_alone(is_train):
    loader = toy_loader(n=20, batch_size=5, is_train=is_train)
    before = loader.tensors[0].asnumpy()
    for X, _ in loader:
        X[:] = 0
    onp.testing.assert_array_equal(loader.tensors[0].asnumpy(), before)


def test_numpy_and_legacy_ndarray_inputs_become_mxnet_numpy_arrays():
    import mxnet

    X = onp.arange(12, dtype=onp.float32).reshape(6, 2)
    loader = d2l.load_array((X, mxnet.nd.arange(6)), 4, is_train=False)
    Xb, yb = next(iter(loader))
    assert isinstance(Xb, np.ndarray) and isinstance(yb, np.ndarray)
    onp.testing.assert_array_equal(Xb.asnumpy(), X[:4])


# Training.


# Timing and devices.
def test_timer_waits_for_mxnet_at_start_and_stop(monkeypatch):
    waits = []
    monkeypatch.setattr(npx, 'waitall', lambda: waits.append(1))
    timer = d2l.Timer()
    assert len(waits) == 1
    timer.stop()
    assert len(waits) == 2
    t = d2l.time_it(lambda: None, repeats=3, warmup=1)
    # one wait as the timer is made, then one at each start and stop
    assert len(t.times) == 3 and len(waits) == 2 + 1 + 2 * 3


def test_default_device_is_the_first_gpu_else_the_cpu(monkeypatch):
    monkeypatch.delenv('D2LMINI_DEVICE', raising=False)
    monkeypatch.setattr(npx, 'num_gpus', lambda: 0)
    assert d2l.default_device() == npx.cpu() == d2l.try_gpu()
    monkeypatch.setattr(npx, 'num_gpus', lambda: 2)
    assert d2l.default_device() == npx.gpu(0)
    assert [d2l.try_gpu(i) for i in range(3)] == [
        npx.gpu(0),
        npx.gpu(1),
        npx.cpu(),
    ]


@pytest.mark.parametrize(
    'name, index',
    [('gpu', 0), ('gpu:1', 1), ('gpu(1)', 1), ('cuda:1', 1), ('GPU:0', 0)],
)
def test_gpu_names(monkeypatch, name, index):
    monkeypatch.setattr(npx, 'num_gpus', lambda: 2)
    assert d2l.parse_device(name) == npx.gpu(index)


def test_bad_names_say_what_there_is(monkeypatch):
    monkeypatch.setattr(npx, 'num_gpus', lambda: 0)
    for name in ('mps', 'gpu(1', 'gpu:1)', 'gpu:x', ''):
        with pytest.raises(
            ValueError, match=re.escape(f'unknown device {name!r}')
        ):
            d2l.parse_device(name)
    assert d2l.parse_device(npx.cpu()) == d2l.parse_device('cpu(0)')


# Gluing into the book.
