"""d2lmini.mxnet, tested in the MXNet environment: MXNet 1.9.1 needs Python
<= 3.11 and numpy 1.23.5, so it cannot be imported here. The tests themselves
are in mxnet_cases.py; this runs them with the MXNet environment's Python."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import ROOT

KERNEL = 'd2lmini-mxnet'  # the Jupyter kernel that `make book` installs


def mxnet_python():
    """The MXNet environment's Python: the one of the d2lmini-mxnet Jupyter
    kernel, else $D2LMINI_MXNET_PYTHON; without either the test skips (a
    failure under CI=true)."""
    jupyter = Path(sys.executable).parent / 'jupyter'
    listed = subprocess.run(
        [str(jupyter), 'kernelspec', 'list', '--json'],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert listed.returncode == 0, listed.stderr
    spec = json.loads(listed.stdout)['kernelspecs'].get(KERNEL)
    if spec is not None:
        python, source = spec['spec']['argv'][0], f'the {KERNEL} kernel'
    elif os.environ.get('D2LMINI_MXNET_PYTHON'):
        python = os.environ['D2LMINI_MXNET_PYTHON']
        source = '$D2LMINI_MXNET_PYTHON'
    else:  # a skip, which fails the run under CI=true (tests/conftest.py)
        pytest.skip(
            f'needs MXNet\'s environment: there is no Jupyter kernel {KERNEL!r} and '
            f'D2LMINI_MXNET_PYTHON is not set. `make book` creates the MXNet '
            f'environment (.venv-mxnet, with Python 3.11 or older) and its '
            f'kernel; or point D2LMINI_MXNET_PYTHON at a Python that has '
            f'mxnet==1.9.1, numpy==1.23.5 and d2lmini'
        )
    if not Path(python).is_file():
        pytest.fail(
            f'the MXNet Python {python}, from {source}, does not exist; '
            f'`make book` creates the MXNet environment again'
        )
    return python


def test_d2lmini_mxnet_in_the_mxnet_environment():
    # --noconftest: tests/conftest.py imports this environment's packages.
    result = subprocess.run(
        [
            mxnet_python(),
            '-m',
            'pytest',
            'tests/package/mxnet_cases.py',
            '-p',
            'no:cacheprovider',
            '--noconftest',
            '-q',
        ],
        cwd=ROOT,
        env={**os.environ, 'MPLBACKEND': 'Agg'},
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, (
        result.stdout[-5000:] + result.stderr[-3000:]
    )
    assert ' passed' in result.stdout and 'skipped' not in result.stdout
