"""Sphinx glue for the book: offline MathJax, .ipynb downloads, buttons from one
repository URL, and an execution cache keyed to the d2lmini source."""
import hashlib
import importlib.util
import json
import os
import re
import shutil
from pathlib import Path
from urllib.parse import urlparse

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
    return {'parallel_read_safe': True, 'parallel_write_safe': True}
