"""Run data-parallel workers on this machine with torchrun, from Python (a
notebook, say), and leave nothing running when anything goes wrong."""

import json
import os
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

from . import checks


def _signal_group(proc, sig):
    """Send `sig` to torchrun's process group: torchrun and its workers."""
    try:
        os.killpg(proc.pid, sig)
    except ProcessLookupError:  # every process of the group has ended
        pass


def stop(proc, grace=15):
    """Stop torchrun and every worker it started: SIGTERM, then SIGKILL to
    whatever is left of the process group."""
    if os.name != 'posix':
        proc.kill()
        proc.wait()
        return
    _signal_group(proc, signal.SIGTERM)
    try:
        proc.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        pass
    _signal_group(proc, signal.SIGKILL)  # workers that outlived torchrun
    proc.wait()


def package_root():
    """The folder that holds the d2lmini package, for the workers' path."""
    return str(Path(__file__).resolve().parents[1])


def launch(nproc, args=(), timeout=120, module='d2lmini.data_parallel'):
    """Run `nproc` workers of `module` on this machine with torchrun; return
    their output.

    Raises RuntimeError with the output if any worker fails, and TimeoutError
    if the run takes longer than `timeout` seconds. On any error, an
    interrupted kernel included, it stops torchrun and every worker, and it
    leaves no log folder behind."""
    nproc = checks.positive_int('nproc', nproc)
    timeout = checks.positive('timeout', timeout)
    root = package_root()
    env = {
        **os.environ,
        'OMP_NUM_THREADS': '1',
        'PYTHONPATH': os.pathsep.join(
            filter(None, [root, os.environ.get('PYTHONPATH')])
        ),
    }
    with (
        tempfile.TemporaryDirectory(prefix='d2lmini-torchrun-') as logs,
        tempfile.TemporaryFile(mode='w+') as out,
    ):
        cmd = [
            sys.executable,
            '-m',
            'torch.distributed.run',
            '--standalone',
            '--nproc-per-node',
            str(nproc),
            '--log-dir',
            logs,
            '-m',
            module,
            *map(str, args),
        ]
        # Output goes to a file, not a pipe: a pipe kept open by a stray
        # worker would make reading it wait for that worker.
        proc = subprocess.Popen(
            cmd,
            stdout=out,
            stderr=subprocess.STDOUT,
            text=True,
            env=env,
            start_new_session=os.name == 'posix',
        )
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            stop(proc)
            out.seek(0)
            raise TimeoutError(
                f'{nproc} workers did not finish within '
                f'{timeout:g} s and were stopped; output:\n'
                f'{out.read()[-4000:]}'
            ) from None
        except BaseException:  # KeyboardInterrupt too: leave nothing running
            stop(proc)
            raise
        out.seek(0)
        text = out.read()
    if proc.returncode != 0:
        raise RuntimeError(
            f'the run of {nproc} workers failed with exit '
            f'status {proc.returncode}; output:\n'
            f'{text[-6000:]}'
        )
    return text


def run(nproc, batch_size=100, lr=0.4, epochs=2, backend='auto', timeout=120):
    """Train with `nproc` local workers; return the results rank 0 wrote."""
    timeout = checks.positive('timeout', timeout)
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / 'result.json'
        launch(
            nproc,
            [
                '--batch-size',
                batch_size,
                '--lr',
                lr,
                '--epochs',
                epochs,
                '--backend',
                backend,
                '--timeout',
                timeout / 2,
                '--out',
                out,
            ],
            timeout,
        )
        return json.loads(out.read_text())
