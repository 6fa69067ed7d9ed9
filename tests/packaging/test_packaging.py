"""The package as pip sees it: a wheel and an sdist that carry every module
of every folder, the airfoil data and its licence, pass `twine check`, and
take the version from one place."""

import subprocess
import sys
import tarfile
import zipfile
from importlib import metadata

import pytest

import d2lmini
from d2lmini.core.registry import FRAMEWORKS
from tests.helpers import ROOT

DATA = [
    'd2lmini/datasets/airfoil_self_noise.dat',
    'd2lmini/datasets/airfoil_self_noise.txt',
]


@pytest.fixture(scope='module')
def dist(tmp_path_factory):
    out = tmp_path_factory.mktemp('dist')
    # --no-isolation: build with this environment's setuptools, without a network
    result = subprocess.run(
        [
            sys.executable,
            '-m',
            'build',
            '--no-isolation',
            '--outdir',
            str(out),
            str(ROOT),
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, (
        result.stdout[-3000:] + result.stderr[-3000:]
    )
    return out


def test_wheel_and_sdist_carry_the_data_and_its_licence(dist):
    version = d2lmini.__version__
    [wheel] = dist.glob(f'd2lmini-{version}-py3-none-any.whl')
    [sdist] = dist.glob(f'd2lmini-{version}.tar.gz')
    names = zipfile.ZipFile(wheel).namelist()
    assert set(DATA) <= set(names)
    assert f'd2lmini-{version}.dist-info/licenses/LICENSE' in names
    members = tarfile.open(sdist).getnames()
    assert {f'd2lmini-{version}/{name}' for name in DATA + ['LICENSE']} <= set(
        members
    )
    modules = {
        p.relative_to(ROOT).as_posix()
        for p in (ROOT / 'd2lmini').rglob('*.py')
    }
    assert modules - set(names) == set()  # core, adapters, distributed, ...
    shipped = zipfile.ZipFile(wheel).read(DATA[0])
    assert shipped == (ROOT / DATA[0]).read_bytes()


def test_twine_check_passes(dist):
    result = subprocess.run(
        [
            sys.executable,
            '-m',
            'twine',
            'check',
            '--strict',
            *map(str, dist.iterdir()),
        ],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_version_is_written_once():
    pyproject = (ROOT / 'pyproject.toml').read_text(encoding='utf-8')
    assert 'dynamic = ["version"]' in pyproject
    assert '{attr = "d2lmini.__version__"}' in pyproject
    assert d2lmini.__version__ not in pyproject
    licence = (ROOT / 'LICENSE').read_text(encoding='utf-8')
    assert licence.startswith('MIT License') and 'license = "MIT"' in pyproject


@pytest.mark.parametrize(
    'framework',
    [f for f in FRAMEWORKS.values() if f.pins],
    ids=lambda f: f.name,
)
def test_the_pinned_versions_are_the_registrys(framework):
    # pyproject.toml (as installed) and the lock file cannot import the
    # registry; they must agree with it.
    extra = f'extra == "{framework.extra}"'
    required = [
        r.split(';')[0].strip()
        for r in metadata.requires('d2lmini')
        if r.endswith(extra)
    ]
    assert sorted(required) == sorted(framework.pins)
    lock = ROOT / f'constraints-{framework.name}.txt'
    assert set(framework.pins) <= set(lock.read_text().split())
