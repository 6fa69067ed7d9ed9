"""Figures in framework tabs, numbered by Sphinx, reachable by `{numref}`.

A tabbed chapter is not executed: its figures come from each framework's
executed cell when the cells become tabs (code_tabs.py), after Sphinx has
numbered the chapter. So, as the chapter is read, each code cell whose
metadata names a figure (`mystnb: figure: name:`) gets a placeholder figure
with that label and caption: Sphinx numbers it with the chapter's own
figures and records its label. When the tabs are made, the default
framework's figure takes the placeholder's label (the one `{numref}` links
to, and the PDF's figure), and each other framework's shows its number.
"""

from chapter import DEFAULT, page_of
from docutils import nodes
from sphinx.transforms import SphinxTransform

PLACEHOLDER = "d2lmini-figure"


def is_cell(node):
    return (
        isinstance(node, nodes.container)
        and node.get("nb_element") == "cell_code"
    )


def named_figure(cell):
    """(name, caption) of the figure a code cell's metadata names, or None."""
    metadata = cell.get("cell_metadata", {}).get("mystnb", {})
    figure = metadata.get("figure") or {}
    return (
        (figure["name"], figure.get("caption", ""))
        if "name" in figure
        else None
    )


def is_placeholder(node):
    return isinstance(node, nodes.figure) and PLACEHOLDER in node["classes"]


def placeholder(document, name, caption):
    figure = nodes.figure(
        "", nodes.caption(caption, caption), classes=[PLACEHOLDER]
    )
    figure["names"].append(name)
    document.note_explicit_target(figure, figure)
    return figure


def adopt_label(figure, placeholder):
    """Give `figure` the placeholder's label, and so its number."""
    figure["ids"] = list(placeholder["ids"])
    figure["names"] = list(placeholder["names"])


def show_number(figure, placeholder, env, docname):
    """Put the placeholder's number before `figure`'s caption, as Sphinx
    writes a number (which it gives one figure per label)."""
    numbers = env.toc_fignumbers.get(docname, {}).get("figure", {})
    number = numbers.get(placeholder["ids"][0])
    captions = list(figure.findall(nodes.caption))
    if not number or not captions:
        return
    text = (
        env.config.numfig_format["figure"] % ".".join(map(str, number)) + " "
    )
    captions[0].insert(0, nodes.inline(text, text, classes=["caption-number"]))


def label_figures(ran, placeholder, env, docname, html):
    """The figures of one group's executed cells [(framework, cell)]: the
    default framework's (the PDF's) takes the label; on the site the others
    show the number (their own labels stay theirs)."""
    frameworks = [framework for framework, _ in ran]
    labelled = DEFAULT if DEFAULT in frameworks else frameworks[0]
    for framework, cell in ran:
        figure = next(iter(cell.findall(nodes.figure)), None)
        if figure is None:
            continue
        if framework == labelled:
            adopt_label(figure, placeholder)
        elif html:
            show_number(figure, placeholder, env, docname)


class Placeholders(SphinxTransform):
    """A placeholder figure in each code cell that names one, once per name
    (the framework cells of one tab set may share a name). Before the
    domains collect labels (850)."""

    default_priority = 800

    def apply(self, **kwargs):
        if page_of(self.env, self.env.docname) != (self.env.docname, None):
            return
        seen = set()
        for cell in list(self.document.findall(is_cell)):
            found = named_figure(cell)
            if found and found[0] not in seen:
                seen.add(found[0])
                cell += placeholder(self.document, *found)
