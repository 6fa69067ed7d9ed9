"""The fixture that every test runs under stops what a test leaves running:
a process and its children, but not the processes of longer-lived fixtures
or what they start."""

import subprocess
import sys
import time

import psutil

from tests.helpers import descendants, reap_new

# A process that starts a child when it reads a line, then sleeps.
PARENT = (
    'import subprocess, sys, time\n'
    'sys.stdin.readline()\n'
    'subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])\n'
    'time.sleep(600)\n'
)


def started(count, *procs, timeout=300):
    """Wait until `procs` have `count` children each; return the children."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        children = [psutil.Process(p.pid).children() for p in procs]
        if all(len(c) >= count for c in children):
            return [child for c in children for child in c]
        time.sleep(0.1)
    raise AssertionError(f'no child started in {timeout} s: {children}')


def test_what_a_test_leaves_is_stopped_and_a_fixtures_process_is_not():
    popen = dict(stdin=subprocess.PIPE, text=True)
    fixtures = subprocess.Popen([sys.executable, '-c', PARENT], **popen)
    before = {p.pid for p in descendants()}
    test = subprocess.Popen([sys.executable, '-c', PARENT], **popen)
    for proc in (fixtures, test):  # each starts a child during the test
        proc.stdin.write('go\n')
        proc.stdin.flush()
    fixtures_child, test_child = started(1, fixtures, test)
    try:
        reaped = {p.pid for p in reap_new(before)}
        assert reaped == {test.pid, test_child.pid}
        assert test.wait(timeout=60) is not None  # reaped: no zombie
        assert not test_child.is_running()
        assert fixtures.poll() is None and fixtures_child.is_running()
    finally:
        fixtures_child.kill()
        fixtures.kill()
        fixtures.wait()
        for proc in (test, fixtures):
            proc.stdin.close()
