"""Each chapter as a notebook in plain Jupyter Markdown, for JupyterLab,
Colab and the site's .ipynb download.

sphinx-tojupyter's `jupyter` builder writes the prose as Markdown with every
role and directive rendered: glued values as this build measured them, cross
references as text and links, numbered equations, notes, exercises and their
solutions. Cells tagged remove-cell are gone (myst-nb drops them when it
parses a chapter). This module subclasses that builder, under the same name,
for what it does not do:

- code cells: the chapters' `ipython3` cells are the kernel's language,
  while a listing in the prose (a literalinclude) is shown, not run;
- outputs: the builder writes code cells without outputs, so each code cell
  gets its outputs and execution count from myst-nb's executed notebook in
  `_build/jupyter_execute`, merged with the execution cache, which holds
  them when myst-nb wrote that notebook without (with_cached_outputs);
  nothing is executed again;
- figure captions: a figure's number and caption follow its cell, as on the
  site, so that "Fig. 1.2.1" in the prose names something;
- equation numbers as the site numbers them (1.2.1, not 1.1);
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
import re
import shutil
from pathlib import Path

import nbformat
from colab import colab_links, framework_of
from docutils import nodes
from downloads import with_install_cell
from frameworks import is_tabbed
from jupyter_cache import get_cache
from language import is_chinese, of_page
from sphinx.util import logging
from sphinx_tojupyter.builders.jupyter import JupyterBuilder
from sphinx_tojupyter.writers.jupyter import JupyterWriter
from sphinx_tojupyter.writers.translate_all import JupyterTranslator
from sphinx_tojupyter.writers.utils import JupyterOutputCellGenerators

logger = logging.getLogger(__name__)

ANCHORS = re.compile(r"(\s*<a id='[^']*'></a>\s*)+")
# sphinx-exercise's nodes, whose titles become headings.
EXERCISE_NODES = ("exercise_node", "exercise_enumerable_node", "solution_node")
# Highlighting names of Python, as a Markdown code block names it.
PYTHON = dict.fromkeys(["default", "python3", "ipython3", "ipython"], "python")
CELL_KEY = "d2lmini_cell"  # the executed notebook's cell index, while built


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


def _number(env, docname, kind, node_id):
    """The number Sphinx gave `node_id` ('1.2.1'), or '' if none."""
    numbers = env.toc_fignumbers.get(docname, {}).get(kind, {})
    number = numbers.get(node_id)
    return ".".join(map(str, number)) if number else ""


def merge_anchors(cells):
    """Put each Markdown cell that holds nothing but anchors (<a id=...>,
    a section's label) into the Markdown cell after it."""
    merged = []
    for cell in cells:
        previous = merged[-1] if merged else None
        if (
            previous is not None
            and previous.cell_type == cell.cell_type == "markdown"
            and ANCHORS.fullmatch(previous.source)
        ):
            cell.source = previous.source.strip() + "\n\n" + cell.source
            merged[-1] = cell
        else:
            merged.append(cell)
    return merged


class Translator(JupyterTranslator):
    """sphinx-tojupyter's translator, with this book's cells and numbers."""

    def visit_container(self, node):
        if node.get("nb_element") == "cell_code":
            self.add_markdown_cell()
            self.cell_index = node.get("cell_index")
            return
        super().visit_container(node)

    def depart_container(self, node):
        if node.get("nb_element") != "cell_code":
            return
        last = self.output.cells[-1] if self.output.cells else None
        if last is not None and last.cell_type == "code":
            last.metadata[CELL_KEY] = self.cell_index
        caption = self.figure_caption(node)
        if caption:
            self.output.cells.append(nbformat.v4.new_markdown_cell(caption))

    def figure_caption(self, cell):
        """'*Fig. 1.2.1: caption*' for a cell whose output is a figure."""
        for figure in cell.findall(nodes.figure):
            captions = list(figure.findall(nodes.caption))
            if not figure["ids"] or not captions:
                continue
            number = _number(
                self.builder.env,
                self.builder.docname,
                "figure",
                figure["ids"][0],
            )
            label = self.builder.config.numfig_format["figure"] % number
            if is_chinese(of_page(self.builder.env, self.builder.docname)):
                label = label.replace("Fig. ", "图 ")
            text = " ".join(captions[0].astext().split())
            return f"*{label}: {text}*"
        return ""

    def visit_literal_block(self, node):
        super().visit_literal_block(node)
        if node.parent.get("nb_element") != "cell_code_source":
            # A listing in the prose (a literalinclude, say): shown, not run.
            self.output_cell_type = JupyterOutputCellGenerators.MARKDOWN
            language = node.get("language", "text")
            self.nodelang = PYTHON.get(language, language)

    def visit_title(self, node):
        """An exercise or its solution: a heading one level down, which a
        JupyterLab reader can fold as the site folds a solution."""
        if node.parent.tagname not in EXERCISE_NODES:
            return super().visit_title(node)
        self.add_markdown_cell()
        heading = "#" * (self.section_level + 1)
        self.markdown_lines.append(
            f"{heading} {' '.join(node.astext().split())}"
        )
        self.markdown_lines.append(self.sep_paras)
        raise nodes.SkipNode

    def visit_math_block(self, node):
        super().visit_math_block(node)
        if node.get("label"):
            number = _number(
                self.builder.env,
                self.builder.docname,
                "displaymath",
                node["ids"][0] if node["ids"] else "",
            ) or str(node["number"])
            self.math_block_label = " \\tag{" + number + "}\n"


class Writer(JupyterWriter):
    def _identify_translator(self, builder):
        return Translator


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
        which is not executed itself, its PyTorch notebook's (the
        notebook shows PyTorch only: frameworks.py)."""
        if is_tabbed(Path(self.env.doc2path(docname)).read_text("utf-8")):
            docname = f"{docname}-pytorch"
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
            framework = framework_of(docname) or "pytorch"
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
