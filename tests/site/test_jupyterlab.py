"""Each chapter in real JupyterLab, as the README tells readers to open it
(`make lab`, then the chapter's notebook from the file browser): every cell
runs without an error, the prose is rendered Markdown with no role or
directive left in it, and the lesson's functions are code cells."""

import contextlib
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request

import psutil
import pytest

from tests.helpers import (
    NOTEBOOKS,
    check_notebook_content,
    is_notebook,
    toc_pages,
)

pytestmark = [pytest.mark.slow, pytest.mark.browser]
CHAPTERS = [page for page in toc_pages() if is_notebook(page)]
RUN_TIMEOUT = 1800  # seconds for one chapter's cells; the machine is shared
# What a reader sees if a role or directive was not rendered: the role's
# name in braces ({doc}, {glue:text}), a fence, a (label)= target.
UNRENDERED = re.compile(
    r'\{(?:glue|literalinclude|doc|ref|numref|eq|cite|note|exercise|solution|'
    r'code-cell|figure|admonition|dropdown|math|bibliography)\b[\w:-]*\}?'
    r'|```\s*\{|:::\s*\{|^\s*\([\w.:-]+\)=\s*$',
    re.M,
)
NOTEBOOK = '.jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook'
IDLE = (  # the open notebook's kernel, as its toolbar shows it
    '.jp-NotebookPanel:not(.lm-mod-hidden) '
    '.jp-Notebook-ExecutionIndicator[data-status="idle"]'
)
# JupyterLab's settings for the test: every cell in the page (no windowing),
# no news or update checks (nothing outside this machine is reachable).
SETTINGS = {
    '@jupyterlab/notebook-extension/tracker.jupyterlab-settings': {
        'windowingMode': 'none'
    },
    '@jupyterlab/apputils-extension/notification.jupyterlab-settings': {
        'fetchNews': 'false',
        'checkForUpdates': False,
    },
}


def _free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


class Lab:
    """JupyterLab from this environment on 127.0.0.1, with a token, serving
    a copy of the built notebooks; its settings, runtime files and HOME in
    a temporary folder."""

    def __init__(self, tmp):
        self.root = tmp / 'notebooks'
        shutil.copytree(NOTEBOOKS, self.root)
        home = tmp / 'home'
        settings = tmp / 'lab-settings'
        for name, values in SETTINGS.items():
            (settings / name).parent.mkdir(parents=True, exist_ok=True)
            (settings / name).write_text(json.dumps(values))
        self.token = secrets.token_hex(16)
        self.port = _free_port()
        self.url = f'http://127.0.0.1:{self.port}'
        env = {
            **os.environ,
            'HOME': str(home),
            'JUPYTER_CONFIG_DIR': str(tmp / 'config'),
            'JUPYTER_DATA_DIR': str(tmp / 'data'),
            'JUPYTER_RUNTIME_DIR': str(tmp / 'runtime'),
            'JUPYTERLAB_SETTINGS_DIR': str(settings),
            'JUPYTERLAB_WORKSPACES_DIR': str(tmp / 'workspaces'),
            'IPYTHONDIR': str(tmp / 'ipython'),
        }
        self.log = open(tmp / 'jupyterlab.log', 'w')
        self.process = subprocess.Popen(
            [
                sys.executable,
                '-m',
                'jupyterlab',
                '--no-browser',
                '--ip=127.0.0.1',
                f'--port={self.port}',
                f'--IdentityProvider.token={self.token}',
                f'--ServerApp.root_dir={self.root}',
                '--LabApp.news_url=',
                *(['--allow-root'] if os.geteuid() == 0 else []),
            ],
            env=env,
            cwd=tmp,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # stopped as a group (not its kernels)
        )
        self.log_path = tmp / 'jupyterlab.log'
        try:
            self._wait_until_up()
        except BaseException:
            self.stop()
            raise

    def api(self, path, method='GET'):
        request = urllib.request.Request(
            f'{self.url}/api/{path}',
            method=method,
            headers={'Authorization': f'token {self.token}'},
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            body = response.read()
        return json.loads(body) if body else None

    def _wait_until_up(self, timeout=180):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f'JupyterLab exited: {self.log_path.read_text()[-3000:]}'
                )
            try:
                self.api('status')
                return
            except OSError:
                time.sleep(1)
        raise TimeoutError(
            f'JupyterLab did not answer: {self.log_path.read_text()[-3000:]}'
        )

    def stop_kernels(self):
        for session in self.api('sessions'):
            self.api(f'sessions/{session["id"]}', method='DELETE')

    def stop(self):
        """Shut the server down with its kernels, then kill its process group
        and any kernel left (a kernel runs in a session of its own),
        whatever state the server is in."""
        kernels = [
            k
            for k in psutil.Process(self.process.pid).children(recursive=True)
            if 'ipykernel' in ' '.join(k.cmdline())
        ]
        try:
            self.api('shutdown', method='POST')
            self.process.wait(timeout=30)
        except (OSError, subprocess.TimeoutExpired):
            pass
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        for kernel in kernels:
            with contextlib.suppress(psutil.NoSuchProcess):
                kernel.kill()
        psutil.wait_procs(kernels, timeout=30)
        self.process.wait(timeout=30)
        self.log.close()


@pytest.fixture(scope='module')
def lab(tmp_path_factory, book_html):
    """JupyterLab on the notebooks that `make book` wrote (book_html builds
    them), stopped and reaped even when a test fails."""
    server = Lab(tmp_path_factory.mktemp('jupyterlab'))
    try:
        yield server
    finally:
        server.stop()


def open_from_file_browser(page, lab, chapter):
    """JupyterLab's start page, then the chapter's notebook, folder by
    folder, with double clicks in the file browser."""
    # ?reset: a fresh workspace, without the tabs of the chapter before.
    page.goto(f'{lab.url}/lab?reset&token={lab.token}', wait_until='load')
    *folders, name = f'{chapter}.ipynb'.split('/')
    for depth, item in enumerate([*folders, name]):
        entry = page.locator(
            '.jp-DirListing-item', has=page.get_by_text(item, exact=True)
        )
        entry.first.dblclick(timeout=120_000)
        if depth < len(folders):  # the listing shows the folder's files
            page.locator('.jp-BreadCrumbs', has_text=item).wait_for()
    page.locator(NOTEBOOK).wait_for(timeout=120_000)
    # The kernel: JupyterLab starts the notebook's own (python3), or asks
    # which to start, and a reader accepts the one it offers.
    deadline = time.monotonic() + 300
    while not [s for s in lab.api('sessions') if s['path'].endswith(name)]:
        assert time.monotonic() < deadline, f'no kernel for {chapter}'
        accept_kernel(page)
        time.sleep(1)
    page.locator(IDLE).wait_for(timeout=300_000)


def accept_kernel(page):
    """Select the kernel that JupyterLab's Select Kernel dialog offers (the
    notebook's python3), if it asks."""
    select = page.locator('.jp-Dialog .jp-Dialog-button.jp-mod-accept')
    if select.count():
        select.first.click()


def menu(page, menu, item):
    """Choose `item` from the menu bar's `menu` (File, Run, ...)."""
    page.locator(
        '.lm-MenuBar-itemLabel', has_text=re.compile(f'^{menu}$')
    ).click()
    page.locator(
        '.lm-Menu-itemLabel', has_text=re.compile(f'^{item}$')
    ).click()


def run_all_cells(page):
    """Run → Run All Cells, then wait until no cell is queued or running."""
    menu(page, 'Run', 'Run All Cells')
    prompts = page.locator(f'{NOTEBOOK} .jp-CodeCell .jp-InputPrompt')

    def running():  # a queued or running cell's prompt is [*]
        return any('*' in p for p in prompts.all_inner_texts())

    deadline = time.monotonic() + 120
    while not running():
        assert time.monotonic() < deadline, 'Run All Cells ran nothing'
        accept_kernel(page)
        time.sleep(0.5)
    deadline = time.monotonic() + RUN_TIMEOUT
    while running() or not page.locator(IDLE).count():
        if time.monotonic() > deadline:
            raise TimeoutError(f'cells still running after {RUN_TIMEOUT} s')
        time.sleep(2)


def save(page, lab, chapter):
    """File → Save Notebook; the notebook as JupyterLab saved it."""
    path = lab.root / f'{chapter}.ipynb'
    before = path.stat().st_mtime_ns
    menu(page, 'File', 'Save Notebook')
    deadline = time.monotonic() + 60
    while path.stat().st_mtime_ns == before and time.monotonic() < deadline:
        time.sleep(0.5)
    return json.loads(path.read_text(encoding='utf-8'))


def screenshot_name(chapter):
    """jupyterlab-minibatch_sgd.png, jupyterlab-zh-minibatch_sgd.png, ..."""
    return (
        f'jupyterlab-{chapter.removeprefix("chapters/").replace("/", "-")}.png'
    )


@pytest.mark.parametrize('chapter', CHAPTERS)
def test_chapter_runs_and_reads_in_jupyterlab(lab, browser, chapter):
    context = browser.new_context(viewport={'width': 1400, 'height': 1000})
    page = context.new_page()
    local = re.escape(lab.url)
    page.route(  # nothing outside this machine
        re.compile(rf'^(?!{local})[a-z]+://.*'), lambda route: route.abort()
    )
    try:
        open_from_file_browser(page, lab, chapter)
        run_all_cells(page)
        notebook = page.locator(NOTEBOOK)
        if chapter.endswith('/explorer'):  # the chart, drawn by JupyterLab
            notebook.locator('.vega-embed svg').first.wait_for()
            assert notebook.locator('.vega-bindings input').count() > 10
        shots = NOTEBOOKS.parent / 'screenshots'
        shots.mkdir(exist_ok=True)
        page.screenshot(path=shots / screenshot_name(chapter))
        # The prose as JupyterLab rendered it, and the code as it shows it.
        rendered = notebook.locator(
            '.jp-MarkdownCell .jp-RenderedMarkdown'
        ).all_inner_texts()
        assert rendered, f'{chapter}: no rendered Markdown cell'
        unrendered = [
            m.group(0) for text in rendered for m in UNRENDERED.finditer(text)
        ]
        assert unrendered == [], f'{chapter}: unrendered markup {unrendered}'
        shown = notebook.locator('.jp-CodeCell .cm-content').all_inner_texts()
        # The outputs and sources as JupyterLab saved them.
        cells = save(page, lab, chapter)['cells']
        errors = [
            f"{output['ename']}: {output['evalue']}"
            for cell in cells
            for output in cell.get('outputs', [])
            if output['output_type'] == 'error'
        ]
        assert errors == [], f'{chapter}: error outputs {errors}'
        code = [c for c in cells if c['cell_type'] == 'code']
        assert all(c['execution_count'] for c in code), f'{chapter}: not run'
        markdown = [c for c in cells if c['cell_type'] == 'markdown']
        check_notebook_content(
            chapter,
            [''.join(c['source']) for c in markdown],
            shown,  # the lesson's functions, as code cells on the page
        )
    finally:
        context.close()
        lab.stop_kernels()
