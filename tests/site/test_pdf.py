"""The PDF edition: `make pdf` typesets the executed book with XeLaTeX, from
the execution cache of the site's build, and the site links and publishes it.

The typesetting needs the packages of `make deps PDF=1`. Without them it
skips, which fails the run under CI=true.
"""

import html
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import chapter as chapter_module
import pytest
from bs4 import BeautifulSoup

from tests.helpers import ROOT, build_book

pytestmark = pytest.mark.slow

VENV = Path(sys.executable).parent.parent
BUILD = ROOT / '_build'
LATEX = BUILD / 'latex'
HTML = BUILD / 'html'
PDF = LATEX / 'd2lmini.pdf'
SHOTS = BUILD / 'screenshots'
CHAPTERS = [
    'chapters/minibatch_sgd',
    'chapters/exercises',
    'chapters/explorer',
    'chapters/hardware_scaling',
    'chapters/data_parallel',
    'chapters/zh/minibatch_sgd',
    'chapters/zh/explorer',
]
CJK = re.compile('[\u3400-\u4dbf\u4e00-\u9fff]')
GLUE_REF = re.compile(r'\{glue:text\}`(?:[\w.-]+::)?([\w-]+)(?::([^`]*))?`')
SPHINX_WARNING = re.compile(
    r'^.*\bWARNING:.*$', re.M
)  # not "[IPKernelApp] WARNING |"


def source(chapter):
    return (ROOT / f'{chapter}.md').read_text(encoding='utf-8')


def pdf_source(chapter):
    """The chapter's cells that the PDF shows: a tabbed chapter's for the
    default framework (PyTorch's edition), without the others' cells."""
    nb = chapter_module.reads(source(chapter))
    return '\n'.join(
        cell.source
        for cell in nb.cells
        if chapter_module.framework_of(cell) in (None, chapter_module.DEFAULT)
    )


def title(chapter):
    return re.search(r'^# (.+)$', source(chapter), re.M).group(1).strip()


def squeeze(text):
    """`text` without whitespace: lines break and CJK runs wrap anywhere."""
    return re.sub(r'\s+', '', text)


def make(*args, timeout=3600, env=None):
    """Run make in the repository as a reader would, also when pytest runs under
    `make test` (a sub-make would print 'Entering directory' lines)."""
    env = {
        k: v
        for k, v in (env or os.environ).items()
        if k not in ('MAKEFLAGS', 'MAKELEVEL', 'MFLAGS')
    }
    return subprocess.run(
        [shutil.which('make') or 'make', *args, f'VENV={VENV}'],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
    )


class Typeset:
    """The PDF `make pdf` wrote, with its build log and text layer."""

    def __init__(self, log):
        self.log = log
        self.tex = (LATEX / 'd2lmini.tex').read_text(encoding='utf-8')
        self.latex_log = (LATEX / 'd2lmini.log').read_text(
            encoding='utf-8', errors='replace'
        )
        text = subprocess.run(
            ['pdftotext', '-enc', 'UTF-8', str(PDF), '-'],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        self.pages = text.split('\f')[:-1]  # one form feed after every page

    @staticmethod
    def head(page):
        """The first three lines of `page`, squeezed and casefolded: a chapter's
        first page starts "CHAPTER", its number in words, its title."""
        lines = [line for line in page.splitlines() if line.strip()][:3]
        return squeeze(' '.join(lines)).casefold()

    def chapter_pages(self):
        """{chapter: (first, last)} page indexes (0-based, last exclusive); a
        chapter starts on the page whose first lines read CHAPTER and its title."""
        starts = {}
        for i, page in enumerate(self.pages):
            head = self.head(page)
            if not head.startswith('chapter'):
                continue
            for chapter in CHAPTERS:
                if (
                    chapter not in starts
                    and squeeze(title(chapter)).casefold() in head
                ):
                    starts[chapter] = i
        assert list(starts) == CHAPTERS, (
            f'chapters found in order: {list(starts)}'
        )
        ends = [starts[c] for c in CHAPTERS[1:]] + [self.references_page()]
        return {c: (starts[c], end) for c, end in zip(CHAPTERS, ends)}

    def references_page(self):
        """The page where the References chapter starts, after the chapters."""
        for i, page in enumerate(self.pages):
            head = self.head(page)
            if head.startswith('chapter') and head.endswith('references'):
                return i
        raise AssertionError('the PDF has no References chapter')

    def chapter_text(self, chapter):
        first, last = self.chapter_pages()[chapter]
        return '\n'.join(self.pages[first:last])

    def chapter_tex(self, chapter):
        """The LaTeX of `chapter`: from its doc label to the next chapter's."""
        marks = [
            self.tex.index(rf'\label{{\detokenize{{{c}::doc}}}}')
            for c in CHAPTERS
        ]
        marks.append(self.tex.index(r'\label{\detokenize{references::doc}}'))
        k = CHAPTERS.index(chapter)
        return self.tex[marks[k] : marks[k + 1]]


@pytest.fixture(scope='module')
def pdf():
    check = subprocess.run(
        ['bash', 'scripts/system-deps.sh', '--check-pdf'],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    if check.returncode != 0:
        pytest.skip(f'needs TeX for the PDF: {check.stderr.strip()}')
    book = make('book')  # the site first: it fills the execution cache
    assert book.returncode == 0, (book.stdout + book.stderr)[-5000:]
    result = make('pdf')
    log = result.stdout + result.stderr
    assert result.returncode == 0, log[-5000:]
    return Typeset(log)


def test_make_pdf_without_tex_says_what_to_install_in_one_line(tmp_path):
    bin_dir = tmp_path / 'bin'  # a PATH with bash and nothing of TeX
    bin_dir.mkdir()
    (bin_dir / 'bash').symlink_to(shutil.which('bash'))
    result = make('pdf', env={**os.environ, 'PATH': str(bin_dir)}, timeout=60)
    lines = (result.stdout + result.stderr).strip().splitlines()
    assert result.returncode != 0
    assert len(lines) == 1, lines
    for package in [
        'texlive-xetex',
        'latexmk',
        'texlive-lang-chinese',
        'librsvg2-bin',
    ]:
        assert package in lines[0]
    assert 'make deps PDF=1' in lines[0]


def _mini_book(root):
    """A two-page book with the project's configuration and no code to run."""
    for item in ['_config.yml', 'references.bib', 'references.md', 'intro.md']:
        shutil.copy(ROOT / item, root / item)
    for folder in ['_ext', '_static']:
        shutil.copytree(ROOT / folder, root / folder)
    (root / 'chapters').mkdir()
    (root / 'chapters' / 'page.md').write_text(
        '# A Page\n\nText.\n\n{cite}`Ioffe.2017`\n'
    )
    (root / '_toc.yml').write_text(
        'format: jb-book\nroot: intro\nchapters:\n'
        '  - file: chapters/page\n  - file: references\n'
    )
    return root


def test_the_site_links_the_pdf_only_when_there_is_one(tmp_path):
    """Without TeX, `make book` builds a site with no PDF link (no dead link);
    once `make pdf` has written the PDF, the next build copies it into the
    site and links it from the introduction and every page's header."""
    book = _mini_book(tmp_path)

    def build():
        result = build_book(book, timeout=600)
        assert result.returncode == 0, (result.stdout + result.stderr)[-3000:]
        return {
            page: (book / '_build' / 'html' / f'{page}.html').read_text(
                encoding='utf-8'
            )
            for page in ['intro', 'chapters/page']
        }

    pages = build()
    assert not [p for p, text in pages.items() if 'd2lmini.pdf' in text]
    assert not (book / '_build' / 'html' / 'd2lmini.pdf').exists()

    made = book / '_build' / 'latex' / 'd2lmini.pdf'
    made.parent.mkdir(parents=True)
    made.write_bytes(b'%PDF-1.5 stand-in\n')
    pages = build()
    assert (
        book / '_build' / 'html' / 'd2lmini.pdf'
    ).read_bytes() == made.read_bytes()
    assert 'href="d2lmini.pdf"' in pages['intro']
    assert (
        'href="../d2lmini.pdf"' in pages['chapters/page']
    )  # the header button

    made.unlink()  # `make clean`-like: no PDF, so no link and no stale copy
    pages = build()
    assert not [p for p, text in pages.items() if 'd2lmini.pdf' in text]
    assert not (book / '_build' / 'html' / 'd2lmini.pdf').exists()


def test_the_build_is_clean_and_executes_nothing(pdf):
    assert SPHINX_WARNING.findall(pdf.log) == []
    # the LaTeX build, then the site and its notebooks
    assert pdf.log.count('build succeeded') == 3
    assert 'Executing notebook' not in pdf.log, (
        'make pdf re-executed a chapter'
    )
    lost = re.findall(r'^Missing character.*$', pdf.latex_log, re.M)
    assert lost == [], f'{len(lost)} characters have no glyph, e.g. {lost[:5]}'
    # a page whose content is taller than the page runs into the footer
    overfull = [
        float(x)
        for x in re.findall(
            r'Overfull \\vbox \(([\d.]+)pt too high', pdf.latex_log
        )
    ]
    assert not [x for x in overfull if x > 5], (
        f'pages overfull by {overfull} pt'
    )
    # myst-nb's fallback for a figure it cannot place: the figure's repr as text
    assert 'Figure size' not in pdf.tex
    assert not [p for p in pdf.pages if 'Figure size' in p]
    assert len(pdf.pages) > 40


def test_every_chapter_title_appears(pdf):
    text = squeeze(' '.join(pdf.pages)).casefold()
    for chapter in CHAPTERS:
        assert squeeze(title(chapter)).casefold() in text, chapter
    assert pdf.chapter_pages()  # and each starts a chapter, in order


def test_the_chinese_chapter_has_its_headings_in_chinese(pdf):
    chapter = 'chapters/zh/minibatch_sgd'
    text = squeeze(pdf.chapter_text(chapter))
    prose = re.sub(
        r'^```.*?^```$', '', source(chapter), flags=re.M | re.S
    )  # no code
    headings = [h.strip() for h in re.findall(r'^#{1,3} (.+)$', prose, re.M)]
    assert len(headings) == 9 and all(CJK.search(h) for h in headings), (
        headings
    )
    for heading in headings:
        assert squeeze(heading) in text, (
            f'heading {heading!r} is not in the PDF text'
        )
    number = CHAPTERS.index(chapter) + 1  # the chapters are numbered in order
    assert re.search(rf'图\s*{number}\.\d+\.\d+', pdf.chapter_text(chapter)), (
        'captions say 图'
    )
    assert not re.search(rf'Fig\.\s*{number}\.', pdf.chapter_text(chapter))


def test_every_page_has_the_running_head_of_its_own_language(pdf):
    # The head says the book's title and the foot the chapter: in Chinese on
    # the Chinese chapters' pages (an opening page has no head), in English
    # everywhere else.
    for chapter, (first, last) in pdf.chapter_pages().items():
        if chapter.startswith('chapters/zh/'):
            for i in range(first + 1, last):
                text = pdf.pages[i]
                assert 'Minibatch SGD, executed' not in text, (chapter, i)
                assert not re.search(r'Chapter\s+\d', text), (chapter, i)
                assert '小批量随机梯度下降，实测' in text, (chapter, i)
            assert any(
                re.search(r'第\s*\d+\s*章', pdf.pages[i])
                for i in range(first, last)
            ), chapter
        else:
            for i in range(first + 1, last):
                assert '实测' not in pdf.pages[i], (chapter, i)


def pytorch_view(chapter):
    """The site's page as the PDF prints it: a tabbed chapter shows only
    PyTorch's tabs (_ext/code_tabs.py)."""
    page = (HTML / f'{chapter}.html').read_text(encoding='utf-8')
    soup = BeautifulSoup(page, 'html.parser')
    for label in soup.select('label[data-sync-group="framework"]'):
        if label['data-sync-id'] != 'pytorch':
            label.find_next_sibling('div', class_='sd-tab-content').decompose()
    return str(soup)


def _site_images(chapter):
    """The figures of a page: images, and Vega-Lite charts (which the PDF
    prints as their SVG picture)."""
    page = pytorch_view(chapter)
    return re.findall(
        r'<img[^>]*src="(?![^"]*_static)[^"]*"|class="d2lmini-vegalite"', page
    )


def test_every_figure_of_the_site_is_in_the_pdf(pdf):
    for chapter in CHAPTERS:
        graphics = re.findall(
            r'\\sphinxincludegraphics(?:\[[^\]]*\])?\{\{([^}]*)\}(\.\w+)\}',
            pdf.chapter_tex(chapter),
        )
        site = _site_images(chapter)
        assert site, f'{chapter}: the site shows no figures'
        assert len(graphics) >= len(site), (
            f'{chapter}: {len(graphics)} figures, site {len(site)}'
        )
        for stem, suffix in graphics:
            assert suffix == '.pdf', (
                f'{stem}{suffix}: figures stay vector (SVG to PDF)'
            )
            assert (LATEX / f'{stem}{suffix}').stat().st_size > 1000


@pytest.mark.parametrize(
    'chapter, label, fig, caption',
    [
        ('chapters/minibatch_sgd', 'fig-gd', 'Fig.', 'Gradientdescent(batch'),
        ('chapters/zh/minibatch_sgd', 'zh-fig-gd', '图', '梯度下降（批量'),
    ],
)
def test_a_numref_to_a_figure_in_a_tab_is_a_numbered_link(
    pdf, chapter, label, fig, caption
):
    """The chapter's `{numref}` to a figure that sits in the framework tabs
    on the site: in the PDF a link to PyTorch's figure, whose caption has
    the number the link prints."""
    tex = pdf.chapter_tex(chapter)
    target = rf'\detokenize{{{chapter}:{label}}}'
    assert rf'\hyperref[{target}]' in tex and rf'\ref{{{target}}}' in tex
    figures = re.findall(r'\\begin\{figure\}.*?\\end\{figure\}', tex, re.S)
    assert [f for f in figures if rf'\label{{{target}}}' in f]
    text = squeeze(pdf.chapter_text(chapter))
    number = re.search(rf'{re.escape(fig)}([\d.]+):{re.escape(caption)}', text)
    assert number, f'{label}: no numbered caption'
    assert re.search(rf'与?{re.escape(fig)}{re.escape(number[1])}[)）]', text)


@pytest.mark.parametrize('chapter', CHAPTERS)
def test_every_glued_value_is_printed(pdf, chapter):
    refs = GLUE_REF.findall(pdf_source(chapter))
    pasted = re.findall(r'\\DUrole\{pasted-text\}\{', pdf.chapter_tex(chapter))
    assert len(pasted) == len(refs), (
        f'{len(pasted)} glued values typeset, {len(refs)} in the text'
    )
    page = pytorch_view(chapter)
    shown = [
        html.unescape(v)
        for v in re.findall(r'<span class="pasted-text">(.*?)</span>', page)
    ]
    text = pdf.chapter_text(chapter)
    # a line may end in a value's own hyphen (2.98e-08) or in one TeX added
    joined = {
        squeeze(re.sub(r'-\n', '-', text)),
        squeeze(re.sub(r'-\n', '', text)),
    }
    for value in shown:
        assert any(squeeze(value) in t for t in joined), (
            f'{value!r} is not in the PDF'
        )


def test_equations_are_numbered_and_citations_resolve(pdf):
    for chapter in CHAPTERS:
        for label in re.findall(r'^\$\$ \(([\w-]+)\)$', source(chapter), re.M):
            assert rf'\label{{equation:{chapter}:{label}}}' in pdf.tex, label
    main = pdf.chapter_text('chapters/minibatch_sgd')
    assert '(1.2.1)' in main and '(1.2.2)' in main
    assert 'Ioffe, 2017' in main
    references = squeeze(
        '\n'.join(pdf.pages[pdf.references_page() :])
    ).casefold()
    assert squeeze('Batch renormalization').casefold() in references
    assert '??' not in ''.join(pdf.pages)  # no unresolved \ref


def _solution_code(chapter):
    """The code lines of every solution's cells, as the reader sees them."""
    lines, inside = [], False
    for block in re.split(
        r'^(:::\{solution-(?:start|end)\}.*)$', source(chapter), flags=re.M
    ):
        if block.startswith(':::{solution-'):
            inside = block.startswith(':::{solution-start}')
            continue
        if not inside:
            continue
        for cell in re.findall(
            r'^```\{code-cell\}[^\n]*\n(.*?)^```$', block, re.M | re.S
        ):
            if 'remove-cell' in cell or 'remove-input' in cell:
                continue
            body = re.sub(
                r'\A---\n.*?\n---\n', '', cell, flags=re.S
            )  # YAML options
            body = re.sub(r'\A(:[\w-]+:.*\n)+', '', body)  # :tags: options
            lines += [line for line in body.splitlines() if line.strip()]
    return lines


def test_exercise_solutions_are_printed_in_full(pdf):
    chapter = 'chapters/exercises'
    text = pdf.chapter_text(chapter)
    starts = source(chapter).count(':::{solution-start}')
    assert starts == 4 and text.count('Solution to Exercise') == starts
    code = _solution_code(chapter)
    assert len(code) > 100
    # folded code (hide-input) included: paper has no toggle to open
    assert any('d2l.use_svg_display()' in line for line in code)
    flat = squeeze(text)
    # pdftotext moves a trailing comment off its line: look for both parts
    parts = [
        part
        for line in code
        for part in line.partition('  # ')[::2]
        if part.strip()
    ]
    missing = [part for part in parts if squeeze(part) not in flat]
    assert missing == [], (
        f'{len(missing)} code lines of the solutions are not in the PDF: {missing[:5]}'
    )


def test_the_site_publishes_and_links_the_pdf(pdf):
    assert (HTML / 'd2lmini.pdf').read_bytes() == PDF.read_bytes()
    assert 'href="d2lmini.pdf"' in (HTML / 'intro.html').read_text(
        encoding='utf-8'
    )
    for chapter in CHAPTERS:
        page = (HTML / f'{chapter}.html').read_text(encoding='utf-8')
        assert 'btn-book-pdf-button' in page, f'{chapter}: no PDF button'


def test_one_page_of_each_chapter_as_png(pdf):
    """The page with each chapter's first figure, for a person to look at."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    caption = re.compile(r'^(Fig\.|图)\s*\d+\.\d+\.\d+:', re.M)
    for chapter, (first, last) in pdf.chapter_pages().items():
        page = next(
            (i for i in range(first, last) if caption.search(pdf.pages[i])),
            first,
        )
        stem = SHOTS / (
            'pdf-' + chapter.removeprefix('chapters/').replace('/', '-')
        )
        subprocess.run(
            [
                'pdftoppm',
                '-f',
                str(page + 1),
                '-l',
                str(page + 1),
                '-r',
                '80',
                '-png',
                '-singlefile',
                str(PDF),
                str(stem),
            ],
            check=True,
        )
        png = stem.with_suffix('.png')
        assert png.stat().st_size > 20_000, f'{png.name} looks empty'
