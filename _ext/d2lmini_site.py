"""The book's Sphinx extensions, one module per concern (all in _ext/)."""


def setup(app):
    app.setup_extension("sphinx-mathjax-offline")  # MathJax served locally
    app.setup_extension("language")  # each page's language
    app.setup_extension("cjk_search")  # site search finds Chinese words
    app.setup_extension("buttons")  # repository and launch buttons
    app.setup_extension("colab")  # each framework's notebook in Colab
    app.setup_extension("vegalite")  # interactive charts, served locally
    app.setup_extension("exec_cache")  # outputs keyed to the package
    app.setup_extension("frameworks")  # one chapter, three frameworks
    app.setup_extension("downloads")  # .ipynb downloads with an install cell
    app.setup_extension("notebooks")  # plain-Markdown notebooks
    app.setup_extension("page_fixes")  # theme scripts, Chinese captions
    app.setup_extension("pdf_edition")  # the PDF's fixes, and the site's link
    return {"parallel_read_safe": True, "parallel_write_safe": True}
