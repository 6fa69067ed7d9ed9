"""The cells of a chapter's notebook: sphinx-tojupyter's translator, with
this book's code cells, figure captions and numbers (see notebooks.py).

- code cells: the chapters' `ipython3` cells are the kernel's language,
  while a listing in the prose (a literalinclude) is shown, not run; each
  code cell remembers its index in the executed notebook (CELL_KEY), where
  notebooks.py finds its outputs;
- figure captions: a figure's number and caption follow its cell, as on the
  site, so that "Fig. 1.2.1" in the prose names something;
- equation numbers as the site numbers them (1.2.1, not 1.1);
- an exercise or a solution: a heading, which JupyterLab folds.
"""

import re

import nbformat
from docutils import nodes
from language import is_chinese, of_page
from sphinx_tojupyter.writers.jupyter import JupyterWriter
from sphinx_tojupyter.writers.translate_all import JupyterTranslator
from sphinx_tojupyter.writers.utils import JupyterOutputCellGenerators

ANCHORS = re.compile(r"(\s*<a id='[^']*'></a>\s*)+")
# sphinx-exercise's nodes, whose titles become headings.
EXERCISE_NODES = ("exercise_node", "exercise_enumerable_node", "solution_node")
# Highlighting names of Python, as a Markdown code block names it.
PYTHON = dict.fromkeys(["default", "python3", "ipython3", "ipython"], "python")
CELL_KEY = "d2lmini_cell"  # the executed notebook's cell index, while built


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
