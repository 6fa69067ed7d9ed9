"""A page's language, from its front matter: the Chinese chapters say
`lang: zh-CN`; a page that says nothing is in the book's language (Sphinx's
`language`, 'en'). Every extension asks here, never the page's path."""


def of_page(env, docname):
    """The language of page `docname`, e.g. 'zh-CN' or 'en'."""
    lang = env.metadata.get(docname, {}).get("lang")
    return str(lang or env.config.language or "en")


def is_chinese(lang):
    return lang.split("-")[0] == "zh"


def set_html_lang(app, pagename, templatename, context, doctree):
    """<html lang> says the page's own language, for screen readers."""
    context["language"] = of_page(app.env, pagename)


def setup(app):
    app.connect("html-page-context", set_html_lang)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
