"""A tabbed chapter's code cells, as synced tabs of executed cells.

The chapter itself is not executed: each framework's notebook is. When a
page is written, each code cell of the chapter, found again in the
notebooks by its origin (its position in the chapter), becomes synced tabs
holding each framework's executed cell; a run of adjacent cells of
different frameworks becomes one set. Formats without tabs (the PDF, the
notebooks) get the default framework's cells and prose (chapter.DEFAULT).
"""

import chapter
import figures
from docutils import nodes
from figures import is_cell
from prose_tabs import SYNC_GROUP, runs, tab_nodes
from sphinx.errors import ExtensionError
from sphinx.transforms.post_transforms import SphinxPostTransform


def cell_framework(cell):
    tags = cell.get("cell_metadata", {}).get("tags", [])
    return next((t for t in tags if t in chapter.REGISTRY), None)


def origin(cell):
    return cell.get("cell_metadata", {}).get(chapter.ORIGIN)


def executed_cells(env, docname, framework):
    """{origin: executed code cell} of a framework's notebook."""
    doctree = env.get_doctree(f"{docname}-{framework}")
    return {origin(c): c.deepcopy() for c in doctree.findall(is_cell)}


def is_framework_tabs(node):
    return (
        isinstance(node, nodes.container)
        and node.get("design_component") == "tab-set"
        and any(
            n.get("sync_group") == SYNC_GROUP
            for n in node.findall(nodes.rubric)
        )
    )


def default_content(tabs):
    """The content of the tab of the framework the PDF shows, or []."""
    for item in tabs.children:
        label, content = item.children[:2]
        if label.get("sync_id") == chapter.DEFAULT:
            return content.children
    return []


class MergeFrameworkCells(SphinxPostTransform):
    """Runs before myst-nb picks output formats (4) and sphinx-design draws
    tabs. The LaTeX builder resolves one tree of the whole book, so each
    cell's chapter is read off its source file."""

    default_priority = 1

    def apply(self, **kwargs):
        html = self.app.builder.format == "html"
        chapters = {}  # docname -> its cells, in order
        for cell in self.document.findall(is_cell):
            docname = self.env.path2doc(cell.source) if cell.source else None
            page = chapter.page_of(self.env, docname) if docname else None
            if page and page[1] is None:
                chapters.setdefault(docname, []).append(cell)
        for docname, cells in chapters.items():
            self.merge(docname, cells, html)
        if not html:
            for tabs in list(self.document.findall(is_framework_tabs)):
                content = default_content(tabs)
                if content:
                    tabs.replace_self(content)
                else:
                    tabs.parent.remove(tabs)

    def merge(self, docname, cells, html):
        listed = chapter.listed(self.env.doc2path(docname))
        ran = {fw: executed_cells(self.env, docname, fw) for fw in listed}
        for group in runs(cells, cell_framework):
            items = [
                (fw, ran[fw].get(origin(cell)))
                for cell in group
                for fw in listed
                if cell_framework(cell) in (None, fw)
            ]
            if any(cell is None for _, cell in items):
                raise ExtensionError(
                    f"{docname}: a code cell is missing from its framework "
                    "notebooks; build again from a clean _build"
                )
            items.sort(key=lambda item: listed.index(item[0]))
            placeholder = next(
                (f for c in group for f in c.findall(figures.is_placeholder)),
                None,
            )
            if placeholder is not None:
                figures.label_figures(
                    items, placeholder, self.env, docname, html
                )
            shown = (
                tab_nodes(items) if html else dict(items).get(chapter.DEFAULT)
            )
            for cell in group[1:]:
                cell.parent.remove(cell)
            if shown is None:
                group[0].parent.remove(group[0])
            else:
                group[0].replace_self(shown)
