"""One chapter source, three frameworks, as d2l's tabs.

A chapter whose front matter lists `frameworks:` is written once. A code
cell tagged `pytorch`, `tensorflow` or `mxnet` belongs to that framework; an
untagged one to all. Prose for one framework sits in
`:::{framework} tensorflow`, and prose whose glued numbers each framework
measures in `::::{per-framework}`.

- When the build starts, each framework gets a notebook of its own beside the
  chapter (`minibatch_sgd-tensorflow.md`, ignored by git): its cells, its
  prose, its kernel. myst-nb executes it (and caches it) like any page; it is
  the framework's complete notebook, for the downloads.
- The chapter itself is not executed. A post-transform puts each of its cells
  into synced tabs (PyTorch first) holding that framework's executed cell,
  and `source-read` turns the prose blocks into the same tabs, each glued
  number taken from its framework's notebook. sphinx-design keeps the choice
  in localStorage; `?framework=tensorflow` in a link preselects one.
- Formats without tabs (the PDF, the notebooks) show PyTorch only.
"""

import re
from pathlib import Path

import language
from docutils import nodes
from sphinx.errors import ConfigError, ExtensionError
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx_design.shared import create_component

from d2lmini.core.registry import FRAMEWORKS as REGISTRY

FRAMEWORKS = {name: f.display for name, f in REGISTRY.items()}
KERNELS = {name: (f.kernel, f.kernel_display) for name, f in REGISTRY.items()}
SYNC_GROUP = "framework"


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


CELL = re.compile(r"^```\{code-cell\}[^\n]*\n.*?^```[ \t]*$\n?", re.M | re.S)
TAGS = re.compile(r"^(:tags:|tags:)\s*\[([^\]]*)\]\s*$", re.M)
ONE = re.compile(r"^:::\{framework\} (\w+)\n(.*?)^:::[ \t]*$\n?", re.M | re.S)
EACH = re.compile(r"^::::\{per-framework\}\n(.*?)^::::[ \t]*$\n?", re.M | re.S)
GLUE = re.compile(r"(\{glue:text\}`)([^`:]+)(:[^`]*)?`")
LABEL = re.compile(r"^\(([\w-]+)\)=$|^\$\$ \(([\w-]+)\)$", re.M)
TITLE = re.compile(r"^# (.+)$", re.M)


def framework_of(cell):
    """The framework a code cell's tags name, or None for every framework."""
    tags = TAGS.search(cell)
    names = [t.strip() for t in tags[2].split(",")] if tags else []
    found = [t for t in names if t in FRAMEWORKS]
    return found[0] if found else None


def untagged(cell):
    """`cell` without its framework tag (and without a tags line left
    empty)."""

    def drop(match):
        names = [t.strip() for t in match[2].split(",")]
        rest = [t for t in names if t and t not in FRAMEWORKS]
        return f"{match[1]} [{', '.join(rest)}]" if rest else ""

    cell = TAGS.sub(drop, cell)
    return re.sub(r"^---\n---\n", "", cell, flags=re.M)  # an empty header


def split_front_matter(text):
    """(front matter lines without the --- fences, body)."""
    _, front, body = text.split("---\n", 2)
    return front, body


def is_tabbed(text):
    return text.startswith("---\n") and bool(
        re.search(r"^frameworks:", split_front_matter(text)[0], re.M)
    )


def notebook_path(chapter, framework):
    chapter = Path(chapter)
    return chapter.with_name(f"{chapter.stem}-{framework}{chapter.suffix}")


def suffix_labels(body, framework):
    """Give every label the chapter defines a -framework suffix, where it is
    defined and where it is referred to, so the notebooks and the chapter
    never define one label twice."""
    names = {a or b for a, b in LABEL.findall(body)}
    names |= set(re.findall(r"^\s+name: ([\w-]+)$", body, re.M))
    for name in sorted(names, key=len, reverse=True):
        new = f"{name}-{framework}"
        body = re.sub(rf"^\({name}\)=$", f"({new})=", body, flags=re.M)
        body = re.sub(rf"^\$\$ \({name}\)$", f"$$ ({new})", body, flags=re.M)
        body = re.sub(
            rf"^(\s+name: ){name}$", rf"\g<1>{new}", body, flags=re.M
        )
        body = re.sub(
            rf"(\{{(?:numref|ref|eq)\}}`(?:[^`]*<)?){name}(>?`)",
            rf"\g<1>{new}\g<2>",
            body,
        )
    return body


def notebook_text(text, framework, chapter, unavailable):
    """The chapter as `framework`'s own notebook (MyST text); `unavailable`
    maps the frameworks this build cannot run to the reason."""
    text = not_run(text, chapter, unavailable)
    front, body = split_front_matter(text)
    name, display = KERNELS[framework]
    front = re.sub(r"^frameworks:.*\n(?:  - .*\n)*", "", front, flags=re.M)
    front = re.sub(
        r"^kernelspec:\n(?:  .*\n)*",
        f"kernelspec:\n  display_name: {display}\n  language: python\n"
        f"  name: {name}\n",
        front,
        flags=re.M,
    )
    # A page outside the table of contents, left out of the search: the
    # search finds the tabbed chapter.
    front += "orphan: true\nnosearch: true\n"
    why = unavailable.get(framework)
    if why:
        front += "mystnb:\n  execution_mode: 'off'\n"

    def cell(match):
        own = framework_of(match[0])
        return untagged(match[0]) if own in (None, framework) else ""

    body = CELL.sub(cell, body)
    body = ONE.sub(lambda m: m[2] if m[1] == framework else "", body)
    body = EACH.sub(lambda m: m[1], body)
    body = re.sub(r"\n{3,}", "\n\n", body)
    body = suffix_labels(body, framework)
    body = TITLE.sub(rf"# \1 ({FRAMEWORKS[framework]})", body, count=1)
    stem = Path(chapter).stem
    about = (
        f"这是本章的 {FRAMEWORKS[framework]} 笔记本；三种框架并列的一章见 "
        f"{{doc}}`{stem}`。"
        if language.is_chinese(language.of_text(text))
        else f"This is the chapter's {FRAMEWORKS[framework]} notebook; "
        f"{{doc}}`{stem}` shows all three frameworks side by side."
    )
    body = TITLE.sub(lambda m: f"{m[0]}\n\n{about}", body, count=1)
    if why:  # nothing ran, so nothing was glued
        body = re.sub(r"\{glue:text\}`[^`]*`", not_run_words(text), body)
        body = TITLE.sub(
            lambda m: f"{m[0]}\n\n```{{warning}}\n{why}\n```",
            body,
            count=1,
        )
    return f"---\n{front}---\n{body}"


def tab_set(items):
    """MyST for synced tabs: items is [(framework, text)]."""
    out = [f"::::::{{tab-set}}\n:sync-group: {SYNC_GROUP}\n"]
    for framework, text in items:
        out.append(
            f":::::{{tab-item}} {FRAMEWORKS[framework]}\n"
            f":sync: {framework}\n\n{text.strip()}\n:::::\n"
        )
    return "\n".join(out) + "::::::\n"


def glue_from(text, chapter, framework):
    """Glue references in `text` read from `framework`'s notebook."""
    target = notebook_path(Path(chapter).name, framework).name

    def ref(m):
        if (m[3] or "").startswith("::"):  # from a named notebook already
            return m[0]
        # The role splits a format off at the last colon: give it one.
        return f"{m[1]}{target}::{m[2]}{m[3] or ':'}`"

    return GLUE.sub(ref, text)


def not_run_words(text):
    return (
        "未运行" if language.is_chinese(language.of_text(text)) else "not run"
    )


def not_run(text, chapter, unavailable):
    """Glued numbers of frameworks this build could not run, as 'not run'."""
    for fw in unavailable:
        target = re.escape(notebook_path(Path(chapter).name, fw).name)
        text = re.sub(
            rf"\{{glue:text\}}`{target}::[^`]*`", not_run_words(text), text
        )
    return text


def chapter_text(text, chapter, unavailable):
    """The chapter as Sphinx reads it: framework prose as tabs, and every
    glued number from a framework's notebook."""

    def each(match):
        return tab_set(
            [
                (
                    fw,
                    unavailable[fw]
                    if fw in unavailable
                    else glue_from(match[1], chapter, fw),
                )
                for fw in FRAMEWORKS
            ]
        )

    text = EACH.sub(each, not_run(text, chapter, unavailable))
    # Runs of one-framework blocks, separated by blank lines, become one set.
    run = re.compile(rf"(?:{ONE.pattern}\s*)+", re.M | re.S)

    def runs(match):
        items = [
            (m[1], unavailable.get(m[1]) or glue_from(m[2], chapter, m[1]))
            for m in ONE.finditer(match[0])
        ]
        return tab_set(items) + "\n"

    text = run.sub(runs, text)
    # Any other glued number (outside tabs) is PyTorch's.
    front, body = split_front_matter(text)
    parts = re.split(
        r"(^::::::\{tab-set\}.*?^::::::$)", body, flags=re.M | re.S
    )
    body = "".join(
        part
        if part.startswith("::::::{tab-set}")
        else glue_from(part, chapter, "pytorch")
        for part in parts
    )
    return f"---\n{front}---\n{body}"


def unavailable_frameworks():
    """{framework: why this build could not run it}, for missing kernels."""
    from jupyter_client.kernelspec import find_kernel_specs

    specs = find_kernel_specs()
    return {
        fw: f"This build could not run {FRAMEWORKS[fw]}: it has no Jupyter "
        f"kernel `{name}`. {why_missing(REGISTRY[fw])} The code is shown "
        f"without outputs."
        for fw, (name, _) in KERNELS.items()
        if name != "python3" and name not in specs
    }


def tabbed_chapters(srcdir, toc_path):
    """The tabbed chapters that the table of contents lists (a teacher's
    trimmed _toc.yml gets no notebooks of the chapters it leaves out)."""
    from sphinx_external_toc.parsing import parse_toc_yaml

    pages = [Path(srcdir) / f"{doc}.md" for doc in parse_toc_yaml(toc_path)]
    return [
        p for p in pages if p.is_file() and is_tabbed(p.read_text("utf-8"))
    ]


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


def check(text, path):
    """Fail with a clear message on the forms the text transforms above do
    not read: the cells must be those jupytext reads, each with at most one
    framework tag, and a framework block holds no nested ::: block."""
    import jupytext

    cells = [c for c in jupytext.reads(text, fmt="md:myst").cells]
    tagged = [
        [t for t in c.metadata.get("tags", []) if t in FRAMEWORKS]
        for c in cells
        if c.cell_type == "code"
    ]
    if any(len(t) > 1 for t in tagged):
        raise ExtensionError(f"{path}: a code cell has two framework tags")
    ours = [framework_of(c) for c in CELL.findall(split_front_matter(text)[1])]
    if ours != [t[0] if t else None for t in tagged]:
        raise ExtensionError(
            f"{path}: write each code cell as ```{{code-cell}} with its tags "
            "on one line (:tags: [tensorflow]) or in a --- header; the "
            "framework tabs cannot read another form"
        )
    for m in [*ONE.finditer(text), *EACH.finditer(text)]:
        if re.search(r"^:{3,}", m[m.lastindex], re.M):
            raise ExtensionError(
                f"{path}: a directive inside a framework block; use "
                "```{note} fences there"
            )


def keep_notebooks(app, config):
    """Jupyter Book excludes every page not in _toc.yml (after
    write_notebooks, priority 900): keep the framework notebooks, which the
    chapter links."""
    written = set(getattr(app, "framework_notebooks", []))
    config.exclude_patterns = [
        p for p in config.exclude_patterns if p not in written
    ]


def write_notebooks(app, config):
    """Write each tabbed chapter's framework notebooks (only when changed, so
    that a rebuild re-reads nothing), and keep the chapter itself from
    being executed."""
    app.env_unavailable = unavailable = unavailable_frameworks()
    excluded = list(config.nb_execution_excludepatterns or [])
    app.framework_notebooks = []
    for chapter in tabbed_chapters(app.srcdir, config.external_toc_path):
        text = chapter.read_text(encoding="utf-8")
        check(text, chapter)
        for fw in FRAMEWORKS:
            path = notebook_path(chapter, fw)
            app.framework_notebooks.append(
                path.relative_to(app.srcdir).as_posix()
            )
            new = notebook_text(text, fw, chapter, unavailable)
            if not path.exists() or path.read_text(encoding="utf-8") != new:
                path.write_text(new, encoding="utf-8")
        excluded.append(chapter.relative_to(app.srcdir).as_posix())
    config.nb_execution_excludepatterns = excluded


def read_chapter(app, docname, source):
    if is_tabbed(source[0]):
        unavailable = getattr(app, "env_unavailable", {})
        chapter = Path(app.env.doc2path(docname))
        for fw in FRAMEWORKS:  # the tabs show these notebooks' cells
            app.env.note_dependency(str(notebook_path(chapter, fw)))
        source[0] = chapter_text(source[0], chapter, unavailable)


def framework_cells(env, docname, framework):
    """The code cells of a framework's notebook, in order."""
    doctree = env.get_doctree(f"{docname}-{framework}")
    return [c.deepcopy() for c in doctree.findall(is_cell)]


def is_cell(node):
    return (
        isinstance(node, nodes.container)
        and node.get("nb_element") == "cell_code"
    )


def cell_framework(cell):
    tags = cell.get("cell_metadata", {}).get("tags", [])
    return next((t for t in tags if t in FRAMEWORKS), None)


def tab_nodes(cells):
    """Synced sphinx-design tabs, one per (framework, cell)."""
    tabs = create_component("tab-set", classes=["sd-tab-set"])
    for framework, cell in cells:
        item = create_component(
            "tab-item", classes=["sd-tab-item"], selected=False
        )
        label = nodes.rubric(
            "", FRAMEWORKS[framework], classes=["sd-tab-label"]
        )
        label["sync_id"] = framework
        label["sync_group"] = SYNC_GROUP
        content = create_component("tab-content", classes=["sd-tab-content"])
        content += cell
        item += [label, content]
        tabs += item
    return tabs


class MergeFrameworkCells(SphinxPostTransform):
    """Each code cell of a tabbed chapter becomes synced tabs of its
    frameworks' executed cells; formats without tabs get PyTorch's. Runs
    before myst-nb picks output formats (4) and sphinx-design draws tabs.

    The LaTeX builder resolves one tree of the whole book, so each cell's
    chapter is read off its source file, not off the document resolved."""

    default_priority = 1

    def apply(self, **kwargs):
        html = self.app.builder.format == "html"
        chapters = {}  # docname -> its cells, in order
        tabbed = {}  # docname -> whether it is a tabbed chapter (read once)
        for cell in self.document.findall(is_cell):
            docname = self.env.path2doc(cell.source) if cell.source else None
            if docname and docname not in tabbed:
                tabbed[docname] = tabbed_doc(self.env, docname)
            if docname and tabbed[docname]:
                chapters.setdefault(docname, []).append(cell)
        for docname, cells in chapters.items():
            self.merge(docname, cells, html)
        if not html:
            for tabs in list(self.document.findall(is_framework_tabs)):
                content = pytorch_content(tabs)
                if content:
                    tabs.replace_self(content)
                else:  # prose for other frameworks only
                    tabs.parent.remove(tabs)

    def merge(self, docname, cells, html):
        notebooks = {
            fw: iter(framework_cells(self.env, docname, fw))
            for fw in FRAMEWORKS
        }
        for group in groups(cells):
            members = {cell_framework(c) for c in group}
            frameworks = FRAMEWORKS if members == {None} else members
            ran = [
                (fw, next(notebooks[fw], None))
                for fw in FRAMEWORKS
                if fw in frameworks
            ]
            if any(cell is None for _, cell in ran):
                raise ExtensionError(
                    f"{docname}: its framework notebooks have fewer code "
                    "cells than the chapter; build again from a clean _build"
                )
            if html:
                group[0].replace_self(tab_nodes(ran))
            else:
                group[0].replace_self(dict(ran).get("pytorch", []))
            for cell in group[1:]:
                cell.parent.remove(cell)


def tabbed_doc(env, docname):
    """Whether `docname` is a tabbed chapter (its front matter lists
    frameworks:)."""
    return is_tabbed(Path(env.doc2path(docname)).read_text(encoding="utf-8"))


def groups(cells):
    """A chapter's cells: one group per untagged cell, and one per run of
    adjacent framework cells."""
    found = []
    for cell in cells:
        previous = found[-1][-1] if found else None
        adjacent = (
            previous is not None
            and cell_framework(cell)
            and cell_framework(previous)
            and cell_framework(cell)
            not in {cell_framework(c) for c in found[-1]}
            and cell.parent is previous.parent
            and cell.parent.index(cell) == cell.parent.index(previous) + 1
        )
        if adjacent:
            found[-1].append(cell)
        else:
            found.append([cell])
    return found


def is_framework_tabs(node):
    if not (
        isinstance(node, nodes.container)
        and node.get("design_component") == "tab-set"
    ):
        return False
    labels = [
        n
        for n in node.findall(nodes.rubric)
        if n.get("sync_group") == SYNC_GROUP
    ]
    return bool(labels)


def pytorch_content(tabs):
    for item in tabs.children:
        label = item.children[0]
        if label.get("sync_id") == "pytorch":
            return item.children[1].children
    return []


def forget_tab_figures(app, env):
    """Take out the numbers number_tab_figures gave, before Sphinx numbers
    the figures afresh and compares with the last build's numbers (which
    would otherwise always differ, and rewrite the chapter every build)."""
    for docname, numbers in getattr(env, "d2lmini_tab_figures", {}).items():
        kinds = env.toc_fignumbers.get(docname, {})
        figures = kinds.get("figure", {})
        for figure_id in numbers:
            figures.pop(figure_id, None)
        if "figure" in kinds and not figures:  # as Sphinx leaves it
            del kinds["figure"]
    return []


def number_tab_figures(app, env):
    """Number the figures in a tabbed chapter's tabs, as the chapter's own
    would be: section number, then the count within the section, the same
    on every framework's tab. (Sphinx numbered the chapter before the tabs
    got their figures: they come from the framework notebooks.) Returns the
    chapters whose numbers changed, to be written again."""
    before = getattr(env, "d2lmini_tab_figures", {})
    env.d2lmini_tab_figures = {}
    for docname in sorted(env.found_docs):
        path = Path(env.doc2path(docname))
        if path.suffix != ".md" or not tabbed_doc(env, docname):
            continue
        sections = env.toc_secnumbers.get(docname, {})
        numbers = env.d2lmini_tab_figures.setdefault(docname, {})
        depth = app.config.numfig_secnum_depth
        for fw in FRAMEWORKS:
            if f"{docname}-{fw}" not in env.found_docs:
                continue
            counts = {}
            notebook = env.get_doctree(f"{docname}-{fw}")
            for figure in notebook.findall(nodes.figure):
                section = figure.parent
                while section and not isinstance(section, nodes.section):
                    section = section.parent
                ids = section["ids"] if section else []
                # The slug, or the label without the notebook's suffix.
                ids = [*ids, *(i.removesuffix(f"-{fw}") for i in ids)]
                secnum = next(
                    (sections[f"#{i}"] for i in ids if f"#{i}" in sections),
                    None,
                )
                if secnum is None or not figure["ids"]:
                    continue
                prefix = secnum[:depth] if depth else ()
                counts[prefix] = counts.get(prefix, 0) + 1
                numbers[figure["ids"][0]] = (*prefix, counts[prefix])
        env.toc_fignumbers.setdefault(docname, {}).setdefault(
            "figure", {}
        ).update(numbers)
    return [
        d for d, n in env.d2lmini_tab_figures.items() if before.get(d) != n
    ]


def setup(app):
    app.connect("config-inited", whole_book_only, priority=100)
    app.connect("config-inited", write_notebooks)
    app.connect("config-inited", keep_notebooks, priority=950)
    app.connect("source-read", read_chapter)
    app.add_post_transform(MergeFrameworkCells)
    # After Sphinx's own numbering (priority 500), which starts afresh.
    app.connect("env-get-updated", forget_tab_figures, priority=100)
    app.connect("env-get-updated", number_tab_figures, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
