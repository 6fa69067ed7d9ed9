"""The d2l book's own code runs unchanged with d2lmini as `d2l`, in every
framework: the minibatch SGD section (vendored per framework in
tests/d2l_section/), and, in PyTorch, Adadelta and Adam from the sections
after it. Each runs as one script, in the framework's own environment and
with its kernel's variables (d2lmini/core/registry.py)."""

import importlib.util
import os
import re
import subprocess
import sys

import pytest

from d2lmini.core.registry import FRAMEWORKS
from tests.helpers import ROOT
from tests.package.test_mxnet import environment_python

SECTIONS = ROOT / 'tests' / 'd2l_section'  # vendored, MIT-0
CELL = re.compile(r'```\{\.python \.input\}\n(.*?)```', re.S)
LOSS = re.compile(r'loss: ([\d.]+), [\d.e+-]+ sec/epoch')
# The element-wise product: 65,536 sliced assignments of a dot product, each
# several eager calls, which take minutes in TensorFlow on two cores. 16 of
# its 256 rows show the same per-element cost.
ELEMENT_LOOP = 'for i in range(256):\n    for j in range(256):'
SHORT_LOOP = 'for i in range(16):\n    for j in range(256):'


def cells(text, framework):
    """The code of every input cell that `framework` runs (tagged with it or
    `all`; in d2l's sources an untagged cell is MXNet's), as d2lmini code."""
    f = FRAMEWORKS[framework]
    ours = 'import d2lmini as d2l' if framework == 'pytorch' else (
        f'from d2lmini import {f.adapter} as d2l'
    )  # fmt: skip
    found = []
    for code in CELL.findall(text):
        first = code.split('\n', 1)[0].strip()
        tag = (
            first.removeprefix('#@tab ')
            if first.startswith('#@tab')
            else 'mxnet'
        )
        if tag not in (framework, 'all'):
            continue
        lines = [
            l for l in code.splitlines() if not l.startswith('%matplotlib')
        ]
        theirs = f'from d2l import {f.adapter} as d2l'
        found.append('\n'.join(lines).replace(theirs, ours))
    return found


def run(script, framework, tmp_path):
    """Run `script` as `framework`'s kernel would; return its stdout."""
    f = FRAMEWORKS[framework]
    here = importlib.util.find_spec(f.module) is not None
    (tmp_path / 'section.py').write_text(script, encoding='utf-8')
    result = subprocess.run(
        [
            sys.executable if here else environment_python(framework),
            'section.py',
        ],
        cwd=tmp_path,
        env={**os.environ, 'MPLBACKEND': 'Agg', **dict(f.kernel_env)},
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, (
        result.stdout[-3000:] + result.stderr[-3000:]
    )
    assert result.stderr == '', result.stderr  # no warnings either
    return result.stdout


@pytest.mark.parametrize('framework', list(FRAMEWORKS))
def test_the_minibatch_sgd_sections_code_runs(framework, tmp_path):
    section = SECTIONS / f'minibatch_sgd_{framework}.md'
    found = cells(section.read_text(encoding='utf-8'), framework)
    assert len(found) == 15
    script = '\n\n'.join(found)
    assert 'from d2l ' not in script and script.count(ELEMENT_LOOP) == 1
    out = run(script.replace(ELEMENT_LOOP, SHORT_LOOP), framework, tmp_path)
    assert out.count('performance in Gigaflops') == 2, out
    # four train_sgd runs and one concise run print their final loss
    losses = [float(v) for v in LOSS.findall(out)]
    assert len(losses) == 5, out
    assert all(0.23 <= v <= 0.26 for v in losses), out


def test_adadelta_and_adam_from_the_later_sections_run(tmp_path):
    # Adadelta's hyperparams have no 'lr'; its states come from d2l.zeros.
    found = cells((SECTIONS / 'later_optimizers.md').read_text(), 'pytorch')
    assert len(found) == 4
    out = run('\n\n'.join(found), 'pytorch', tmp_path)
    losses = [float(v) for v in LOSS.findall(out)]
    assert len(losses) == 4, out  # scratch and concise, Adadelta and Adam
    assert all(0.2 < v < 0.3 for v in losses), out
