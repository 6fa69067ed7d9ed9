"""Vega-Lite charts in notebooks and on the book's pages.

A `VegaLite` output carries the chart's spec, which JupyterLab, VS Code and
the book's site draw interactively, and an SVG picture of it for everything
else: the PDF, Colab, a notebook viewer. `SiteRenderer` is the myst-nb
plugin (an entry point of the package) that puts the spec on an HTML page,
where the book's script draws it (_ext/vegalite.py)."""

import json

MIME = 'application/vnd.vegalite.v5+json'
VL_VERSION = '5.20'  # Altair 5.5's Vega-Lite; JupyterLab 4 draws v5 specs
# The site's: vl-convert bundles Vega 6, which Vega-Lite 6 compiles for
# (5.20 compiles for Vega 5, and Vega-Embed warns about the mismatch).
SITE_VL_VERSION = '6.4'


def to_svg(spec):
    """The chart as an SVG picture, drawn by vl-convert with no network;
    None if vl-convert is not installed."""
    try:
        import vl_convert
    except ImportError:  # JupyterLab still draws the spec
        return None
    return vl_convert.vegalite_to_svg(
        spec, vl_version=VL_VERSION, allowed_base_urls=[]
    )


class VegaLite:
    """A Vega-Lite chart, given its spec as a dict; `title` is the text that
    a front end which draws neither the chart nor SVG shows instead."""

    def __init__(self, spec, title='a Vega-Lite chart'):
        self.spec, self.title = spec, title

    def _repr_mimebundle_(self, include=None, exclude=None):
        bundle = {MIME: self.spec, 'text/plain': f'<{self.title}>'}
        svg = to_svg(self.spec)
        if svg is not None:
            bundle['image/svg+xml'] = svg
        return bundle


def page_html(spec):
    """The HTML that holds a chart's spec on a page: a div that the site's
    script finds by its class, with the spec as inert JSON inside."""
    spec = {k: v for k, v in spec.items() if k != '$schema'}  # any version
    text = json.dumps(spec, separators=(',', ':')).replace('</', '<\\/')
    return (
        '<div class="d2lmini-vegalite">'
        f'<script type="application/json">{text}</script></div>'
    )


class SiteRenderer:
    """myst-nb's renderer for Vega-Lite outputs: on HTML pages the spec
    comes before the SVG picture; other builders keep the picture."""

    mime_priority_overrides = [('html', MIME, 35)]  # svg is 40, html 30

    @staticmethod
    def handle_mime(renderer, data, inline):
        if data.mime_type != MIME:
            return None
        from docutils import nodes

        spec = data.content
        spec = json.loads(spec) if isinstance(spec, str) else spec
        return [nodes.raw(text=page_html(spec), format='html')]
