"""One chapter source, many frameworks, as d2l's tabs: the build's part.

When the build starts, each tabbed chapter that the table of contents lists
is split (chapter.py) into one notebook per framework beside it
(`minibatch_sgd-tensorflow.md`, ignored by git), with that framework's
kernel. myst-nb executes and caches each like any page; it is also that
framework's download. The chapter itself is not executed: Sphinx reads it
with its framework prose in directives (prose_tabs.py), and its code cells
become tabs of the notebooks' executed cells (code_tabs.py). sphinx-design
keeps the reader's choice; `?framework=tensorflow` in a link preselects one.
"""

from pathlib import Path

import chapter
import code_tabs
import figures
import labels
from sphinx.errors import ConfigError

from d2lmini.core.registry import FRAMEWORKS as REGISTRY


def why_missing(f):
    """Why a build may lack framework `f`'s kernel, and the fix."""
    if not f.environment:
        return (
            f"`make book` makes it in the book's environment, with "
            f"{f.display}; run `make kernels`."
        )
    return (
        f"{f.release} needs {f.python} ({f.why}); `make book` makes its "
        f"environment and kernel where `MXNET_PYTHON` is such a Python and "
        f"the install succeeds (it says which failed)."
    )


def unavailable_frameworks():
    """{framework: why this build could not run it}, for missing kernels."""
    from jupyter_client.kernelspec import find_kernel_specs

    specs = find_kernel_specs()
    return {
        name: f"This build could not run {f.display}: it has no Jupyter "
        f"kernel `{f.kernel}`. {why_missing(f)} The code is shown without "
        "outputs."
        for name, f in REGISTRY.items()
        if f.kernel != "python3" and f.kernel not in specs
    }


def tabbed_chapters(srcdir, toc_path):
    """The tabbed chapters that the table of contents lists (a teacher's
    trimmed _toc.yml gets no notebooks of the chapters it leaves out)."""
    from sphinx_external_toc.parsing import parse_toc_yaml

    pages = [Path(srcdir) / f"{doc}.md" for doc in parse_toc_yaml(toc_path)]
    return [p for p in pages if p.is_file() and chapter.is_tabbed(p)]


def whole_book_only(app, config):
    """Stop a single-page build (`jupyter-book build chapters/x.md`) with one
    sentence: a page alone has no table of contents, so no framework
    notebooks, bibliography or cross-references."""
    if getattr(config, "external_toc_path", None):
        return
    raise ConfigError(
        f"this book builds as a whole, not one page at a time: run "
        f"`jupyter-book build .` (or `make book`) in the folder that holds "
        f"_toc.yml, not `jupyter-book build` on a page of {app.srcdir}"
    )


def notebooks(srcdir, toc_path):
    """{chapter: {framework: its notebook's path}} for the tabbed chapters."""
    return {
        path: {
            fw: chapter.notebook_path(path, fw) for fw in chapter.listed(path)
        }
        for path in tabbed_chapters(srcdir, toc_path)
    }


def write_notebooks(app, config):
    """Write each tabbed chapter's framework notebooks (only when changed, so
    that a rebuild re-reads nothing), and keep the chapter from being
    executed."""
    config.d2lmini_unavailable = unavailable = unavailable_frameworks()
    excluded = list(config.nb_execution_excludepatterns or [])
    for path, targets in notebooks(
        app.srcdir, config.external_toc_path
    ).items():
        nb = chapter.reads(path.read_text(encoding="utf-8"))
        for fw, target in targets.items():
            new = chapter.notebook(nb, fw, path.stem, unavailable.get(fw))
            text = chapter.writes(new)
            if not target.exists() or target.read_text("utf-8") != text:
                target.write_text(text, encoding="utf-8")
        excluded.append(path.relative_to(app.srcdir).as_posix())
    config.nb_execution_excludepatterns = excluded


def keep_notebooks(app, config):
    """Jupyter Book excludes every page not in _toc.yml (priority 900): keep
    the framework notebooks, which the chapter links."""
    written = {
        target.relative_to(app.srcdir).as_posix()
        for targets in notebooks(app.srcdir, config.external_toc_path).values()
        for target in targets.values()
    }
    config.exclude_patterns = [
        p for p in config.exclude_patterns if p not in written
    ]


def read_chapter(app, docname, source):
    """A tabbed chapter as Sphinx reads it (chapter.view); its tabs show its
    notebooks' cells, so a change there reads it again."""
    path = Path(app.env.doc2path(docname))
    if chapter.page_of(app.env, docname) != (docname, None):
        return
    for fw in chapter.listed(path):
        app.env.note_dependency(str(chapter.notebook_path(path, fw)))
    source[0] = chapter.writes(chapter.view(chapter.reads(source[0])))


def notebooks_first(app, env, docnames):
    """Read each tabbed chapter after its notebooks, and forget the chapter
    before reading them, as Sphinx would just before reading it: a notebook
    takes the chapter's labels while it is parsed (labels.py says why)."""
    pages = {d: chapter.page_of(env, d) for d in env.found_docs}
    tabbed = {name for name, _ in filter(None, pages.values())}
    chapters = sorted(
        c
        for c in tabbed
        if any(pages[d][0] == c for d in docnames if pages[d])
    )
    for name in chapters:
        app.emit("env-purge-doc", env, name)
        env.clear_doc(name)
    docnames[:] = [d for d in docnames if d not in chapters] + chapters


def setup(app):
    app.setup_extension("prose_tabs")
    app.connect("config-inited", whole_book_only, priority=100)
    app.connect("config-inited", write_notebooks)
    app.connect("config-inited", keep_notebooks, priority=950)
    app.connect("env-before-read-docs", notebooks_first)
    app.connect("source-read", read_chapter)
    app.add_transform(labels.OwnLabels)
    app.add_transform(figures.Placeholders)
    app.add_post_transform(code_tabs.MergeFrameworkCells)
    # Not in parallel: a chapter must be read after its notebooks.
    return {"parallel_read_safe": False, "parallel_write_safe": True}
