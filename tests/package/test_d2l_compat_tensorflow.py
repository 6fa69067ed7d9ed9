"""The d2l book's own TensorFlow code for the minibatch SGD section runs
unchanged with `from d2lmini import tensorflow as d2l`."""

import importlib.util
import os
import re
import subprocess
import sys

import pytest

from tests.helpers import ROOT

# The section runs in a subprocess: this one need not import TensorFlow.
pytestmark = pytest.mark.skipif(
    importlib.util.find_spec('tensorflow') is None,
    reason='needs TensorFlow: pip install "d2lmini[tensorflow]"',
)

SECTION = ROOT / 'tests' / 'd2l_section' / 'minibatch_sgd_tensorflow.md'
CELL = re.compile(r'```\{\.python \.input\}\n(.*?)```', re.S)
LOSS = re.compile(r'loss: ([\d.]+), [\d.e+-]+ sec/epoch')
# The element-wise product runs 65,536 sliced assignments of a tf.tensordot,
# each several eager TensorFlow calls: 1.5 to 9 minutes on two cores. 16 of
# its 256 rows show the same per-element cost.
ELEMENT_LOOP = 'for i in range(256):\n    for j in range(256):'
SHORT_LOOP = 'for i in range(16):\n    for j in range(256):'
# TF_CPP_MIN_LOG_LEVEL=2: no INFO or WARNING lines from TensorFlow's C++
# logging. TF_ENABLE_ONEDNN_OPTS=0: no "oneDNN custom operations are on"
# line, which TensorFlow prints whatever the log level.
TF_QUIET = {'TF_CPP_MIN_LOG_LEVEL': '2', 'TF_ENABLE_ONEDNN_OPTS': '0'}


def tensorflow_cells(text):
    """The code of every input cell tagged `#@tab tensorflow` or `#@tab all`,
    as d2lmini code."""
    cells = []
    for code in CELL.findall(text):
        lines = code.splitlines()
        if lines and lines[0].strip() in ('#@tab tensorflow', '#@tab all'):
            code = '\n'.join(
                line for line in lines if not line.startswith('%matplotlib')
            )
            cells.append(
                code.replace(
                    'from d2l import tensorflow as d2l',
                    'from d2lmini import tensorflow as d2l',
                )
            )
    return cells


def test_the_minibatch_sgd_sections_tensorflow_code_runs(tmp_path):
    cells = tensorflow_cells(SECTION.read_text(encoding='utf-8'))
    assert len(cells) == 15
    script = '\n\n'.join(cells)
    assert script.count(ELEMENT_LOOP) == 1
    script = script.replace(ELEMENT_LOOP, SHORT_LOOP)
    assert 'from d2l ' not in script
    assert 'from d2lmini import tensorflow as d2l' in script
    (tmp_path / 'section.py').write_text(script, encoding='utf-8')
    result = subprocess.run(
        [sys.executable, 'section.py'],
        cwd=tmp_path,
        env={**os.environ, 'MPLBACKEND': 'Agg', **TF_QUIET},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, (
        result.stdout[-3000:] + result.stderr[-3000:]
    )
    assert result.stderr == '', result.stderr  # no warnings either
    out = result.stdout
    assert out.count('performance in Gigaflops') == 2, out
    # four train_sgd runs and one concise run print their final loss
    losses = [float(v) for v in LOSS.findall(out)]
    assert len(losses) == 5, out
    assert all(0.23 <= v <= 0.26 for v in losses), out
