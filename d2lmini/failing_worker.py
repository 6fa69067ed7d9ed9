"""A worker that fails on purpose, to show what torchrun and launch do when
one worker of a run dies: the last rank raises after joining the group, while
the others wait for it in an all-reduce.

    torchrun --standalone --nproc-per-node 2 -m d2lmini.failing_worker
"""

import torch
import torch.distributed as dist
from torch.distributed.elastic.multiprocessing.errors import record

from .data_parallel import setup


@record
def main():
    rank, world_size, _, device = setup('gloo', timeout=60)
    try:
        if rank == world_size - 1:
            raise RuntimeError(f'worker {rank} failed on purpose')
        dist.all_reduce(torch.ones(1, device=device))  # waits for that rank
    finally:
        dist.destroy_process_group()


if __name__ == '__main__':
    main()
