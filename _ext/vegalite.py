"""The Vega-Lite charts on the site (d2lmini/explorer/vegalite.py puts their
specs on the page): the Vega, Vega-Lite and Vega-Embed JavaScript, bundled by
vl-convert at build time and served from the site's _static/, plus the
script that draws each chart. Both are added only to the pages that have a
chart, and nothing is fetched from a CDN."""

from pathlib import Path

from sphinx.util import logging

logger = logging.getLogger(__name__)

# What d2lmini.explorer.vegalite.page_html writes:
MARK = 'class="d2lmini-vegalite"'


def bundle_name():
    from d2lmini.explorer.vegalite import SITE_VL_VERSION

    return f"vega-lite-{SITE_VL_VERSION}.js"  # a new version, a new file


def bundle_folder(app):
    return Path(app.outdir).parent / "vega"  # _build/vega


def add_static(app, config):
    """The bundle's folder is a static path (set before Sphinx compares
    the configuration with the last build's)."""
    folder = bundle_folder(app)
    folder.mkdir(parents=True, exist_ok=True)  # Sphinx checks it exists
    config.html_static_path.append(str(folder))


def write_bundle(app):
    """The JavaScript bundle, made once per Vega-Lite version."""
    if app.builder.format != "html":
        return
    folder = bundle_folder(app)
    path = folder / bundle_name()
    if not path.exists():
        from d2lmini.core.checks import need
        from d2lmini.explorer.vegalite import SITE_VL_VERSION

        vl_convert = need(
            "vl_convert",
            "the site's charts need vl-convert",
            'pip install "d2lmini[book]"',
        )

        text = vl_convert.javascript_bundle(vl_version=SITE_VL_VERSION)
        # Its names stay its own: a page's scripts share one global scope,
        # where Sphinx's doctools.js has declared `_` already.
        text = f"(() => {{\n{text}\n}})();\n"
        path.with_suffix(".tmp").write_text(text, encoding="utf-8")
        path.with_suffix(".tmp").replace(path)  # never half a file


def add_scripts(app, pagename, templatename, context, doctree):
    """The bundle and vegalite.js, on pages with a chart only."""
    if MARK in context.get("body", ""):
        app.add_js_file(bundle_name())
        app.add_js_file("vegalite.js")
        app.add_css_file("vegalite.css")


def setup(app):
    app.connect("config-inited", add_static)
    app.connect("builder-inited", write_bundle)
    app.connect("html-page-context", add_scripts)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
