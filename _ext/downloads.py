"""Each chapter's .ipynb download: the chapter in plain Jupyter Markdown
with its outputs (notebooks.py writes it into `_sources/`), opening with a
cell that installs d2lmini in a kernel that lacks it (Colab, say)."""

from pathlib import Path

import nbformat

INSTALL = {
    "en": """\
# Outside the book's environment (Colab, say), install d2lmini first.
import importlib.util
REPO_URL = {url!r}  # where the book was published from
if importlib.util.find_spec('d2lmini') is None:
    if not REPO_URL:
        raise ModuleNotFoundError('d2lmini is not installed: run `pip install '
                                  '-e .` in a clone of its repository')
    %pip install -q "d2lmini @ git+{{REPO_URL}}"
""",
    "zh": """\
# 在本书的环境之外（例如 Colab），先安装 d2lmini。
import importlib.util
REPO_URL = {url!r}  # 本书发布自这个仓库
if importlib.util.find_spec('d2lmini') is None:
    if not REPO_URL:
        raise ModuleNotFoundError('没有安装 d2lmini：请在其仓库的克隆中'
                                  '运行 `pip install -e .`')
    %pip install -q "d2lmini @ git+{{REPO_URL}}"
""",
}


def install_cell(url, language="en"):
    """The source of the install cell, for a repository URL ('' for none)."""
    return INSTALL[language].format(url=url)


def with_install_cell(notebook, url, language="en"):
    """`notebook` (a NotebookNode) with the install cell put first."""
    cell = nbformat.v4.new_code_cell(install_cell(url, language))
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
