r"""Minibatch SGD across workers, each on its shard of every global minibatch.

Run with torchrun, e.g. two workers on this machine::

    torchrun --standalone --nproc-per-node 2 \
        -m d2lmini.distributed.data_parallel --out run.json

Every worker draws the same global permutation from a shared seed, takes its
rank's slice of each global minibatch, and DistributedDataParallel (DDP)
all-reduces the gradients, so all workers take the same step. Rank 0 writes the
results as JSON.
"""

import argparse
import json
import os
import time
from datetime import timedelta
from pathlib import Path

import torch
import torch.distributed as dist
from torch.distributed.elastic.multiprocessing.errors import record
from torch.nn.parallel import DistributedDataParallel as DDP

from ..core import checks
from ..torch.data import airfoil_tensors
from .sharding import (
    check_no_idle_worker,
    global_batches,
    gradient,
    make_model,
    shard,
    train,
)

BACKENDS = ('auto', 'gloo', 'nccl')


def gpus():
    """The number of CUDA GPUs this process can use (0 without CUDA)."""
    return torch.cuda.device_count() if torch.cuda.is_available() else 0


def pick_backend(name, local_world_size=1):
    """'gloo' or 'nccl' for `name` in BACKENDS; 'auto' picks nccl only when
    each of the `local_world_size` workers on this machine can have a GPU of
    its own."""
    if name not in BACKENDS:
        raise ValueError(f'backend must be one of {BACKENDS}, got {name!r}')
    local_world_size = checks.positive_int(
        'local_world_size', local_world_size
    )
    enough = gpus() >= local_world_size and dist.is_nccl_available()
    if name == 'auto':
        return 'nccl' if enough else 'gloo'
    if name == 'nccl' and not enough:
        raise ValueError(
            f"backend 'nccl' needs one CUDA GPU per worker, but "
            f"{local_world_size} worker(s) share {gpus()} GPU(s) "
            f"here (NCCL available: {dist.is_nccl_available()}); "
            f"use --backend gloo (or auto)"
        )
    return name


def _positive(kind):
    """An argparse type: a positive number of `kind` (int or float)."""

    def parse(text):
        try:
            return kind(checks.positive('value', kind(text)))
        except (TypeError, ValueError):
            raise argparse.ArgumentTypeError(
                f'must be a positive {kind.__name__}, got {text!r}'
            ) from None

    return parse


def parser():
    """The command-line parser of one worker."""
    p = argparse.ArgumentParser(
        prog='python -m d2lmini.distributed.data_parallel',
        description=__doc__.split('\n\n')[0],
    )
    p.add_argument(
        '--batch-size',
        type=_positive(int),
        default=100,
        help='global minibatch size, split across all workers (default 100)',
    )
    p.add_argument(
        '--lr',
        type=_positive(float),
        default=0.4,
        help='learning rate (default 0.4)',
    )
    p.add_argument(
        '--epochs',
        type=_positive(int),
        default=2,
        help='passes over the data (default 2)',
    )
    p.add_argument(
        '--seed',
        type=int,
        default=0,
        help='shared seed for the model and the permutations',
    )
    p.add_argument(
        '--backend',
        choices=BACKENDS,
        default='auto',
        help='gloo (CPU), nccl (one GPU per worker) or auto '
        '(default: nccl if every worker on this machine gets '
        'a GPU, else gloo)',
    )
    p.add_argument(
        '--timeout',
        type=_positive(float),
        default=60.0,
        help='seconds to wait for the other workers at start-up '
        'and in each collective before failing (default 60)',
    )
    p.add_argument(
        '--out', type=Path, help='JSON file that rank 0 writes the results to'
    )
    return p


def setup(backend_name, timeout):
    """Join the process group; return (rank, world_size, backend, device)."""
    if 'RANK' not in os.environ or 'WORLD_SIZE' not in os.environ:
        raise RuntimeError(
            'run this module under torchrun, e.g. `torchrun '
            '--standalone --nproc-per-node 2 -m '
            'd2lmini.distributed.data_parallel`'
        )
    local_rank = int(os.environ.get('LOCAL_RANK', 0))
    # Every rank picks the same backend.
    backend = pick_backend(
        backend_name, int(os.environ.get('LOCAL_WORLD_SIZE', 1))
    )
    device = torch.device('cpu')
    if backend == 'nccl':  # pick_backend checked that local_rank < gpus()
        device = torch.device('cuda', local_rank)
        torch.cuda.set_device(device)
    dist.init_process_group(backend, timeout=timedelta(seconds=timeout))
    return dist.get_rank(), dist.get_world_size(), backend, device


def write_json(path, result):
    """Write `result` to `path` whole: never a half-written file."""
    tmp = path.with_suffix('.part')
    tmp.write_text(json.dumps(result))
    os.replace(tmp, path)


@record  # torchrun's failure summary then shows the worker's exception
def main(argv=None):
    """One worker: join the group, check the gradient, train, (rank 0)
    write JSON."""
    args = parser().parse_args(argv)
    rank, world_size, backend, device = setup(args.backend, args.timeout)
    try:
        X, y = airfoil_tensors(device=device)  # (1500, 5), (1500,)
        check_no_idle_worker(len(X), args.batch_size, world_size)
        net = make_model(X.shape[1], args.seed, device)
        ddp = DDP(
            net,
            device_ids=[device.index] if device.index is not None else None,
        )
        first = global_batches(len(X), args.batch_size, args.seed, 0)[0]
        grad = gradient(ddp, X, y, first, rank, world_size)  # all-reduced
        shard_sizes = [None] * world_size
        dist.all_gather_object(
            shard_sizes, len(shard(first, rank, world_size))
        )
        start = time.perf_counter()
        losses = train(
            ddp,
            X,
            y,
            args.batch_size,
            args.lr,
            args.epochs,
            args.seed,
            rank,
            world_size,
        )
        seconds = time.perf_counter() - start
        if rank == 0 and args.out is not None:
            write_json(
                args.out,
                {
                    'world_size': world_size,
                    'backend': backend,
                    'device': str(device),
                    'batch_size': args.batch_size,
                    'lr': args.lr,
                    'epochs': args.epochs,
                    'seed': args.seed,
                    'shard_sizes': shard_sizes,
                    'grad': grad,
                    'losses': losses,
                    'seconds': seconds,
                },
            )
    finally:
        dist.destroy_process_group()


if __name__ == '__main__':
    main()
