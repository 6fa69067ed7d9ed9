"""A framework's notebook gets labels of its own.

Each framework's notebook holds the chapter's labels (sections, equations,
figures), which the chapter defines too. As a notebook is read, each of its
labels gets the framework's name as a suffix (`sec-demo` becomes
`sec-demo-tensorflow`), and so does every reference to one, so that no label
is defined twice. A `{numref}` to a figure keeps naming the chapter's
figure: a notebook is outside the table of contents, so its own figures
have no numbers.
"""

from chapter import page_of
from docutils import nodes
from sphinx import addnodes
from sphinx.transforms import SphinxTransform


def move_id(document, old_id, new_id):
    """The node with id `old_id` now has `new_id` in its place."""
    node = document.ids.pop(old_id)
    node["ids"] = [new_id if i == old_id else i for i in node["ids"]]
    document.ids[new_id] = node
    return node


def rename(document, old, new):
    """Label `old` is now `new`, with an id made from it; returns the ids."""
    old_id, new_id = document.nameids.pop(old), nodes.make_id(new)
    node = move_id(document, old_id, new_id)
    node["names"] = [new if n == old else n for n in node["names"]]
    document.nameids[new] = new_id
    document.nametypes[new] = document.nametypes.pop(old)
    return old_id, new_id


def rename_equations(document, env, suffix):
    """Each labelled equation gets `suffix`, in the node and in the math
    domain, where the parser put it (keeping its number). The chapter is
    read after its notebooks (frameworks.py), so the old label is free again
    when the chapter takes it. Returns {old label: old id, new id}."""
    equations = env.get_domain("math").equations
    renamed = {}
    for math in document.findall(nodes.math_block):
        if not math.get("label"):
            continue
        old, new = math["label"], math["label"] + suffix
        math["label"] = new
        equations[new] = equations.pop(old)
        old_id, new_id = f"equation-{old}", f"equation-{new}"
        move_id(document, old_id, new_id)
        renamed[old] = (old_id, new_id)
    return renamed


class OwnLabels(SphinxTransform):
    """Before the domains collect the labels (850)."""

    default_priority = 800

    def apply(self, **kwargs):
        page = page_of(self.env, self.env.docname)
        if page is None or page[1] is None:
            return
        suffix = f"-{page[1]}"
        explicit = [
            name
            for name, yes in self.document.nametypes.items()
            if yes and self.document.nameids.get(name)
        ]
        figures, ids = set(), {}
        for name in explicit:
            node = self.document.ids[self.document.nameids[name]]
            if isinstance(node, nodes.figure):
                figures.add(name)
            ids.update([rename(self.document, name, name + suffix)])
        equations = rename_equations(self.document, self.env, suffix)
        ids.update(equations.values())
        for node in self.document.findall(nodes.Element):
            if node.get("refid") in ids:  # a target moved onto its node
                node["refid"] = ids[node["refid"]]
        for ref in self.document.findall(addnodes.pending_xref):
            target = ref.get("reftarget")
            if ref.get("reftype") == "eq" and target in equations:
                ref["reftarget"] = target + suffix
            elif target in explicit and not (
                ref.get("reftype") == "numref" and target in figures
            ):
                ref["reftarget"] = target + suffix
