"""A tabbed chapter's prose for each framework, as synced tabs.

The chapter as Sphinx reads it (chapter.view) holds each framework's
Markdown cell in `{framework} NAME`, and each `per-framework` cell in
`{per-framework}`, which parses it once per framework. Both give one node
per framework; runs of them become one set of tabs. While a framework's
prose is parsed, `{glue:text}` reads its numbers from that framework's
notebook; elsewhere on the chapter from the first framework's. A framework
this build could not run says why in its tabs, and its numbers say so.
"""

from pathlib import Path

import chapter
import language
from docutils import nodes
from myst_nb.ext.glue.roles import PasteTextRole
from sphinx.util.docutils import SphinxDirective
from sphinx_design.shared import create_component

from d2lmini.core.registry import FRAMEWORKS as REGISTRY

SYNC_GROUP = "framework"
PROSE = "d2lmini_framework"  # a prose node's framework; while parsed, too


def tab_nodes(items):
    """Synced sphinx-design tabs: items is [(framework, nodes)]."""
    tabs = create_component("tab-set", classes=["sd-tab-set"])
    for framework, content_nodes in items:
        item = create_component(
            "tab-item", classes=["sd-tab-item"], selected=False
        )
        label = nodes.rubric(
            "", REGISTRY[framework].display, classes=["sd-tab-label"]
        )
        label["sync_id"] = framework
        label["sync_group"] = SYNC_GROUP
        content = create_component("tab-content", classes=["sd-tab-content"])
        content += content_nodes
        item += [label, content]
        tabs += item
    return tabs


def prose(directive, framework):
    """`framework`'s prose: the content, or why this build could not run it."""
    node = nodes.container(**{PROSE: framework})
    why = directive.config.d2lmini_unavailable.get(framework)
    if why:
        node += directive.parse_text_to_nodes(why)
        return node
    directive.env.temp_data[PROSE] = framework
    try:
        node += directive.parse_content_to_nodes()
    finally:
        directive.env.temp_data.pop(PROSE)
    return node


class Framework(SphinxDirective):
    """Prose for one framework."""

    required_arguments = 1
    has_content = True

    def run(self):
        return [prose(self, self.arguments[0])]


class PerFramework(SphinxDirective):
    """The same prose for every framework, each with its own numbers."""

    has_content = True

    def run(self):
        listed = chapter.listed(self.env.doc2path(self.env.docname))
        return [prose(self, framework) for framework in listed]


def not_run(path):
    lang = str(chapter.front(path).get("lang", "en"))
    return "未运行" if language.is_chinese(lang) else "not run"


class Glue(PasteTextRole):
    """`{glue:text}`, which on a tabbed chapter reads the notebook of the
    framework whose prose holds it, and says 'not run' for a framework this
    build could not run."""

    def run(self):
        env = self.document.settings.env
        page = chapter.page_of(env, env.docname)
        if page is None:
            return super().run()
        name, own = page
        doc, _, rest = self.text.rpartition("::")
        path = Path(env.doc2path(name))
        listed = chapter.listed(path)
        framework = own or env.temp_data.get(PROSE) or listed[0]
        if doc:
            names = {chapter.notebook_path(path, f).name: f for f in listed}
            framework = names.get(Path(doc).name, framework)
        if framework in env.config.d2lmini_unavailable:
            text = not_run(path)
            return [nodes.inline(text, text, classes=["pasted-text"])], []
        if not own and not doc:
            notebook = chapter.notebook_path(path.name, framework).name
            # The role splits a format off at the last colon: give it one.
            self.text = f"{notebook}::{rest}" + ("" if ":" in rest else ":")
        return super().run()


def is_prose(node):
    return isinstance(node, nodes.container) and PROSE in node


def runs(found, framework_of):
    """Runs of adjacent sibling nodes of different frameworks, in order; a
    node of no framework (None) is a run of its own."""
    out = []
    for node in found:
        last = out[-1][-1] if out else None
        joins = (
            last is not None
            and framework_of(node)
            and framework_of(last)
            and framework_of(node) not in {framework_of(n) for n in out[-1]}
            and node.parent is last.parent
            and node.parent.index(node) == node.parent.index(last) + 1
        )
        if joins:
            out[-1].append(node)
        else:
            out.append([node])
    return out


def make_tabs(app, doctree):
    """Each run of prose nodes becomes one set of synced tabs."""
    order = list(REGISTRY)
    for run in runs(doctree.findall(is_prose), lambda node: node[PROSE]):
        items = sorted(run, key=lambda node: order.index(node[PROSE]))
        tabs = tab_nodes(
            [(node[PROSE], list(node.children)) for node in items]
        )
        for node in run[1:]:
            node.parent.remove(node)
        run[0].replace_self(tabs)


def setup(app):
    app.add_config_value("d2lmini_unavailable", {}, "env")
    app.add_directive("framework", Framework)
    app.add_directive("per-framework", PerFramework)
    app.add_role_to_domain("glue", "text", Glue(), override=True)
    app.connect("doctree-read", make_tabs)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
