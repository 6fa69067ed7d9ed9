r"""Minibatch SGD across workers, each on its shard of every global minibatch.

Run with torchrun, e.g. two workers on this machine::

    torchrun --standalone --nproc-per-node 2 \
        -m d2lmini.data_parallel --out run.json

Every worker draws the same global permutation from a shared seed, takes its
rank's slice of each global minibatch, and DistributedDataParallel (DDP)
all-reduces the gradients, so all workers take the same step. Rank 0 writes the
results as JSON.
"""
import argparse
import json
import math
import os
import signal
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

import torch
import torch.distributed as dist
from torch.distributed.elastic.multiprocessing.errors import record
from torch.nn.parallel import DistributedDataParallel as DDP

from . import checks
from .data import get_data_ch11
from .device import set_seed
from .train import linear_model, squared_loss

BACKENDS = ('auto', 'gloo', 'nccl')


def airfoil(device):
    """The standardized airfoil features and labels: (1500, 5), (1500,)."""
    data_iter, _ = get_data_ch11(batch_size=1500, device=device)
    return data_iter.tensors


def make_model(feature_dim, seed, device):
    """A linear model initialized as in train_ch11, identically for every
    seed."""
    set_seed(seed)
    return linear_model(feature_dim, device)


def global_batches(n, batch_size, seed, epoch):
    """The global minibatches of one epoch: index tensors cut from a
    permutation that depends only on (seed, epoch), so every worker draws
    the same one."""
    gen = torch.Generator().manual_seed(seed * 100_003 + epoch)
    return torch.randperm(n, generator=gen).split(batch_size)


def shard(indices, rank, world_size):
    """This rank's slice of a global minibatch; sizes differ by at most one."""
    return indices.tensor_split(world_size)[rank]


def shard_loss(net, X, y, indices, rank, world_size):
    """The loss on this rank's shard, scaled so that DDP's average over the
    workers is the mean loss over the whole global minibatch `indices`."""
    idx = shard(indices, rank, world_size).to(X.device)
    out = net(X[idx])  # (shard, 1)
    # With equal shards this is the shard's mean loss; the sum makes it exact
    # for any split.
    return squared_loss(out, y[idx]).sum() * world_size / len(indices)


def gradient(net, X, y, indices, rank=0, world_size=1):
    """The flat gradient of the global minibatch's mean loss: [w..., b]."""
    net.zero_grad()
    shard_loss(net, X, y, indices, rank, world_size).backward()
    params = (net.module.parameters() if isinstance(net, DDP)
              else net.parameters())
    return torch.cat([p.grad.reshape(-1) for p in params]).tolist()


@torch.no_grad()
def full_loss(net, X, y):
    """Mean squared loss over all the data."""
    return squared_loss(net(X), y).mean().item()


def train(net, X, y, batch_size, lr, epochs, seed, rank=0, world_size=1,
          after_step=None):
    """Minibatch SGD on this rank's shards; the full-data loss before
    training and after every step. `net` may be wrapped in DDP;
    `after_step(step)` is called after each step."""
    module = net.module if isinstance(net, DDP) else net
    optimizer = torch.optim.SGD(net.parameters(), lr=lr)
    losses, step = [full_loss(module, X, y)], 0
    for epoch in range(epochs):
        for indices in global_batches(len(X), batch_size, seed, epoch):
            optimizer.zero_grad()
            loss = shard_loss(net, X, y, indices, rank, world_size)
            loss.backward()  # DDP all-reduces the gradients here
            optimizer.step()
            step += 1
            losses.append(full_loss(module, X, y))
            if not math.isfinite(losses[-1]):
                raise FloatingPointError(
                    f'training diverged at step {step}: loss {losses[-1]}; '
                    f'try a smaller --lr than {lr}')
            if after_step is not None:
                after_step(step)
    return losses


def gpus():
    """The number of CUDA GPUs this process can use (0 without CUDA)."""
    return torch.cuda.device_count() if torch.cuda.is_available() else 0


def pick_backend(name, local_world_size=1):
    """'gloo' or 'nccl' for `name` in BACKENDS; 'auto' picks nccl only when
    each of the `local_world_size` workers on this machine can have a GPU of
    its own."""
    if name not in BACKENDS:
        raise ValueError(f'backend must be one of {BACKENDS}, got {name!r}')
    local_world_size = checks.positive_int('local_world_size',
                                           local_world_size)
    enough = gpus() >= local_world_size and dist.is_nccl_available()
    if name == 'auto':
        return 'nccl' if enough else 'gloo'
    if name == 'nccl' and not enough:
        raise ValueError(f"backend 'nccl' needs one CUDA GPU per worker, but "
                         f"{local_world_size} worker(s) share {gpus()} GPU(s) "
                         f"here (NCCL available: {dist.is_nccl_available()}); "
                         f"use --backend gloo (or auto)")
    return name


def _positive(kind):
    def parse(text):
        try:
            value = kind(text)
        except ValueError:
            value = None
        if value is None or not math.isfinite(value) or value <= 0:
            raise argparse.ArgumentTypeError(
                f'must be a positive {kind.__name__}, got {text!r}')
        return value
    return parse


def parser():
    """The command-line parser of one worker."""
    p = argparse.ArgumentParser(prog='python -m d2lmini.data_parallel',
                                description=__doc__.split('\n\n')[0])
    p.add_argument('--batch-size', type=_positive(int), default=100,
                   help='global minibatch size, split across all workers '
                        '(default 100)')
    p.add_argument('--lr', type=_positive(float), default=0.4,
                   help='learning rate (default 0.4)')
    p.add_argument('--epochs', type=_positive(int), default=2,
                   help='passes over the data (default 2)')
    p.add_argument('--seed', type=int, default=0,
                   help='shared seed for the model and the permutations')
    p.add_argument('--backend', choices=BACKENDS, default='auto',
                   help='gloo (CPU), nccl (one GPU per worker) or auto '
                        '(default: nccl if every worker on this machine gets '
                        'a GPU, else gloo)')
    p.add_argument('--timeout', type=_positive(float), default=60.0,
                   help='seconds to wait for the other workers at start-up '
                        'and in each collective before failing (default 60)')
    p.add_argument('--out', type=Path,
                   help='JSON file that rank 0 writes the results to')
    p.add_argument('--fail-rank', type=int, default=None,
                   help=argparse.SUPPRESS)  # a test hook, not in --help
    return p


def parse_args(argv=None):
    """The parsed command line of one worker (sys.argv when argv is None)."""
    return parser().parse_args(argv)


@record  # torchrun's failure summary then shows the worker's exception
def main(argv=None):
    """One worker: join the group, check the gradient, train, (rank 0)
    write JSON."""
    args = parse_args(argv)
    if 'RANK' not in os.environ or 'WORLD_SIZE' not in os.environ:
        raise RuntimeError('run this module under torchrun, e.g. `torchrun '
                           '--standalone --nproc-per-node 2 -m '
                           'd2lmini.data_parallel`')
    local_rank = int(os.environ.get('LOCAL_RANK', 0))
    local_world_size = int(os.environ.get('LOCAL_WORLD_SIZE', 1))
    # Every rank picks the same backend.
    backend = pick_backend(args.backend, local_world_size)
    if backend == 'nccl':  # pick_backend checked that local_rank < gpus()
        device = torch.device('cuda', local_rank)
        torch.cuda.set_device(device)
    else:
        device = torch.device('cpu')
    dist.init_process_group(backend, timeout=timedelta(seconds=args.timeout))
    try:
        rank, world_size = dist.get_rank(), dist.get_world_size()
        if args.batch_size < world_size:
            raise ValueError(f'--batch-size {args.batch_size} is smaller '
                             f'than the {world_size} workers: give every '
                             f'worker at least one example')
        X, y = airfoil(device)  # (1500, 5), (1500,)
        net = make_model(X.shape[1], args.seed, device)
        ddp = DDP(net,
                  device_ids=[local_rank] if device.type == 'cuda' else None)
        first = global_batches(len(X), args.batch_size, args.seed, 0)[0]
        grad = gradient(ddp, X, y, first, rank, world_size)  # all-reduced
        shard_sizes = [None] * world_size
        shard_size = len(shard(first, rank, world_size))
        dist.all_gather_object(shard_sizes, shard_size)

        def fail(step):
            if rank == args.fail_rank:
                raise RuntimeError(f'worker {rank} failed on purpose after '
                                   f'step {step} '
                                   f'(--fail-rank {args.fail_rank})')

        start = time.perf_counter()
        losses = train(ddp, X, y, args.batch_size, args.lr, args.epochs,
                       args.seed, rank, world_size, after_step=fail)
        seconds = time.perf_counter() - start
        if rank == 0 and args.out is not None:
            result = {'world_size': world_size, 'backend': backend,
                      'device': str(device), 'batch_size': args.batch_size,
                      'lr': args.lr, 'epochs': args.epochs, 'seed': args.seed,
                      'shard_sizes': shard_sizes, 'grad': grad,
                      'losses': losses, 'seconds': seconds}
            tmp = args.out.with_suffix('.part')
            tmp.write_text(json.dumps(result))
            os.replace(tmp, args.out)  # never a half-written file
    finally:
        dist.destroy_process_group()


def _signal_group(proc, sig):
    """Send `sig` to torchrun's process group: torchrun and its workers."""
    try:
        os.killpg(proc.pid, sig)
    except ProcessLookupError:  # every process of the group has ended
        pass


def _stop(proc, grace=15):
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


def launch(nproc, args=(), timeout=120):
    """Run `nproc` workers on this machine with torchrun; return their output.

    Raises RuntimeError with the output if any worker fails, and TimeoutError
    if the run takes longer than `timeout` seconds. On any error, an
    interrupted kernel included, it stops torchrun and every worker, and it
    leaves no log folder behind."""
    nproc = checks.positive_int('nproc', nproc)
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) \
            or not timeout > 0:
        raise ValueError(f'timeout must be a positive number of seconds, got '
                         f'{timeout!r}')
    root = str(Path(__file__).resolve().parents[1])
    env = {**os.environ, 'OMP_NUM_THREADS': '1',
           'PYTHONPATH': os.pathsep.join(filter(None, [
               root, os.environ.get('PYTHONPATH')]))}
    with tempfile.TemporaryDirectory(prefix='d2lmini-torchrun-') as logs, \
            tempfile.TemporaryFile(mode='w+') as out:
        cmd = [sys.executable, '-m', 'torch.distributed.run', '--standalone',
               '--nproc-per-node', str(nproc), '--log-dir', logs,
               '-m', 'd2lmini.data_parallel', *map(str, args)]
        # Output goes to a file, not a pipe: a pipe kept open by a stray
        # worker would make reading it wait for that worker.
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT,
                                text=True, env=env,
                                start_new_session=os.name == 'posix')
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            _stop(proc)
            out.seek(0)
            raise TimeoutError(f'{nproc} workers did not finish within '
                               f'{timeout} s and were stopped; output:\n'
                               f'{out.read()[-4000:]}') from None
        except BaseException:  # KeyboardInterrupt too: leave nothing running
            _stop(proc)
            raise
        out.seek(0)
        text = out.read()
    if proc.returncode != 0:
        raise RuntimeError(f'the run of {nproc} workers failed with exit '
                           f'status {proc.returncode}; output:\n'
                           f'{text[-6000:]}')
    return text


def run(nproc, batch_size=100, lr=0.4, epochs=2, backend='auto', timeout=120,
        extra=()):
    """Train with `nproc` local workers; return the results rank 0 wrote."""
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / 'result.json'
        launch(nproc, ['--batch-size', batch_size, '--lr', lr,
                       '--epochs', epochs, '--backend', backend,
                       '--timeout', timeout / 2, '--out', out, *extra],
               timeout)
        return json.loads(out.read_text())


if __name__ == '__main__':
    main()
