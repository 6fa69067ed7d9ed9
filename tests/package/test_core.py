"""The framework-free core imports no framework, and `import d2lmini`
imports nothing until a name is used: a TensorFlow or MXNet reader never
pays for PyTorch."""

import subprocess
import sys

import pytest

from d2lmini.registry import FRAMEWORKS as REGISTRY

CORE = [
    'book',
    'checks',
    'data',
    'explorer',
    'explorer_chart',
    'explorer_words',
    'loop',
    'matmul',
    'plotting',
    'registry',
    'sysinfo',
    'timer',
    'vegalite',
]
FRAMEWORKS = {f.module for f in REGISTRY.values()}


def imported_after(code):
    """The frameworks in sys.modules after `code`, in a fresh interpreter."""
    check = (
        f'{code}\nimport sys\nprint(sorted({FRAMEWORKS!r} & set(sys.modules)))'
    )
    result = subprocess.run(
        [sys.executable, '-c', check],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


@pytest.mark.parametrize('module', CORE)
def test_a_core_module_imports_no_framework(module):
    assert imported_after(f'import d2lmini.{module}') == '[]'


def test_import_d2lmini_imports_nothing_until_a_name_is_used():
    assert imported_after('import d2lmini') == '[]'
    assert imported_after('import d2lmini as d2l\nd2l.sgd') == "['torch']"


def test_from_d2lmini_import_torch_is_the_module_not_the_library():
    code = (
        'from d2lmini import torch as d2l\n'
        'assert d2l.__name__ == "d2lmini.torch", d2l.__name__'
    )
    assert imported_after(code) == "['torch']"
