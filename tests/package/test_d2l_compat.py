"""The d2l book's own PyTorch code runs unchanged with `import d2lmini as d2l`:
the minibatch SGD section, and Adadelta and Adam from the sections after it."""

import os
import re
import subprocess
import sys

from tests.helpers import ROOT

SECTIONS = ROOT / 'tests' / 'd2l_section'  # vendored, MIT-0
CELL = re.compile(r'```\{\.python \.input\}\n(.*?)```', re.S)
LOSS = re.compile(r'loss: ([\d.]+), [\d.e+-]+ sec/epoch')


def pytorch_cells(text):
    """The code of every input cell tagged `#@tab pytorch` or `#@tab all`, as d2lmini code."""
    cells = []
    for code in CELL.findall(text):
        lines = code.splitlines()
        if lines and lines[0].strip() in ('#@tab pytorch', '#@tab all'):
            code = '\n'.join(
                line for line in lines if not line.startswith('%matplotlib')
            )
            cells.append(
                code.replace(
                    'from d2l import torch as d2l', 'import d2lmini as d2l'
                )
            )
    return cells


def run_cells(name, tmp_path):
    """Run a vendored section's PyTorch cells as one script; return its stdout."""
    cells = pytorch_cells((SECTIONS / name).read_text(encoding='utf-8'))
    script = '\n\n'.join(cells)
    assert 'from d2l ' not in script and 'import d2lmini as d2l' in script
    (tmp_path / 'section.py').write_text(script, encoding='utf-8')
    env = {**os.environ, 'MPLBACKEND': 'Agg'}
    result = subprocess.run(
        [sys.executable, 'section.py'],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, (
        result.stdout[-3000:] + result.stderr[-3000:]
    )
    assert result.stderr == '', result.stderr  # no warnings either
    return result.stdout, len(cells)


def test_the_minibatch_sgd_sections_code_runs(tmp_path):
    out, cells = run_cells('minibatch_sgd.md', tmp_path)
    assert cells == 15
    assert out.count('performance in Gigaflops') == 2
    # four train_sgd runs and one concise run print their final loss
    losses = [float(v) for v in LOSS.findall(out)]
    assert len(losses) == 5, out
    assert all(0.2 < v < 0.3 for v in losses), out


def test_adadelta_and_adam_from_the_later_sections_run(tmp_path):
    # Adadelta's hyperparams have no 'lr'; its states come from d2l.zeros.
    out, cells = run_cells('later_optimizers.md', tmp_path)
    assert cells == 4
    losses = [float(v) for v in LOSS.findall(out)]
    assert len(losses) == 4, out  # scratch and concise, Adadelta and Adam
    assert all(0.2 < v < 0.3 for v in losses), out
