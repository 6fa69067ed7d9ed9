"""The lesson code in the chapters' cells is the package's code: every
function in a cell that starts with `#@save d2lmini/<file>.py` (of every
framework's tab: <framework>/data.py and <framework>/train.py are each
framework's, core/loop.py and core/data.py all three's) has the same
AST, docstring included, as its namesake in that file, once the chapter's
module prefixes (`d2l.`, and aliases of other d2lmini modules) are dropped
from the names the package reaches directly."""

import ast
import re
import types

import jupytext
import pytest

from d2lmini.core.registry import FRAMEWORKS
from tests.helpers import ROOT, code_cells, definitions

ADAPTERS = [f.adapter for f in FRAMEWORKS.values()]
SAVE = re.compile(r'^#@save (d2lmini/[\w/]+\.py)\s*$')
MAIN = (
    {
        ('d2lmini/core/loop.py', 'train_loop'),
        ('d2lmini/core/data.py', 'airfoil'),
    }
    | {(f'd2lmini/{adapter}/data.py', 'get_data_ch11') for adapter in ADAPTERS}
    | {
        (f'd2lmini/{adapter}/train.py', name)
        for adapter in ADAPTERS
        for name in ('sgd', 'train_ch11', 'train_concise_ch11')
    }
)
LESSONS = {
    'chapters/minibatch_sgd': MAIN,
    'chapters/zh/minibatch_sgd': MAIN,
    'chapters/data_parallel': {
        ('d2lmini/distributed/sharding.py', name)
        for name in ['shard_loss', 'global_batches', 'shard', 'train']
    }
    # The worker's main is a listing: the workers run it, not the notebook.
    | {('d2lmini/distributed/data_parallel.py', 'main')},
}


class DropModulePrefixes(ast.NodeTransformer):
    """`d2l.linreg` -> `linreg`, `d2l.checks.learning_rate` ->
    `checks.learning_rate`: for every alias of a d2lmini module."""

    def __init__(self, aliases):
        self.aliases = aliases

    def visit_Attribute(self, node):
        self.generic_visit(node)
        if isinstance(node.value, ast.Name) and node.value.id in self.aliases:
            return ast.copy_location(ast.Name(node.attr, node.ctx), node)
        return node


def module_aliases(page):
    """The names a chapter binds to d2lmini modules (d2l, dp, ...)."""
    namespace = definitions(page)
    return {
        name
        for name, value in namespace.items()
        if isinstance(value, types.ModuleType)
        and value.__name__.startswith('d2lmini')
    }


def top_level(tree):
    return {
        node.name: node
        for node in tree.body
        if isinstance(node, (ast.FunctionDef, ast.ClassDef))
    }


def imported_names(tree):
    """The names a module's own imports bind (`checks`, `torch`, ...)."""
    return {
        (alias.asname or alias.name).split('.')[0]
        for node in tree.body
        if isinstance(node, (ast.Import, ast.ImportFrom))
        for alias in node.names
    }


def listings(page):
    """The Python listings of a chapter's prose (```python fences)."""
    nb = jupytext.read(ROOT / f'{page}.md')
    return [
        m[1]
        for c in nb.cells
        if c.cell_type == 'markdown'
        for m in re.finditer(r'^```python\n(.*?)^```', c.source, re.M | re.S)
    ]


def saved(page):
    """(file, name, chapter node) for each function of each #@save cell
    and #@save listing."""
    aliases = module_aliases(page)
    found = []
    cells = [source for source, _ in code_cells(page, framework=None)]
    for source in cells + listings(page):  # every framework's
        match = SAVE.match(source.splitlines()[0]) if source else None
        if match:
            package = ast.parse((ROOT / match[1]).read_text())
            # A prefix the package writes too (checks.positive) stays.
            drop = aliases - imported_names(package)
            tree = DropModulePrefixes(drop).visit(ast.parse(source))
            found += [
                (match[1], name, node)
                for name, node in top_level(tree).items()
            ]
    return found


@pytest.mark.parametrize('page', sorted(LESSONS))
def test_lesson_code_is_the_packages_code(page):
    pairs = saved(page)
    assert {(path, name) for path, name, _ in pairs} == LESSONS[page]
    for path, name, node in pairs:
        package = top_level(ast.parse((ROOT / path).read_text()))
        assert name in package, f'{path} has no {name}'
        assert ast.dump(node) == ast.dump(package[name]), (
            f'{page}: the cell defining {name} differs from {path}; make them '
            f'the same code'
        )


# The modules that keep the chapter's layout (pyproject.toml's globs, which
# ruff format skips): a reader who opens one sees the cells as printed.
AS_PRINTED = re.compile(r'd2lmini/(\w+/data|\w+/train|core/loop)\.py')


def segments(source, prefix=''):
    """{name: source text} of a module's top-level functions, with
    `prefix` (e.g. 'd2l.') dropped from the names."""
    tree = ast.parse(source)
    return {
        name: re.sub(rf'\b{re.escape(prefix)}', '', segment)
        if prefix
        else segment
        for name, node in top_level(tree).items()
        if (segment := ast.get_source_segment(source, node)) is not None
    }


def test_the_package_keeps_the_lessons_as_printed():
    """Text, not just syntax: the English chapter's #@save functions, with
    `d2l.` dropped, are their package namesakes line for line."""
    checked = 0
    for source, _ in code_cells('chapters/minibatch_sgd', framework=None):
        match = SAVE.match(source.splitlines()[0]) if source else None
        if not (match and AS_PRINTED.fullmatch(match[1])):
            continue
        package = segments((ROOT / match[1]).read_text())
        for name, text in segments(source, 'd2l.').items():
            assert text == package[name], (
                f'{match[1]}: {name} is not laid out as the chapter prints it'
            )
            checked += 1
    assert checked == len(MAIN)


def test_a_changed_line_or_docstring_is_caught():
    source = (ROOT / 'd2lmini' / 'torch' / 'train.py').read_text()
    package = top_level(ast.parse(source))['sgd']
    cell = ast.parse(ast.unparse(package))
    DropModulePrefixes({'d2l'}).visit(cell)
    assert ast.dump(cell.body[0]) == ast.dump(package)
    for old, new in [
        ("alpha=hyperparams['lr']", "alpha=0.1"),
        ('zeroes the gradients', 'keeps the gradients'),
    ]:
        changed = ast.parse(ast.unparse(package).replace(old, new))
        assert ast.dump(changed.body[0]) != ast.dump(package)


def test_module_prefixes_are_dropped():
    cell = ast.parse('d2l.checks.learning_rate(d2l.linreg(X, w, b))')
    bare = ast.parse('checks.learning_rate(linreg(X, w, b))')
    dropped = DropModulePrefixes({'d2l'}).visit(cell)
    assert ast.dump(dropped) == ast.dump(bare)
