"""Shared fixtures and rules: one build of the book per session; no test
leaves a process behind; under CI=true no test may skip unless it needs a
GPU or a non-root user."""

import os

import pytest

from tests.helpers import (
    ALLOWED_SKIPS,
    CHROMIUM_ARGS,
    ROOT,
    build_book,
    descendants,
    find_chromium,
    reap_new,
)

# The tests use the airfoil copy shipped in d2lmini/datasets, as a reader's
# fresh clone does; the download tests set their own data folders.
os.environ.pop('D2LMINI_DATA_DIR', None)


def _forbidden_skip(report):
    """The skip reason, if `report` is a skip that CI=true does not allow."""
    if (
        os.environ.get('CI') != 'true'
        or not report.skipped
        or hasattr(report, 'wasxfail')
    ):
        return None
    longrepr = report.longrepr
    reason = longrepr[2] if isinstance(longrepr, tuple) else str(longrepr)
    reason = reason.removeprefix('Skipped: ')
    return None if reason.startswith(ALLOWED_SKIPS) else reason


def _fail_forbidden_skip(report):
    reason = _forbidden_skip(report)
    if reason is not None:
        report.outcome = 'failed'
        report.longrepr = (
            f'skipped under CI=true, where only tests that '
            f'{" or ".join(ALLOWED_SKIPS)} may skip: {reason}'
        )


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    _fail_forbidden_skip(outcome.get_result())


@pytest.hookimpl(hookwrapper=True)
def pytest_make_collect_report(collector):
    outcome = yield
    _fail_forbidden_skip(outcome.get_result())


@pytest.fixture(autouse=True)
def no_process_left_behind():
    """Stop and reap every process that a test started and left running
    (a timed-out subprocess and its children, say), even when the test
    failed, so that nothing it left can slow or fail a later test. Processes
    of longer-lived fixtures (a browser, a kernel) started before the test
    and are left alone, with what they start."""
    before = {p.pid for p in descendants()}
    yield
    reap_new(before)


@pytest.fixture
def animators(monkeypatch):
    """Every Animator the training loops create: it holds the x positions
    (epochs) at which the loop recorded the loss."""
    import d2lmini.core.loop

    made = []

    class Recording(d2lmini.core.loop.Animator):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            made.append(self)

    monkeypatch.setattr(d2lmini.core.loop, 'Animator', Recording)
    return made


@pytest.fixture(scope='session')
def book_html():
    """The repository's book, built once per test session (the execution
    cache is reused)."""
    result = build_book(ROOT)
    assert result.returncode == 0, (
        result.stdout[-5000:] + result.stderr[-5000:]
    )
    return ROOT / '_build' / 'html'


@pytest.fixture(scope='session')
def browser():
    """Debian's headless Chromium driven by Playwright (never Playwright's
    own download), one for the session: Playwright's sync API cannot run two
    at once."""
    chromium = find_chromium()
    if chromium is None:
        pytest.skip(
            'no Chromium: set $CHROMIUM or install it, e.g. with `make deps`'
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=chromium, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()
