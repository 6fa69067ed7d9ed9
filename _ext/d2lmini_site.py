"""Sphinx glue for the book: offline MathJax, .ipynb downloads, buttons from one
repository URL, an execution cache keyed to the d2lmini source, and the PDF
edition (its Chinese captions and quotes, folded code printed, the site's link)."""
import hashlib
import importlib.util
import json
import os
import re
import shutil
from pathlib import Path
from urllib.parse import urlparse

from docutils import nodes
from sphinx import addnodes
from sphinx.transforms.post_transforms import SphinxPostTransform

REPO_ENV = 'BOOK_REPO_URL'  # `make book REPO_URL=...` passes it on


def repository_url(config):
    """The repository URL a publisher set: $BOOK_REPO_URL, else `repository: url:` in _config.yml."""
    url = (os.environ.get(REPO_ENV) or config.html_theme_options.get('repository_url') or '').strip()
    if not url:
        return ''
    parts = urlparse(url)
    if parts.scheme != 'https' or len(parts.path.strip('/').split('/')) != 2:
        raise ValueError(f'repository URL {url!r} (from ${REPO_ENV} or repository.url in _config.yml) '
                         'is not of the form https://github.com/OWNER/REPO: fix it or leave it empty')
    return url.rstrip('/')


def configure_buttons(app, config):
    """Show repository and launch buttons only when a repository URL is set."""
    opts = config.html_theme_options
    url = repository_url(config)
    config.html_context.setdefault('default_mode', 'auto')  # else: "Got invalid theme mode"
    opts['repository_url'] = url
    if not url:  # nothing to link to: no repository, issue or launch buttons
        opts['launch_buttons'] = {}
        opts['use_repository_button'] = opts['use_issues_button'] = False
        return
    opts['use_repository_button'] = opts['use_issues_button'] = True
    launch = dict(opts.get('launch_buttons') or {})
    if 'github.com' not in url:  # Colab opens GitHub repositories only
        launch['colab_url'] = ''
    opts['launch_buttons'] = launch


INSTALL_LINE = "REPO_URL = ''"  # in the first, hidden cell of every chapter


def with_repository_url(notebook, url):
    """The notebook (a JSON string) with the install cell's REPO_URL set to
    `url`, so that the downloaded .ipynb installs d2lmini where it is missing."""
    if not url:
        return notebook
    return notebook.replace(json.dumps(INSTALL_LINE)[1:-1],
                            json.dumps(f'REPO_URL = {url!r}')[1:-1], 1)


def add_ipynb_download(app, pagename, templatename, context, doctree):
    """Offer the executed notebook of every notebook page as an .ipynb download."""
    executed = Path(app.outdir).parent / 'jupyter_execute' / f'{pagename}.ipynb'
    if not executed.is_file() or not str(context.get('sourcename', '')).endswith(('.md', '.md.txt')):
        return
    target = Path(app.outdir) / '_sources' / f'{pagename}.ipynb'
    target.parent.mkdir(parents=True, exist_ok=True)
    url = app.config.html_theme_options.get('repository_url', '')
    target.write_text(with_repository_url(executed.read_text(encoding='utf-8'), url),
                      encoding='utf-8')
    context['ipynb_source'] = f'{pagename}.ipynb'


def fix_theme_scripts(app, pagename, templatename, context, doctree):
    """Drop repeated inline scripts (sphinx-thebe adds its config twice: a console error)."""
    seen, unique = set(), []
    for script in context.get('script_files', []):
        key = (script.filename or '', tuple(sorted((k, str(v)) for k, v in script.attributes.items())))
        if key not in seen:
            seen.add(key)
            unique.append(script)
    context['script_files'] = unique


def localize_caption_numbers(app, pagename, templatename, context, doctree):
    """Chinese pages say 图 where numfig_format (one setting for the site) says Fig."""
    if pagename.startswith('chapters/zh/') and 'body' in context:
        context['body'] = context['body'].replace(
            '<span class="caption-number">Fig. ', '<span class="caption-number">图 ')


# Entering a Chinese chapter, and leaving it: captions say 图, and “ ” are
# full-width again (the preamble makes them Western for the English text).
ZH_LATEX = (r'\let\BookFigureName\figurename\renewcommand{\figurename}{图 }'
            r'\xeCJKDeclareCharClass{FullLeft}{"201C}'
            r'\xeCJKDeclareCharClass{FullRight}{"201D}',
            r'\let\figurename\BookFigureName'
            r'\xeCJKDeclareCharClass{Default}{"201C, "201D}')


def localize_latex_captions(app, doctree, docname):
    r"""In the PDF too, the Chinese chapter's captions say 图 where the rest say
    Fig., and its quotation marks are Chinese ones.

    The LaTeX builder resolves one doctree for the whole book, in which each
    chapter sits in a start_of_file node; the Chinese ones switch \figurename
    and the quotes' character class on entry and restore them on exit."""
    if app.builder.format != 'latex':
        return
    for part in list(doctree.findall(addnodes.start_of_file)):
        if part['docname'].startswith('chapters/zh/'):
            enter, leave = ZH_LATEX
            part.insert(0, nodes.raw('', enter + '\n', format='latex'))
            part.append(nodes.raw('', leave + '\n', format='latex'))


class PrintFoldedInputs(SphinxPostTransform):
    """The PDF prints the code that the site folds away behind a toggle
    (cells tagged hide-input): paper has no toggle to open. Runs before
    sphinx-jupyterbook-latex's transform (priority 400), which would drop it."""
    default_priority = 390
    formats = ('latex',)

    def run(self, **kwargs):
        for cell in self.document.findall(nodes.container):
            if 'tag_hide-input' in cell['classes']:
                cell['classes'].remove('tag_hide-input')


PDF_NAME = 'd2lmini.pdf'  # latex_documents' targetname in _config.yml, made a PDF


def built_pdf(app):
    """The PDF that `make pdf` wrote beside this build's output, or None."""
    pdf = Path(app.outdir).parent / 'latex' / PDF_NAME
    return pdf if pdf.is_file() else None


def tag_pdf_edition(app, config):
    """Tag the build `pdf_edition` when `make pdf` has written the PDF, so that
    the site links it only then: a site built without TeX has no dead link.
    The tag is part of the HTML build's fingerprint, so its coming or going
    rewrites every page (without reading or executing any again)."""
    if built_pdf(app):
        app.tags.add('pdf_edition')


def add_pdf_button(app, pagename, templatename, context, doctree):
    """A header button, beside the download menu, for the whole book as a PDF."""
    buttons = context.get('header_buttons')
    if not app.tags.has('pdf_edition') or buttons is None:
        return
    button = {'type': 'link', 'url': context['pathto'](PDF_NAME, 1),
              'tooltip': 'Download the whole book as a PDF',
              'icon': 'fas fa-book', 'label': 'book-pdf-button'}
    labels = [b.get('label') for b in buttons]
    at = labels.index('download-buttons') if 'download-buttons' in labels else len(buttons)
    buttons.insert(at, button)


def copy_pdf(app, exception):
    """Publish the PDF with the site: copy it into the HTML output, or remove a
    copy that an earlier build left there when there is no PDF any more."""
    if exception is not None or app.builder.format != 'html':
        return
    target = Path(app.outdir) / PDF_NAME
    if app.tags.has('pdf_edition'):
        shutil.copyfile(built_pdf(app), target)
    else:
        target.unlink(missing_ok=True)


def package_digest(package='d2lmini'):
    """SHA-256 of every file of the package the chapters import, or None."""
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        return None
    root = Path(next(iter(spec.submodule_search_locations)))
    digest = hashlib.sha256()
    for path in sorted(root.rglob('*')):
        if path.is_file() and '__pycache__' not in path.parts:
            digest.update(path.relative_to(root).as_posix().encode() + b'\0')
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def key_cache_to_package(app, config):
    """Keep executed outputs in a cache folder named after the d2lmini source:
    a change to the package re-executes every chapter instead of serving
    outputs (and glued numbers) that the old package computed. The new
    folder also changes a config value, so Sphinx re-reads every page."""
    digest = package_digest()
    if digest is None:
        return
    base = Path(config.nb_execution_cache_path or Path(app.outdir).parent / '.jupyter_cache')
    if base.is_dir():  # outputs of older package versions are never used again
        for old in base.iterdir():
            if old.is_dir() and re.fullmatch(r'[0-9a-f]{16}', old.name) and old.name != digest:
                shutil.rmtree(old)
    config.nb_execution_cache_path = str(base / digest)


def setup(app):
    app.setup_extension('sphinx-mathjax-offline')  # MathJax 3 served from _static/mathjax, no CDN
    app.setup_extension('cjk_search')  # site search finds Chinese words
    app.connect('config-inited', configure_buttons)
    app.connect('config-inited', key_cache_to_package)
    app.connect('html-page-context', add_ipynb_download, priority=400)  # before the theme's buttons
    app.connect('html-page-context', fix_theme_scripts, priority=900)
    app.connect('html-page-context', localize_caption_numbers)
    app.connect('doctree-resolved', localize_latex_captions)
    app.add_post_transform(PrintFoldedInputs)
    app.connect('config-inited', tag_pdf_edition)
    app.connect('html-page-context', add_pdf_button, priority=502)  # after the theme's buttons
    app.connect('build-finished', copy_pdf)
    return {'parallel_read_safe': True, 'parallel_write_safe': True}
