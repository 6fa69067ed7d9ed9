"""Each chapter's .ipynb download: the chapter in plain Jupyter Markdown
with its outputs (notebooks.py writes it into `_sources/`), opening with a
cell that installs d2lmini in a kernel that lacks it (Colab, say)."""

from pathlib import Path

import nbformat

from d2lmini.core.registry import FRAMEWORKS

# Each notebook's first cell: d2lmini, with its framework's extra where the
# kernel lacks the framework (Colab has torch and TensorFlow: a second,
# CPU-only TensorFlow would replace its own).
INSTALL = {
    "en": """\
# Outside the book's environment (Colab, say), install d2lmini first.
import importlib.util, sys
REPO_URL = {url!r}  # where the book was published from
if importlib.util.find_spec('d2lmini') is None:
    if not REPO_URL:
        raise ModuleNotFoundError('d2lmini is not installed: run `pip install '
                                  '-e .` in a clone of its repository')
    has_framework = importlib.util.find_spec({module!r}) is not None
{limit}    extra = '' if has_framework else {extra!r}
    %pip install -q "d2lmini{{extra}} @ git+{{REPO_URL}}"
""",
    "zh": """\
# 在本书的环境之外（例如 Colab），先安装 d2lmini。
import importlib.util, sys
REPO_URL = {url!r}  # 本书发布自这个仓库
if importlib.util.find_spec('d2lmini') is None:
    if not REPO_URL:
        raise ModuleNotFoundError('没有安装 d2lmini：请在其仓库的克隆中'
                                  '运行 `pip install -e .`')
    has_framework = importlib.util.find_spec({module!r}) is not None
{limit}    extra = '' if has_framework else {extra!r}
    %pip install -q "d2lmini{{extra}} @ git+{{REPO_URL}}"
""",
}
LIMIT = {
    "en": """\
    if not has_framework and sys.version_info[:2] > {newest}:
        raise RuntimeError('{display} needs Python {version} or older; this '
                           'kernel has Python ' + sys.version.split()[0])
""",
    "zh": """\
    if not has_framework and sys.version_info[:2] > {newest}:
        raise RuntimeError('{display} 需要 Python {version} 或更早的版本；'
                           '这个内核是 Python ' + sys.version.split()[0])
""",
}


def install_cell(url, language="en", framework="pytorch"):
    """The source of the install cell of `framework`'s notebook, for a
    repository URL ('' for none)."""
    fw = FRAMEWORKS[framework]
    limit = ""
    if fw.max_python:
        limit = LIMIT[language].format(
            newest=fw.max_python,
            display=fw.release,
            version=".".join(map(str, fw.max_python)),
        )
    return INSTALL[language].format(
        url=url, limit=limit, module=fw.module, extra=f"[{fw.extra}]"
    )


def with_install_cell(notebook, url, language="en", framework="pytorch"):
    """`notebook` (a NotebookNode) with the install cell put first."""
    cell = nbformat.v4.new_code_cell(install_cell(url, language, framework))
    cell.metadata["tags"] = ["remove-cell"]  # the site shows none of it
    notebook.cells.insert(0, cell)
    return notebook


def add_ipynb_download(app, pagename, templatename, context, doctree):
    """Offer every notebook page as an .ipynb: `_sources/PAGE.ipynb`, which
    the notebook build that follows the HTML one writes (notebooks.py)."""
    executed = (
        Path(app.outdir).parent / "jupyter_execute" / f"{pagename}.ipynb"
    )
    source = str(context.get("sourcename", ""))
    if executed.is_file() and source.endswith((".md", ".md.txt")):
        context["ipynb_source"] = f"{pagename}.ipynb"


def setup(app):
    # Before the theme adds its download buttons, which read ipynb_source.
    app.connect("html-page-context", add_ipynb_download, priority=400)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
