"""The package's architecture: the framework-free core imports no framework
and no adapter, every adapter has the same modules, the modules import each
other without cycles, and `import d2lmini` imports nothing until a name is
used: a TensorFlow or MXNet reader never pays for PyTorch."""

import ast
import subprocess
import sys

import pytest

from d2lmini.core.registry import FRAMEWORKS as REGISTRY
from tests.helpers import ROOT

PACKAGE = ROOT / 'd2lmini'
ADAPTERS = [f.adapter for f in REGISTRY.values()]
FRAMEWORKS = {f.module for f in REGISTRY.values()}


def module_name(path):
    parts = path.relative_to(ROOT).with_suffix('').parts
    return '.'.join(parts[:-1] if parts[-1] == '__init__' else parts)


MODULES = {module_name(p): p for p in sorted(PACKAGE.rglob('*.py'))}
FRAMEWORK_FREE = sorted(
    m for m in MODULES if m.split('.')[1:2] in (['core'], ['explorer'])
)


def imports(name):
    """The d2lmini modules that module `name` imports, resolved."""
    path = MODULES[name]
    package = name if path.name == '__init__.py' else name.rpartition('.')[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            base = node.module or ''
            if node.level:
                up = package.split('.')[
                    : len(package.split('.')) - node.level + 1
                ]
                base = '.'.join(up + ([base] if base else []))
            names = [f'{base}.{a.name}' for a in node.names]
            found |= {n for n in names + [base] if n in MODULES}
        elif isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name in MODULES}
    return found - {name}


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


@pytest.mark.parametrize('module', FRAMEWORK_FREE)
def test_a_core_module_imports_no_framework(module):
    assert imported_after(f'import {module}') == '[]'


def test_the_core_imports_no_adapter_and_nothing_outside_it():
    for name in (m for m in MODULES if m.startswith('d2lmini.core')):
        outside = {
            m for m in imports(name) if not m.startswith('d2lmini.core')
        }
        assert not outside, f'{name} imports {sorted(outside)}'


def test_no_adapter_imports_another_adapter_or_the_distributed_group():
    for adapter in ADAPTERS:
        for name in (m for m in MODULES if m.startswith(f'd2lmini.{adapter}')):
            allowed = ('d2lmini.core', f'd2lmini.{adapter}')
            other = {m for m in imports(name) if not m.startswith(allowed)}
            assert not other, f'{name} imports {sorted(other)}'


def test_the_modules_import_each_other_without_cycles():
    done, path = set(), []

    def visit(name):
        assert name not in path, 'import cycle: ' + ' -> '.join(path + [name])
        if name in done:
            return
        path.append(name)
        for other in imports(name):
            if not name.startswith(other + '.'):  # a module's own package
                visit(other)
        path.pop()
        done.add(name)

    for name in MODULES:
        visit(name)


def test_every_adapter_has_the_same_modules():
    layouts = {
        a: sorted(p.name for p in (PACKAGE / a).glob('*.py')) for a in ADAPTERS
    }
    assert layouts['torch'] == [
        '__init__.py',
        'data.py',
        'device.py',
        'train.py',
    ]
    assert all(layout == layouts['torch'] for layout in layouts.values()), (
        layouts
    )


def test_import_d2lmini_imports_nothing_until_a_name_is_used():
    assert imported_after('import d2lmini') == '[]'
    assert imported_after('import d2lmini as d2l\nd2l.sgd') == "['torch']"


def test_from_d2lmini_import_torch_is_the_module_not_the_library():
    code = (
        'from d2lmini import torch as d2l\n'
        'assert d2l.__name__ == "d2lmini.torch", d2l.__name__'
    )
    assert imported_after(code) == "['torch']"


def test_need_imports_or_names_what_needs_it_and_the_fix():
    from d2lmini.core.checks import need

    assert need('ast', 'the tests', 'nothing') is ast
    with pytest.raises(
        ImportError,
        match=r"^the explorer draws with Altair \(No module named "
        r"'no_such_module_here'\): pip install x$",
    ):
        need(
            'no_such_module_here',
            'the explorer draws with Altair',
            'pip install x',
        )


def test_without_pytorch_the_import_error_says_why_and_the_fix():
    code = "import sys\nsys.modules['torch'] = None\nimport d2lmini.torch\n"
    result = subprocess.run(
        [sys.executable, '-c', code],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode != 0
    message = result.stderr.strip().splitlines()[-1]
    assert message.startswith('ImportError: d2lmini.torch needs PyTorch (')
    assert message.endswith(
        'pip install "d2lmini[torch]", or see https://pytorch.org for the '
        'build for your machine'
    )
