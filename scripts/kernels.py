"""Each framework's Jupyter kernel, as d2lmini/core/registry.py describes it;
the Makefile's one recipe for them all:

    python scripts/kernels.py list book|own KERNELS   # the kernel.json paths
    python scripts/kernels.py install KERNEL VENV     # make one kernel
    python scripts/kernels.py run VENV SCRIPT [ARGS]  # once per framework

`run` runs SCRIPT --framework NAME ARGS with each framework's Python and
kernel variables, as its notebooks run (`make bench`).

A framework without an environment of its own (TensorFlow) runs in the
book's, VENV; its kernel sets the framework's `kernel_env`. One with an
environment (MXNet) gets a virtual environment made by `<NAME>_PYTHON`
(default: python<its newest version>) at `<NAME>_VENV` (default: its
`environment`), from `constraints-<name>.txt`. Where that cannot be done,
one line says why and the build goes on: the framework's tabs say that this
build could not run it. PyTorch runs in the book's own kernel, python3.
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from d2lmini.core.registry import FRAMEWORKS  # noqa: E402

OWN = {f.kernel: f for f in FRAMEWORKS.values() if f.kernel != 'python3'}


def setting(f, what, default):
    """$MXNET_PYTHON and the like: a framework's environment, as set."""
    return os.environ.get(f'{f.name.upper()}_{what}') or default


def environment(f):
    return setting(f, 'VENV', f.environment)


def install_in_book(f, venv):
    """The kernel, in the book's environment `venv`."""
    env = [a for k, v in f.kernel_env for a in ('--env', k, v)]
    subprocess.run(
        [f'{venv}/bin/python', '-m', 'ipykernel', 'install', '--prefix',
         os.path.abspath(venv), '--name', f.kernel, '--display-name',
         f.kernel_display, *env],
        check=True, stdout=subprocess.DEVNULL,
    )  # fmt: skip


def install_own(f, venv):
    """The framework's environment and its kernel, or one line saying why
    not."""
    name = f.name.upper()
    python = setting(f, 'PYTHON', 'python' + '.'.join(map(str, f.max_python)))
    fits = [python, '-m', 'd2lmini.core.registry', f.name, 'fits']
    try:
        usable = subprocess.run(fits, cwd=ROOT, capture_output=True)
    except OSError:
        usable = None
    if usable is None or usable.returncode != 0:
        print(
            f"{f.display}: not installed: it needs {f.python}, and "
            f"'{python}' is not (set {name}_PYTHON=...); the {f.display} "
            f'tabs say so'
        )
        return
    own = environment(f)
    constraints = f'constraints-{f.name}.txt'
    steps = [
        [python, '-m', 'venv', own],
        [f'{own}/bin/pip', 'install', '-q', '-c', constraints, '-r',
         constraints],
        [f'{own}/bin/pip', 'install', '-q', '--no-deps', '-e', '.'],
    ]  # fmt: skip
    kernel = [
        f'{own}/bin/python', '-m', 'ipykernel', 'install', '--prefix',
        os.path.abspath(venv), '--name', f.kernel, '--display-name',
        f.kernel_display,
    ]  # fmt: skip
    ok = all(subprocess.run(s, cwd=ROOT).returncode == 0 for s in steps)
    if ok:
        with open(Path(own) / 'kernel.log', 'w') as log:
            ok = subprocess.run(kernel, stdout=log, stderr=log).returncode == 0
    if not ok:
        shutil.rmtree(Path(venv, 'share/jupyter/kernels', f.kernel), True)
        print(
            f'{f.display}: not installed: making {own} failed (see above, or '
            f'{own}/kernel.log); the {f.display} tabs say so'
        )


def listed(which, kernels):
    """The kernel.json paths of the kernels in the book's environment
    ('book') or in their own ('own')."""
    for f in OWN.values():
        if (which == 'own') == bool(f.environment):
            print(f'{kernels}/{f.kernel}/kernel.json')


def install(kernel, venv):
    if kernel not in OWN:
        sys.exit(f'unknown kernel {kernel!r}: the registry names {list(OWN)}')
    f = OWN[kernel]
    shutil.rmtree(Path(venv, 'share/jupyter/kernels', kernel), True)
    (install_own if f.environment else install_in_book)(f, venv)


def run(venv, script, *args):
    """SCRIPT --framework NAME ARGS, once in each framework's environment."""
    for f in FRAMEWORKS.values():
        python = Path(environment(f) or venv, 'bin', 'python')
        if not python.exists():
            print(f'{f.display}: not run: {python} does not exist')
            continue
        env = {**os.environ, **dict(f.kernel_env)}
        command = [python, script, '--framework', f.name, *args]
        status = subprocess.run(command, env=env).returncode
        if status:
            sys.exit(f'{f.display}: {script} failed (exit status {status})')


COMMANDS = {'list': (listed, 2), 'install': (install, 2), 'run': (run, 2)}


def main(argv):
    command, arity = COMMANDS.get(argv[0] if argv else '', (None, 0))
    if command is None or len(argv) - 1 < arity:
        sys.exit(__doc__)
    command(*argv[1:])


if __name__ == '__main__':
    main(sys.argv[1:])
