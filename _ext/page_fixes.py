"""Two fixes to the rendered pages: no repeated theme scripts, and Chinese
caption numbers on the Chinese pages."""


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
    if pagename.startswith("chapters/zh/") and "body" in context:
        context["body"] = context["body"].replace(
            '<span class="caption-number">Fig. ',
            '<span class="caption-number">图 ',
        )


def setup(app):
    app.connect("html-page-context", drop_repeated_scripts, priority=900)
    app.connect("html-page-context", localize_caption_numbers)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
