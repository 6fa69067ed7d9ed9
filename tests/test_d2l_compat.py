"""The book's own PyTorch code runs unchanged with `import d2lmini as d2l`."""
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT.parent / 'shared' / 'seeds' / 'minibatch-sgd.zh.md'
CELL = re.compile(r'```\{\.python \.input\}\n(.*?)```', re.S)


def pytorch_cells(text):
    """The code of every input cell tagged `#@tab pytorch` or `#@tab all`, as d2lmini code."""
    cells = []
    for code in CELL.findall(text):
        lines = code.splitlines()
        if lines and lines[0].strip() in ('#@tab pytorch', '#@tab all'):
            code = '\n'.join(line for line in lines if not line.startswith('%matplotlib'))
            cells.append(code.replace('from d2l import torch as d2l', 'import d2lmini as d2l'))
    return cells


def test_the_books_pytorch_code_runs(airfoil_dir, tmp_path):
    if not SEED.is_file():
        pytest.skip(f'the d2l section is not at {SEED}')
    cells = pytorch_cells(SEED.read_text(encoding='utf-8'))
    assert len(cells) >= 10, 'expected the section\'s PyTorch cells'
    script = '\n\n'.join(cells)
    assert 'from d2l ' not in script
    (tmp_path / 'section.py').write_text(script, encoding='utf-8')
    env = {**os.environ, 'D2LMINI_DATA_DIR': str(airfoil_dir), 'MPLBACKEND': 'Agg'}
    result = subprocess.run([sys.executable, 'section.py'], cwd=tmp_path, env=env,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    out = result.stdout
    assert out.count('performance in Gigaflops') == 2
    # four train_sgd runs and one concise run print their final loss
    losses = [float(v) for v in re.findall(r'loss: ([\d.]+), [\d.e+-]+ sec/epoch', out)]
    assert len(losses) == 5, out
    assert all(0.2 < v < 0.3 for v in losses), out
