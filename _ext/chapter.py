"""A tabbed chapter as data, as d2lbook's notebook.py does it.

A chapter whose front matter lists `frameworks:` is written once. Each cell,
code or Markdown, tagged with a framework's name (`pytorch`, `tensorflow`,
`mxnet`: the registry's names) belongs to that framework; an untagged cell
to all. A Markdown cell tagged `per-framework` is every framework's, each
with its own glued numbers. jupytext reads the chapter into a notebook once;
it is split by these tags into one notebook per framework, each cell keeping
its position in the chapter (`origin`), which is how the tabs find it again.
"""

import copy
from functools import cache
from pathlib import Path

import jupytext
import language
from sphinx.errors import ExtensionError

from d2lmini.core.registry import FRAMEWORKS as REGISTRY

EACH = "per-framework"  # a Markdown cell's tag: each framework's numbers
ORIGIN = "origin"  # a split cell's metadata: its index in the chapter
FORMAT = "md:myst"
# The framework of the formats without tabs: the PDF and the notebooks.
DEFAULT = next(iter(REGISTRY))


def reads(text):
    return jupytext.reads(text, fmt=FORMAT)


def writes(nb):
    """MyST text of `nb`, with all of its metadata (jupytext keeps only the
    kernelspec unless told), and no version stamp."""
    nb.metadata.setdefault("jupytext", {})["notebook_metadata_filter"] = (
        "all,-jupytext.text_representation.jupytext_version"
    )
    return jupytext.writes(nb, fmt=FORMAT)


def frameworks(metadata):
    """The frameworks a chapter's front matter lists, in the registry's order
    (the first is the one the PDF and the notebooks show); [] if none."""
    listed = metadata.get("frameworks") or []
    unknown = [name for name in listed if name not in REGISTRY]
    if unknown:
        raise ExtensionError(
            f"frameworks: {', '.join(unknown)} not in "
            f"d2lmini/core/registry.py (it knows {', '.join(REGISTRY)})"
        )
    return [name for name in REGISTRY if name in listed]


@cache
def _front(path, mtime):
    return reads(Path(path).read_text(encoding="utf-8")).metadata


def front(path):
    """The front matter of the page at `path` (read once per change)."""
    path = Path(path)
    if path.suffix != ".md" or not path.is_file():
        return {}
    return _front(path, path.stat().st_mtime)


def listed(path):
    """The frameworks of the chapter at `path`; [] for an untabbed page."""
    return frameworks(front(path))


def is_tabbed(path):
    return bool(listed(path))


def page_of(env, docname):
    """(chapter, framework) for a framework's notebook, (chapter, None) for
    a tabbed chapter, None for any other page."""
    for framework in REGISTRY:
        chapter = docname.removesuffix(f"-{framework}")
        if chapter != docname and chapter in env.found_docs:
            if framework in listed(env.doc2path(chapter)):
                return chapter, framework
    return (docname, None) if is_tabbed(env.doc2path(docname)) else None


def framework_of_page(env, docname):
    """The framework whose notebook page `docname` is: its own, or the
    default one (a chapter's own notebook, and any other page's)."""
    page = page_of(env, docname)
    return (page and page[1]) or DEFAULT


def framework_of(cell):
    """The framework a cell's tags name, or None for every framework."""
    found = [t for t in cell.metadata.get("tags", []) if t in REGISTRY]
    if len(found) > 1:
        raise ExtensionError(f"a cell has two framework tags: {found}")
    return found[0] if found else None


def notebook_path(chapter, framework):
    chapter = Path(chapter)
    return chapter.with_name(f"{chapter.stem}-{framework}{chapter.suffix}")


def origins(nb):
    """`nb` with every cell's position in the chapter in its metadata."""
    nb = copy.deepcopy(nb)
    for index, cell in enumerate(nb.cells):
        cell.metadata[ORIGIN] = index
    return nb


def split(nb, framework):
    """The cells of `framework`, with their origins and without the tags that
    chose them."""
    nb = origins(nb)
    own = [c for c in nb.cells if framework_of(c) in (None, framework)]
    for cell in own:
        tags = [t for t in cell.metadata.get("tags", []) if t != framework]
        tags = [t for t in tags if t != EACH]
        if tags:
            cell.metadata["tags"] = tags
        else:
            cell.metadata.pop("tags", None)
    nb.cells = own
    return nb


ABOUT = {  # what a framework's notebook says of itself, in each language
    "en": "This is the chapter's {display} notebook; {{doc}}`{stem}` shows "
    "all three frameworks side by side.",
    "zh": "这是本章的 {display} 笔记本；"
    "三种框架并列的一章见 {{doc}}`{stem}`。",
}


def about(nb, framework, stem):
    chinese = language.is_chinese(str(nb.metadata.get("lang", "en")))
    text = ABOUT["zh" if chinese else "en"]
    return text.format(display=REGISTRY[framework].display, stem=stem)


def notebook(nb, framework, stem, why=None):
    """The chapter as `framework`'s own notebook: its cells, its kernel, its
    title; `why` says why this build cannot run it, if it cannot."""
    f = REGISTRY[framework]
    nb = split(nb, framework)
    nb.metadata.pop("frameworks", None)
    nb.metadata["kernelspec"] = {
        "display_name": f.kernel_display,
        "language": "python",
        "name": f.kernel,
    }
    # A page outside the table of contents, left out of the search: the
    # search finds the tabbed chapter.
    nb.metadata.update(orphan=True, nosearch=True)
    if why:
        nb.metadata["mystnb"] = {"execution_mode": "off"}
    first = next(c for c in nb.cells if c.cell_type == "markdown")
    lines = first.source.splitlines()
    title = next(i for i, line in enumerate(lines) if line.startswith("# "))
    lines[title] += f" ({f.display})"
    notes = [about(nb, framework, stem)]
    if why:
        notes.append(f"```{{warning}}\n{why}\n```")
    lines[title + 1 : title + 1] = ["", *"\n\n".join(notes).splitlines()]
    first.source = "\n".join(lines)
    return nb


def fence(text):
    """A colon fence longer than any that starts a line of `text`."""
    runs = [len(line) - len(line.lstrip(":")) for line in text.splitlines()]
    return ":" * max(3, max(runs, default=0) + 1)


def view(nb):
    """The chapter as Sphinx reads it: each cell with its origin, and each
    framework's Markdown cell in a directive (prose_tabs.py makes the tabs)."""
    nb = origins(nb)
    for cell in nb.cells:
        if cell.cell_type != "markdown":
            continue
        framework = framework_of(cell)
        if framework:
            directive = f"{{framework}} {framework}"
        elif EACH in cell.metadata.get("tags", []):
            directive = "{per-framework}"
        else:
            continue
        colons = fence(cell.source)
        cell.source = f"{colons}{directive}\n{cell.source}\n{colons}"
    return nb
