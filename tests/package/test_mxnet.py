"""d2lmini.mxnet, tested in the MXNet environment: MXNet needs an older
Python and numpy (d2lmini/core/registry.py), so it cannot be imported here.
The tests themselves are in mxnet_cases.py; this runs them once with the
MXNet environment's Python and reports each of them as a test of its
own."""

import ast
import json
import os
import subprocess
import sys
from pathlib import Path
from xml.etree import ElementTree

import pytest

from d2lmini.core.registry import FRAMEWORKS
from tests.helpers import ROOT

MXNET = FRAMEWORKS['mxnet']


def environment_python(framework):
    """The Python of a framework's own environment: the one of its Jupyter
    kernel, else $D2LMINI_<NAME>_PYTHON; without either the test skips (a
    failure under CI=true)."""
    f = FRAMEWORKS[framework]
    variable = f'D2LMINI_{f.name.upper()}_PYTHON'
    jupyter = Path(sys.executable).parent / 'jupyter'
    listed = subprocess.run(
        [str(jupyter), 'kernelspec', 'list', '--json'],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert listed.returncode == 0, listed.stderr
    spec = json.loads(listed.stdout)['kernelspecs'].get(f.kernel)
    if spec is not None:
        python, source = spec['spec']['argv'][0], f'the {f.kernel} kernel'
    elif os.environ.get(variable):
        python, source = os.environ[variable], f'${variable}'
    else:  # a skip, which fails the run under CI=true (tests/conftest.py)
        pytest.skip(
            f"needs {f.display}'s environment: there is no Jupyter kernel "
            f'{f.kernel!r} and {variable} is not set. `make book` creates '
            f'the environment ({f.environment}, with {f.python}) and its '
            f'kernel; or point {variable} at a Python that has '
            f'{", ".join(f.pins)} and d2lmini'
        )
    if not Path(python).is_file():
        pytest.fail(
            f'the {f.display} Python {python}, from {source}, does not '
            f'exist; `make book` creates its environment again'
        )
    return python


# MXNet's own cases, and the cases every framework shares.
FILES = ['mxnet_cases', 'test_framework_cases']
CASES = [
    (file, node.name)
    for file in FILES
    for node in ast.parse(
        (ROOT / 'tests' / 'package' / f'{file}.py').read_text()
    ).body
    if isinstance(node, ast.FunctionDef) and node.name.startswith('test_')
]


@pytest.fixture(scope='module')
def mxnet_results(tmp_path_factory):
    """{(file, case id): (outcome, details)} of one pytest run of FILES in
    the MXNet environment."""
    report = tmp_path_factory.mktemp('mxnet') / 'report.xml'
    # --noconftest: tests/conftest.py imports this environment's packages.
    result = subprocess.run(
        [
            environment_python('mxnet'),
            '-m',
            'pytest',
            *(f'tests/package/{file}.py' for file in FILES),
            '-p',
            'no:cacheprovider',
            '--noconftest',
            '-q',
            f'--junitxml={report}',
        ],
        cwd=ROOT,
        env={**os.environ, 'MPLBACKEND': 'Agg'},
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert report.is_file(), result.stdout[-5000:] + result.stderr[-3000:]
    results = {}
    for case in ElementTree.parse(report).iter('testcase'):
        problem = next(
            (c for c in case if c.tag in ('failure', 'error', 'skipped')), None
        )
        if problem is None:
            outcome = ('passed', '')
        else:
            outcome = (problem.tag, problem.text or problem.get('message', ''))
        file = case.get('classname').rpartition('.')[2]
        results[file, case.get('name')] = outcome
    return results


@pytest.mark.parametrize(
    'file, case', CASES, ids=[f'{file}::{case}' for file, case in CASES]
)
def test_mxnet_case(mxnet_results, file, case):
    runs = {
        name: result
        for (where, name), result in mxnet_results.items()
        if where == file and (name == case or name.startswith(case + '['))
    }
    assert runs, f'{file}::{case} did not run in the MXNet environment'
    for name, (outcome, details) in runs.items():
        assert outcome == 'passed', f'{name}: {outcome}\n{details[-3000:]}'


def test_every_mxnet_case_is_reported_by_name(mxnet_results):
    stray = [
        (file, name)
        for file, name in mxnet_results
        if (file, name.split('[')[0]) not in CASES
    ]
    assert stray == []
