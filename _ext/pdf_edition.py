"""The PDF edition: the Chinese chapter's captions and quotes in LaTeX,
folded code printed, and the site's link to the PDF that `make pdf` wrote."""

import shutil
from pathlib import Path

from docutils import nodes
from language import is_chinese, of_page
from sphinx import addnodes
from sphinx.transforms.post_transforms import SphinxPostTransform

# Entering a Chinese chapter, and leaving it: captions say 图, “ ” are
# full-width again (the preamble makes them Western for the English text),
# and the running head and foot are Chinese (the book's title, and
# 第 5 章 for Chapter 5). Each switch waits for a fresh right-hand page, so
# that every page, blank ones included, has the head of its own chapter.
ZH_TITLE = '小批量随机梯度下降，实测'  # "Minibatch SGD, executed"
ZH_LATEX = (
    r'\cleardoublepage'
    r'\let\BookFigureName\figurename\renewcommand{\figurename}{图 }'
    r'\xeCJKDeclareCharClass{FullLeft}{"201C}'
    r'\xeCJKDeclareCharClass{FullRight}{"201D}'
    r'\makeatletter\let\BookTitle\@title\def\@title{' + ZH_TITLE + '}'
    r'\let\BookChapterMark\chaptermark'
    r'\renewcommand{\chaptermark}[1]{\markboth{第\,\thechapter\,章\quad #1}{}}'
    r'\makeatother',
    r'\cleardoublepage\let\figurename\BookFigureName'
    r'\xeCJKDeclareCharClass{Default}{"201C, "201D}'
    r'\makeatletter\let\@title\BookTitle\makeatother'
    r'\let\chaptermark\BookChapterMark',
)
PDF_NAME = 'd2lmini.pdf'  # latex_documents' targetname in _config.yml


def localize_latex_captions(app, doctree, docname):
    r"""In the PDF too, the Chinese chapter's captions say 图 where the rest
    say Fig., its quotation marks are Chinese ones, and its running head and
    foot are Chinese.

    The LaTeX builder resolves one doctree for the whole book, in which each
    chapter sits in a start_of_file node; the Chinese ones switch
    \figurename and the quotes' character class on entry and restore them on
    exit."""
    if app.builder.format != 'latex':
        return
    for part in list(doctree.findall(addnodes.start_of_file)):
        if is_chinese(of_page(app.env, part['docname'])):
            enter, leave = ZH_LATEX
            part.insert(0, nodes.raw('', enter + '\n', format='latex'))
            part.append(nodes.raw('', leave + '\n', format='latex'))


class PrintFoldedInputs(SphinxPostTransform):
    """The PDF prints the code that the site folds away behind a toggle
    (cells tagged hide-input): paper has no toggle to open. Runs before
    sphinx-jupyterbook-latex's transform (priority 400), which would drop
    it."""

    default_priority = 390
    formats = ('latex',)

    def run(self, **kwargs):
        for cell in self.document.findall(nodes.container):
            if 'tag_hide-input' in cell['classes']:
                cell['classes'].remove('tag_hide-input')


def built_pdf(app):
    """The PDF that `make pdf` wrote beside this build's output, or None."""
    pdf = Path(app.outdir).parent / 'latex' / PDF_NAME
    return pdf if pdf.is_file() else None


def tag_pdf_edition(app, config):
    """Tag the build `pdf_edition` when `make pdf` has written the PDF, so
    that the site links it only then: a site built without TeX has no dead
    link. The tag is part of the HTML build's fingerprint, so its coming or
    going rewrites every page (without reading or executing any again)."""
    if built_pdf(app):
        app.tags.add('pdf_edition')


def add_pdf_button(app, pagename, templatename, context, doctree):
    """A header button, beside the download menu, for the whole book as a
    PDF."""
    buttons = context.get('header_buttons')
    if not app.tags.has('pdf_edition') or buttons is None:
        return
    button = {
        'type': 'link',
        'url': context['pathto'](PDF_NAME, 1),
        'tooltip': 'Download the whole book as a PDF',
        'icon': 'fas fa-book',
        'label': 'book-pdf-button',
    }
    labels = [b.get('label') for b in buttons]
    at = (
        labels.index('download-buttons')
        if 'download-buttons' in labels
        else len(buttons)
    )
    buttons.insert(at, button)


def copy_pdf(app, exception):
    """Publish the PDF with the site: copy it into the HTML output, or remove
    a copy that an earlier build left there when there is no PDF any more."""
    if exception is not None or app.builder.format != 'html':
        return
    target = Path(app.outdir) / PDF_NAME
    if app.tags.has('pdf_edition'):
        shutil.copyfile(built_pdf(app), target)
    else:
        target.unlink(missing_ok=True)


def setup(app):
    app.connect('doctree-resolved', localize_latex_captions)
    app.add_post_transform(PrintFoldedInputs)
    app.connect('config-inited', tag_pdf_edition)
    # After the theme's buttons.
    app.connect('html-page-context', add_pdf_button, priority=502)
    app.connect('build-finished', copy_pdf)
    return {'parallel_read_safe': True, 'parallel_write_safe': True}
