"""The d2l book's own MXNet code for the minibatch SGD section runs unchanged
with `from d2lmini import mxnet as d2l`, in the MXNet environment."""

import os
import re
import subprocess

from tests.helpers import ROOT
from tests.package.test_mxnet import mxnet_python

SECTION = ROOT / 'tests' / 'd2l_section' / 'minibatch_sgd_mxnet.md'  # MIT-0
CELL = re.compile(r'```\{\.python \.input\}\n(.*?)```', re.S)
LOSS = re.compile(r'loss: ([\d.]+), [\d.e+-]+ sec/epoch')
# The element-wise product runs 65,536 dot products, each a few MXNet calls:
# about 85 s on two cores. 16 of its 256 rows show the same per-element cost.
ELEMENT_LOOP = 'for i in range(256):\n    for j in range(256):'
SHORT_LOOP = 'for i in range(16):\n    for j in range(256):'


def mxnet_cells(text):
    """The code of every input cell that MXNet runs (untagged, `#@tab mxnet`
    or `#@tab all`), as d2lmini code."""
    cells = []
    for code in CELL.findall(text):
        first = code.splitlines()[0].strip() if code.strip() else ''
        if first.startswith('#@tab') and first not in (
            '#@tab mxnet',
            '#@tab all',
        ):
            continue
        code = '\n'.join(
            line
            for line in code.splitlines()
            if not line.startswith('%matplotlib')
        )
        cells.append(
            code.replace(
                'from d2l import mxnet as d2l',
                'from d2lmini import mxnet as d2l',
            )
        )
    return cells


def test_the_minibatch_sgd_sections_mxnet_code_runs(tmp_path):
    cells = mxnet_cells(SECTION.read_text(encoding='utf-8'))
    assert len(cells) == 15
    script = '\n\n'.join(cells)
    assert script.count(ELEMENT_LOOP) == 1
    script = script.replace(ELEMENT_LOOP, SHORT_LOOP)
    assert 'from d2l ' not in script
    assert 'from d2lmini import mxnet as d2l' in script
    (tmp_path / 'section.py').write_text(script, encoding='utf-8')
    result = subprocess.run(
        [mxnet_python(), 'section.py'],
        cwd=tmp_path,
        env={**os.environ, 'MPLBACKEND': 'Agg'},
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
