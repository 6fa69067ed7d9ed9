"""A worker that fails on purpose, to show what torchrun and launch do when
one worker of a run dies: rank 0 raises as soon as it has joined the group,
while the others wait, as they would for it in their next all-reduce, until
torchrun stops them. (They wait in a sleep rather than in an all-reduce:
gloo would end theirs with an error of its own when rank 0's connection
closes, and torchrun could then report that error as the first failure.)

    torchrun --standalone --nproc-per-node 2 \
        -m d2lmini.distributed.failing_worker
"""

import time

import torch.distributed as dist
from torch.distributed.elastic.multiprocessing.errors import record

from .data_parallel import setup


@record
def main():
    rank, _, _, _ = setup('gloo', timeout=60)
    try:
        if rank == 0:
            raise RuntimeError(f'worker {rank} failed on purpose')
        time.sleep(600)  # waiting for rank 0, which never comes
    finally:
        dist.destroy_process_group()


if __name__ == '__main__':
    main()
