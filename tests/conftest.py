"""Shared fixtures: the airfoil data folder and one build of the book per session."""
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = ROOT.parent / 'shared' / 'data' / 'airfoil_self_noise.dat'
AIRFOIL_SHA1 = '76e5be1548fd8222e5074cf0faae75edff8cf93f'


def _find_airfoil():
    folder = os.environ.get('D2LMINI_DATA_DIR')
    for path in ([Path(folder) / 'airfoil_self_noise.dat'] if folder else []) + [SHARED_DATA]:
        if path.is_file():
            return path
    return None


@pytest.fixture(scope='session')
def airfoil_dir(tmp_path_factory):
    """A data folder holding the verified airfoil file; sets D2LMINI_DATA_DIR."""
    src = _find_airfoil()
    if src is None:
        pytest.skip('no airfoil data: set D2LMINI_DATA_DIR to a folder with '
                    'airfoil_self_noise.dat (CI copies ../shared/data)')
    folder = tmp_path_factory.mktemp('data')
    shutil.copy(src, folder / src.name)
    os.environ['D2LMINI_DATA_DIR'] = str(folder)
    return folder


def build_book(src, extra_env=None, timeout=1800):
    """Run the strict `jupyter-book build` on `src`; return the CompletedProcess."""
    jb = Path(sys.executable).with_name('jupyter-book')
    env = {**os.environ, **(extra_env or {})}
    return subprocess.run([str(jb), 'build', str(src), '-W', '--keep-going'],
                          capture_output=True, text=True, env=env, timeout=timeout)


@pytest.fixture(scope='session')
def book_html(airfoil_dir):
    """The repository's book, built once per test session (the execution cache is reused)."""
    result = build_book(ROOT, {'D2LMINI_DATA_DIR': str(airfoil_dir)})
    assert result.returncode == 0, result.stdout[-5000:] + result.stderr[-5000:]
    return ROOT / '_build' / 'html'
