"""Three fixes to the rendered pages: no repeated theme scripts, Chinese
caption numbers on the Chinese pages, and citations that are items of their
list."""

from language import is_chinese, of_page
from sphinx.writers.html5 import HTML5Translator


class ListedCitations(HTML5Translator):
    """Each citation is an item of the citation list. docutils writes the
    list as <div role="list"> and each citation with the deprecated role
    doc-biblioentry, which is not a list item: a critical axe-core violation
    (aria-required-children)."""

    def visit_citation(self, node):
        super().visit_citation(node)
        self.body[-1] = self.body[-1].replace(
            'role="doc-biblioentry"', 'role="listitem"'
        )


def drop_repeated_scripts(app, pagename, templatename, context, doctree):
    """Drop repeated inline scripts (sphinx-thebe adds its config twice, which
    is a console error)."""
    seen, unique = set(), []
    for script in context.get("script_files", []):
        attributes = sorted((k, str(v)) for k, v in script.attributes.items())
        key = (script.filename or "", tuple(attributes))
        if key not in seen:
            seen.add(key)
            unique.append(script)
    context["script_files"] = unique


def localize_caption_numbers(app, pagename, templatename, context, doctree):
    """Chinese pages say 图 where numfig_format (one setting for the whole
    site) says Fig."""
    if is_chinese(of_page(app.env, pagename)) and "body" in context:
        context["body"] = context["body"].replace(
            '<span class="caption-number">Fig. ',
            '<span class="caption-number">图 ',
        )


def setup(app):
    app.set_translator("html", ListedCitations, override=True)
    app.connect("html-page-context", drop_repeated_scripts, priority=900)
    app.connect("html-page-context", localize_caption_numbers)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
