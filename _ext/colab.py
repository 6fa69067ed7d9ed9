"""Colab, as d2l has it: each framework's notebook opens in Colab from the
published site, and the launch menu follows the framework tab the reader
selected. A framework Colab cannot run (MXNet) gets no Colab link, and
its entry says why.

Colab opens notebooks from GitHub. `make publish` and the workflow push
the built site to the repository's gh-pages branch; its `_sources/` holds
every page's notebook (notebooks.py writes them), so a notebook's Colab URL
is known when the site is built. Inside Colab, relative links between
notebooks lead nowhere: the published copies link each other's Colab URL.
Without a repository URL there is nothing to open, and nothing changes.
"""

import posixpath
import re
from pathlib import Path

from buttons import repository_url
from chapter import framework_of_page

from d2lmini.core.registry import FRAMEWORKS

COLAB = "https://colab.research.google.com/github"
BRANCH = "gh-pages"  # where the built site is published (see the module)
ICON = "_static/images/logo_colab.png"  # the theme's Colab logo
# A Markdown link to a notebook of the book, relative: [text](../x.ipynb#y)
NOTEBOOK_LINK = re.compile(r"\]\((?![a-z]+:|#)([^)\s]+?)\.ipynb(#[^)\s]*)?\)")


def notebook_url(repo_url, docname):
    """The Colab URL of `docname`'s published notebook."""
    owner_repo = repo_url.removeprefix("https://github.com/")
    return f"{COLAB}/{owner_repo}/blob/{BRANCH}/_sources/{docname}.ipynb"


def colab_links(notebook, docname, repo_url):
    """`notebook` with its links to the book's other notebooks made Colab
    URLs (a notebook opened in Colab has no folder beside it)."""

    def absolute(match):
        here = posixpath.dirname(docname)
        target = posixpath.normpath(posixpath.join(here, match[1]))
        return f"]({notebook_url(repo_url, target)}{match[2] or ''})"

    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            cell.source = NOTEBOOK_LINK.sub(absolute, cell.source)
    return notebook


def entry(repo_url, docname, framework, pathto):
    """The launch menu's Colab entry for `docname`, a notebook of
    `framework`."""
    fw = FRAMEWORKS[framework]
    common = {"type": "link", "label": f"colab-{framework}"}
    if fw.no_colab:  # no link that would fail: the notebook, to download
        return {
            **common,
            "text": f"No Colab for {fw.display}: {fw.no_colab}",
            "tooltip": "Download the notebook, to run it with the book's "
            f"{fw.display} kernel",
            "icon": "fas fa-download",
            "url": pathto(f"_sources/{docname}.ipynb", 1),
        }
    return {
        **common,
        "text": f"Colab ({fw.display})",
        "tooltip": f"Open the {fw.display} notebook in Colab",
        "icon": ICON,
        "url": notebook_url(repo_url, docname),
    }


def colab_entries(app, pagename, context):
    """The Colab entries of a page: one per framework on a tabbed chapter,
    one on any other page that is a notebook; [] for other pages."""
    pathto = context["pathto"]
    url = repository_url(app.config)
    notebooks = Path(app.outdir).parent / "jupyter_execute"
    tabbed = [
        n
        for n in FRAMEWORKS
        if (notebooks / f"{pagename}-{n}.ipynb").is_file()
    ]
    if tabbed:
        return [entry(url, f"{pagename}-{n}", n, pathto) for n in tabbed]
    if (notebooks / f"{pagename}.ipynb").is_file():
        framework = framework_of_page(app.env, pagename)
        return [entry(url, pagename, framework, pathto)]
    return []


def add_colab(app, pagename, templatename, context, doctree):
    """Put the page's Colab entries into the theme's launch menu."""
    if not repository_url(app.config) or "header_buttons" not in context:
        return
    entries = colab_entries(app, pagename, context)
    if not entries:
        return
    groups = context["header_buttons"]
    menu = next(
        (g for g in groups if g.get("label") == "launch-buttons"), None
    )
    if menu is None:
        menu = {
            "type": "group",
            "tooltip": "Launch interactive content",
            "icon": "fas fa-rocket",
            "buttons": [],
            "label": "launch-buttons",
        }
        groups.insert(0, menu)
    menu["buttons"] = [
        b for b in menu["buttons"] if b.get("text") != "Colab"
    ] + entries
    if len(entries) > 1:  # show the selected tab's entry only
        app.add_js_file("colab.js")


def add_static(app, config):
    """colab.js, in _ext/static/."""
    config.html_static_path.append(str(Path(__file__).parent / "static"))


def setup(app):
    app.connect("config-inited", add_static)
    # After the theme adds its launch buttons (priority 501).
    app.connect("html-page-context", add_colab, priority=600)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
