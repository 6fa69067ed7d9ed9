"""scripts/kernels.py, the Makefile's one recipe for every framework's
kernel: the kernels it lists, the kernel it installs, and `make bench`'s
run in each framework's environment, all from the registry."""

import json
import os
import shutil
import subprocess
import sys

from d2lmini.core.registry import FRAMEWORKS
from tests.helpers import ROOT

KERNELS = {f.kernel: f for f in FRAMEWORKS.values() if f.kernel != 'python3'}


def kernels(*args, env=None):
    return subprocess.run(
        [sys.executable, 'scripts/kernels.py', *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=300,
    )


def test_it_lists_each_kernel_once_by_where_it_runs():
    listed = {
        which: kernels('list', which, 'K').stdout.split()
        for which in ('book', 'own')
    }
    assert sorted(listed['book'] + listed['own']) == sorted(
        f'K/{k}/kernel.json' for k in KERNELS
    )
    assert all(
        bool(KERNELS[path.split('/')[1]].environment) for path in listed['own']
    )


def test_a_fourth_frameworks_kernel_comes_from_its_registry_entry(tmp_path):
    # A copy of the project's package and script, with a stub JAX entry.
    shutil.copytree(ROOT / 'd2lmini', tmp_path / 'd2lmini')
    shutil.copytree(ROOT / 'scripts', tmp_path / 'scripts')
    registry = tmp_path / 'd2lmini' / 'core' / 'registry.py'
    registry.write_text(
        registry.read_text(encoding='utf-8')
        + "FRAMEWORKS['jax'] = Framework('jax', 'JAX', 'jax', 'jax', 'jax', "
        "'d2lmini-jax-stub')\n"
    )
    listed = subprocess.run(
        [
            sys.executable,
            tmp_path / 'scripts' / 'kernels.py',
            'list',
            'book',
            'K',
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert 'K/d2lmini-jax-stub/kernel.json' in listed.stdout.split()


def test_a_kernel_in_the_books_environment_carries_the_registrys_facts(
    tmp_path,
):
    venv = tmp_path / 'venv'
    (venv / 'bin').mkdir(parents=True)
    # The book's Python under another venv's name: exec keeps its own.
    python = venv / 'bin' / 'python'
    python.write_text(f'#!/bin/sh\nexec {sys.executable} "$@"\n')
    python.chmod(0o755)
    for kernel, f in KERNELS.items():
        if f.environment:
            continue
        result = kernels('install', kernel, str(venv))
        assert result.returncode == 0, result.stderr
        spec = json.loads(
            (
                venv / 'share/jupyter/kernels' / kernel / 'kernel.json'
            ).read_text()
        )
        assert spec['display_name'] == f.kernel_display
        assert spec.get('env', {}) == dict(f.kernel_env)


def test_an_unknown_kernel_is_named_with_the_registrys():
    result = kernels('install', 'no-such-kernel', 'venv')
    assert result.returncode != 0
    assert "unknown kernel 'no-such-kernel'" in result.stderr
    assert all(k in result.stderr for k in KERNELS)


def test_run_runs_a_script_once_per_framework_as_its_kernel_would(tmp_path):
    probe = tmp_path / 'probe.py'
    probe.write_text(
        'import json, os, sys\n'
        'print(json.dumps([sys.argv[1:], dict(os.environ)]))\n'
    )
    # No framework's own environment: each says it was not run.
    missing = {
        f'{f.name.upper()}_VENV': str(tmp_path / 'none')
        for f in FRAMEWORKS.values()
        if f.environment
    }
    venv = os.path.dirname(os.path.dirname(sys.executable))
    result = kernels('run', venv, str(probe), '--quick', env=missing)
    assert result.returncode == 0, result.stderr
    ran = [
        json.loads(line)
        for line in result.stdout.splitlines()
        if line[0] == '['
    ]
    skipped = [line for line in result.stdout.splitlines() if line[0] != '[']
    book = [f for f in FRAMEWORKS.values() if not f.environment]
    assert [args for args, _ in ran] == [
        ['--framework', f.name, '--quick'] for f in book
    ]
    for (_, env), f in zip(ran, book):
        assert all(env.get(k) == v for k, v in f.kernel_env)
    assert len(skipped) == len(FRAMEWORKS) - len(book)
    assert all('not run' in line for line in skipped)
