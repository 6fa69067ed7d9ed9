"""A worker that fails on purpose, to show what torchrun and launch do when
one worker of a run dies: rank 0 raises after joining the group, while the
others wait for it in an all-reduce. (torchrun reports the earliest failure,
by the second, as the root cause, the lowest rank on a tie; the others fail
after it, when their all-reduce loses its peer, so the root cause is always
rank 0's own error.)

    torchrun --standalone --nproc-per-node 2 -m d2lmini.failing_worker
"""

import torch
import torch.distributed as dist
from torch.distributed.elastic.multiprocessing.errors import record

from .data_parallel import setup


@record
def main():
    rank, _, _, device = setup('gloo', timeout=60)
    try:
        if rank == 0:
            raise RuntimeError(f'worker {rank} failed on purpose')
        dist.all_reduce(torch.ones(1, device=device))  # waits for that rank
    finally:
        dist.destroy_process_group()


if __name__ == '__main__':
    main()
