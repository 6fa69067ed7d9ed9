"""Each chapter as a notebook in plain Jupyter Markdown, for JupyterLab,
Colab and the site's .ipynb download.

sphinx-tojupyter's `jupyter` builder writes the prose as Markdown with every
role and directive rendered: glued values as this build measured them, cross
references as text and links, numbered equations, notes, exercises and their
solutions. Cells tagged remove-cell are gone (myst-nb drops them when it
parses a chapter). This module subclasses that builder, under the same name,
for what it does not do:

- code cells, figure captions, equation numbers: notebook_cells.py;
- outputs: the builder writes code cells without outputs, so each code cell
  gets its outputs and execution count from myst-nb's executed notebook in
  `_build/jupyter_execute`, merged with the execution cache, which holds
  them when myst-nb wrote that notebook without (with_cached_outputs);
  nothing is executed again;
- the install cell first (`downloads.with_install_cell`), with the
  extra of the notebook's framework;
- a copy of every notebook in the site's `_sources/`, whose links between
  notebooks are Colab URLs when a repository is set (colab.py);
- rewrite a notebook whenever its doctree is newer (a re-executed chapter
  has new outputs and glued values though its source did not change), and
  let warnings fail the strict build: the upstream builder ends the process
  with exit() in finish(), before Sphinx counts the warnings.

`make book` runs this builder after the HTML one and copies its notebooks
into `_build/html/_sources/`, where the site's download button points.
"""

import os
import shutil
from pathlib import Path

import chapter
import nbformat
from colab import colab_links
from downloads import with_install_cell
from jupyter_cache import get_cache
from language import is_chinese, of_page
from notebook_cells import CELL_KEY, Writer, merge_anchors
from sphinx.util import logging
from sphinx_tojupyter.builders.jupyter import JupyterBuilder

logger = logging.getLogger(__name__)


def executed_notebook(outdir, docname):
    """The path of myst-nb's executed notebook of `docname`."""
    return Path(outdir).parent / "jupyter_execute" / f"{docname}.ipynb"


def with_cached_outputs(notebook, cache_path):
    """`notebook` with the outputs that the execution cache holds for its
    code. myst-nb 1.4 writes `jupyter_execute/` without outputs when it
    re-reads a page whose outputs come from the cache (it writes the notebook
    it read, not the one merged with the cache), as after a prose edit; the
    cache has them."""
    if not cache_path or not Path(cache_path).is_dir():
        return notebook
    try:
        _, merged = get_cache(cache_path).merge_match_into_notebook(notebook)
    except KeyError:  # not in the cache: keep what was executed
        return notebook
    return merged


class NotebookBuilder(JupyterBuilder):
    """The `jupyter` builder, finished for this book (see the module)."""

    name = "jupyter"
    _writer_class = Writer

    def get_outdated_docs(self):
        for docname in self.env.found_docs:
            target = Path(self.outdir) / f"{docname}{self.out_suffix}"
            sources = [
                self.env.doc2path(docname),
                Path(self.doctreedir) / f"{docname}.doctree",
            ]
            try:
                built = target.stat().st_mtime
            except OSError:
                yield docname
                continue
            if any(os.path.getmtime(s) > built for s in sources):
                yield docname

    def executed(self, docname):
        """myst-nb's executed notebook of `docname`; for a tabbed chapter,
        which is not executed itself, its default framework's notebook's
        (the notebook shows that framework only: code_tabs.py)."""
        if chapter.is_tabbed(self.env.doc2path(docname)):
            docname = f"{docname}-{chapter.DEFAULT}"
        return executed_notebook(self.outdir, docname)

    def write_doc(self, docname, doctree):
        """Write the notebook, and its copy in the site's `_sources/`: the
        .ipynb download (downloads.py), and what Colab opens (colab.py)."""
        super().write_doc(docname, doctree)
        site = Path(self.outdir).parent / "html"
        if not site.is_dir():
            return
        written = Path(self.outdir) / f"{docname}{self.out_suffix}"
        target = site / "_sources" / f"{docname}{self.out_suffix}"
        target.parent.mkdir(parents=True, exist_ok=True)
        url = self.config.html_theme_options.get("repository_url", "")
        if not url:
            shutil.copyfile(written, target)
            return
        nb = colab_links(nbformat.read(written, as_version=4), docname, url)
        nbformat.write(nb, target)

    def update_Metadata(self, docname, nb):
        """Outputs, metadata and the install cell (called on each notebook
        before the builder writes it)."""
        executed = self.executed(docname)
        if executed.is_file():
            ran = with_cached_outputs(
                nbformat.read(executed, as_version=4),
                self.config.nb_execution_cache_path,
            )
            for key in ("kernelspec", "language_info"):
                if key in ran.metadata:
                    nb.metadata[key] = ran.metadata[key]
            for cell in nb.cells:
                if cell.cell_type == "code":
                    self.fill_in(docname, cell, ran)
        for key in ("date", "filename", "title"):  # the builder's own
            nb.metadata.pop(key, None)
        nb.cells = merge_anchors(nb.cells)
        if any(cell.cell_type == "code" for cell in nb.cells):
            url = self.config.html_theme_options.get("repository_url", "")
            language = "zh" if is_chinese(of_page(self.env, docname)) else "en"
            framework = chapter.framework_of_page(self.env, docname)
            with_install_cell(nb, url, language, framework)
        nbformat.validate(nb)
        return nb

    def fill_in(self, docname, cell, ran):
        """Give `cell` the outputs of its executed twin in `ran`."""
        index = cell.metadata.pop(CELL_KEY, None)
        cell.metadata.pop("hide-output", None)
        if index is None:
            return
        twin = ran.cells[index]
        if twin.source.strip() != cell.source.strip():
            logger.warning(
                f"{docname}: code cell {index} differs from its executed "
                "twin; its outputs are left out",
                type="d2lmini",
                subtype="notebooks",
            )
            return
        cell.source = twin.source
        cell.outputs = twin.get("outputs", [])
        cell.execution_count = twin.get("execution_count")
        if "tags" in twin.metadata:  # hide-input, say
            cell.metadata["tags"] = list(twin.metadata["tags"])

    def copy_static_files(self):
        """Nothing to copy: the notebooks carry their images as outputs (the
        upstream builder would leave an empty _static/ beside them)."""

    def finish(self):
        try:
            super().finish()
        except SystemExit as stop:  # upstream ends the process here
            if stop.code:
                raise


def code_is_python(app, config):
    """The chapters' cells are ipython3, the kernel's language: code
    cells, not Markdown code blocks."""
    config.tojupyter_lang_synonyms = ["ipython3"]


def setup(app):
    # sphinx-tojupyter replaces nb_mime_priority_overrides with its own list,
    # which would drop the book's (_config.yml: SVG first in the PDF); keep
    # both.
    ours = list(app.config.nb_mime_priority_overrides or [])
    app.setup_extension("sphinx_tojupyter")
    app.config.nb_mime_priority_overrides = [
        *app.config.nb_mime_priority_overrides,
        *ours,
    ]
    app.add_builder(NotebookBuilder, override=True)
    app.connect("config-inited", code_is_python)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
