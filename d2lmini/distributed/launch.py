"""Run data-parallel workers on this machine with torchrun, from Python (a
notebook, say), and leave nothing running when anything goes wrong."""

import json
import os
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

import psutil

from ..core import checks


def _groups(proc):
    """The process groups of torchrun and of every process it started: torchrun
    starts each worker in a session, and so a group, of its own."""
    try:
        children = psutil.Process(proc.pid).children(recursive=True)
    except psutil.NoSuchProcess:
        children = []
    groups = {proc.pid}
    for child in children:
        try:
            groups.add(os.getpgid(child.pid))
        except ProcessLookupError:  # it ended while we looked
            pass
    return groups - {os.getpgrp()}  # never the caller's own group


def _signal(groups, sig):
    for group in groups:
        try:
            os.killpg(group, sig)
        except ProcessLookupError:  # every process of the group has ended
            pass


def stop(proc, grace=45):
    """Stop torchrun and every worker it started: SIGTERM to all of them,
    then, after `grace` seconds (torchrun itself waits up to 30 s for its
    workers), SIGKILL to whatever is left."""
    if os.name != 'posix':
        proc.kill()
        proc.wait()
        return
    groups = _groups(proc)
    _signal(groups, signal.SIGTERM)
    try:
        proc.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        pass
    _signal(groups | _groups(proc), signal.SIGKILL)
    proc.wait()


def package_root():
    """The folder that holds the d2lmini package, for the workers' path."""
    return str(Path(__file__).resolve().parents[2])


def launch(
    nproc, args=(), timeout=120, module='d2lmini.distributed.data_parallel'
):
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


def one_gpu_run(gpus, **kwargs):
    """On a machine with exactly one GPU, where workers must share the CPU
    (NCCL needs a GPU per worker), train once more with one worker alone on
    the GPU with NCCL and return its results; else None. `kwargs` go to
    run."""
    return run(1, backend='nccl', **kwargs) if gpus == 1 else None
