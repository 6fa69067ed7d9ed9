"""Reading the chapters' code: how much of it is hidden, and the functions the
reader sees, run in the tests exactly as the chapter defines them."""
import ast
import re

import jupytext
from IPython.core.inputtransformer2 import TransformerManager

from browser_helpers import ROOT

VERDICT = re.compile(r'''(['"])[^'"\n]*\1\s+if\s''')  # 'x' if ... else 'y'


def code_cells(page):
    """The code cells of a chapter, as (source, tags) pairs."""
    nb = jupytext.read(ROOT / f'{page}.md')
    return [(c.source, c.metadata.get('tags', [])) for c in nb.cells
            if c.cell_type == 'code']


def code_lines(source):
    return [line for line in source.splitlines() if line.strip()]


def scaffolding(page):
    """The issue-11 measures of one chapter: hidden and visible code lines, the
    longest hidden cell, Markdown(...) calls and computed verdict words."""
    hidden = [code_lines(s) for s, tags in code_cells(page) if 'remove-cell' in tags]
    visible = [code_lines(s) for s, tags in code_cells(page) if 'remove-cell' not in tags]
    sources = '\n'.join(s for s, _ in code_cells(page))
    return {'hidden': sum(map(len, hidden)), 'visible': sum(map(len, visible)),
            'longest_hidden': max(map(len, hidden), default=0),
            'markdown_calls': sources.count('Markdown('),
            'verdicts': len(VERDICT.findall(sources))}


def _constant(node):
    """An assignment of a value computed from literals alone, e.g. 2 ** 10."""
    return isinstance(node, ast.Assign) and not any(
        isinstance(n, (ast.Name, ast.Call, ast.Attribute)) for n in ast.walk(node.value))


def _magic(node):
    """A line magic such as %matplotlib inline, as IPython turns it into Python."""
    return (isinstance(node, ast.Expr) and isinstance(node.value, ast.Call)
            and 'get_ipython' in ast.unparse(node.value.func))


def _definition(node):
    return isinstance(node, (ast.Import, ast.ImportFrom, ast.FunctionDef,
                             ast.ClassDef)) or _constant(node)


def definitions(page):
    """Run the chapter's cells that only import and define (functions, classes,
    constants), in order, and return the namespace: the chapter's own code, for
    testing. Globals that the functions read (X, y, ...) are the test's to set."""
    namespace = {'__name__': f'chapter:{page}'}
    for i, (source, _) in enumerate(code_cells(page)):
        tree = ast.parse(TransformerManager().transform_cell(source))
        body = [node for node in tree.body if not _magic(node)]
        if body and all(map(_definition, body)):
            module = ast.Module(body=body, type_ignores=[])
            exec(compile(module, f'{page}.md, code cell {i}', 'exec'), namespace)
    return namespace
