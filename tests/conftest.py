"""Shared fixtures and rules: one build of the book per session, and under
CI=true no test may skip unless it needs a GPU or a non-root user."""
import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch

ROOT = Path(__file__).resolve().parents[1]
# The tests use the airfoil copy shipped in d2lmini/datasets, as a reader's fresh
# clone does; the download tests set their own data folders.
os.environ.pop('D2LMINI_DATA_DIR', None)
sys.path.insert(0, str(Path(__file__).parent))  # the tests' own helper modules

# The only reasons a test may give for skipping in CI (see pytest_runtest_makereport).
ALLOWED_SKIPS = ('needs a GPU', 'needs a non-root user')
needs_gpu = pytest.mark.skipif(not torch.cuda.is_available(),
                               reason='needs a GPU: this machine has no CUDA device')
needs_non_root = pytest.mark.skipif(
    hasattr(os, 'geteuid') and os.geteuid() == 0,
    reason='needs a non-root user: root may write to read-only folders')


def _forbidden_skip(report):
    """The skip reason, if `report` is a skip that CI=true does not allow."""
    if os.environ.get('CI') != 'true' or not report.skipped or hasattr(report, 'wasxfail'):
        return None
    reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
    reason = reason.removeprefix('Skipped: ')
    return None if reason.startswith(ALLOWED_SKIPS) else reason


def _fail_forbidden_skip(report):
    reason = _forbidden_skip(report)
    if reason is not None:
        report.outcome = 'failed'
        report.longrepr = (f'skipped under CI=true, where only tests that '
                           f'{" or ".join(ALLOWED_SKIPS)} may skip: {reason}')


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    _fail_forbidden_skip(outcome.get_result())


@pytest.hookimpl(hookwrapper=True)
def pytest_make_collect_report(collector):
    outcome = yield
    _fail_forbidden_skip(outcome.get_result())


def fake_accelerator(monkeypatch, kind, count):
    """Pretend this machine's accelerator is `count` devices of type `kind`
    (None: no accelerator), as torch.accelerator reports them; return the list
    of devices that torch.accelerator.synchronize is asked to wait for."""
    synced = []
    device = torch.device(kind) if kind else None
    monkeypatch.setattr(torch.accelerator, 'current_accelerator',
                        lambda check_available=False: device)
    monkeypatch.setattr(torch.accelerator, 'device_count', lambda: count)
    monkeypatch.setattr(torch.accelerator, 'synchronize',
                        lambda device=None: synced.append(torch.device(device)))
    monkeypatch.delenv('D2LMINI_DEVICE', raising=False)
    return synced


@pytest.fixture
def animators(monkeypatch):
    """Every Animator the training loops create: it holds the x positions
    (epochs) at which the loop recorded the loss."""
    import d2lmini.train
    made = []

    class Recording(d2lmini.train.Animator):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            made.append(self)
    monkeypatch.setattr(d2lmini.train, 'Animator', Recording)
    return made


def build_book(src, extra_env=None, timeout=1800):
    """Run the strict `jupyter-book build` on `src`; return the CompletedProcess."""
    jb = Path(sys.executable).with_name('jupyter-book')
    env = {**os.environ, **(extra_env or {})}
    return subprocess.run([str(jb), 'build', str(src), '-W', '--keep-going'],
                          capture_output=True, text=True, env=env, timeout=timeout)


@pytest.fixture(scope='session')
def book_html():
    """The repository's book, built once per test session (the execution cache is reused)."""
    result = build_book(ROOT)
    assert result.returncode == 0, result.stdout[-5000:] + result.stderr[-5000:]
    return ROOT / '_build' / 'html'
