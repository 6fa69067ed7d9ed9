"""Every framework's adapter keeps the contract (d2lmini/core/contract.py):
the same modules, each with the same public names and signatures, and no
other. One test per framework and module; a framework that this
environment lacks (MXNet) is checked in its own environment."""

import importlib
import importlib.util
import json
import subprocess

import pytest

from d2lmini.core import contract
from d2lmini.core.registry import FRAMEWORKS
from tests.helpers import ROOT
from tests.package.test_mxnet import environment_python

CHECK = """
import importlib, json, sys
from d2lmini.core import contract
adapter, module, framework = sys.argv[1:]
mod = importlib.import_module(f'd2lmini.{adapter}.{module}')
print(json.dumps(contract.violations(mod, module, framework)))
"""


def violations_elsewhere(framework, module):
    """The contract check, run by the framework's own environment."""
    f = FRAMEWORKS[framework]
    result = subprocess.run(
        [
            environment_python(framework),
            '-c',
            CHECK,
            f.adapter,
            module,
            framework,
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.splitlines()[-1])


@pytest.mark.parametrize('module', list(contract.MODULES))
@pytest.mark.parametrize('framework', list(FRAMEWORKS))
def test_the_adapter_keeps_the_contract(framework, module):
    f = FRAMEWORKS[framework]
    if importlib.util.find_spec(f.module) is None:
        found = violations_elsewhere(framework, module)
    else:
        mod = importlib.import_module(f'd2lmini.{f.adapter}.{module}')
        found = contract.violations(mod, module, framework)
    assert found == []


def test_the_contract_check_finds_a_break():
    mod = importlib.import_module('d2lmini.torch.train')
    broken = type(mod)('d2lmini.torch.train')
    broken.__dict__.update(vars(mod))
    broken.sgd = lambda params, hyperparams: None
    broken.sgd.__module__ = broken.__name__
    del broken.squared_loss
    broken.helper = lambda: None
    broken.helper.__module__ = broken.__name__
    assert contract.violations(broken, 'train', 'pytorch') == [
        'squared_loss is missing',
        'sgd(params, hyperparams), not sgd(params, states, hyperparams)',
        'helper is public but not in the contract',
    ]


def test_every_adapter_exports_the_core_and_its_contract():
    from d2lmini.core import shared

    for framework in ('pytorch', 'tensorflow'):
        d2l = importlib.import_module(
            f'd2lmini.{FRAMEWORKS[framework].adapter}'
        )
        assert d2l.__all__ == shared.__all__ + contract.names()
