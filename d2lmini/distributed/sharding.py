"""The mathematics of data parallelism: global minibatches drawn from a
shared seed, one shard of each per worker, and a loss that makes DDP's
average of the shard gradients the gradient of the whole minibatch."""

import math

import torch
from torch.nn.parallel import DistributedDataParallel as DDP

from ..torch.device import set_seed
from ..torch.train import linear_model, squared_loss


def make_model(feature_dim, seed, device):
    """A linear model initialized as in train_ch11: the same weights for the
    same seed, whatever the device (init_params draws them on the CPU)."""
    set_seed(seed)
    return linear_model(feature_dim, device)


def global_batches(n, batch_size, seed, epoch):
    """The global minibatches of one epoch: index tensors cut from a
    permutation that depends only on (seed, epoch), so every worker draws
    the same one."""
    gen = torch.Generator().manual_seed(seed * 100_003 + epoch)
    return torch.randperm(n, generator=gen).split(batch_size)


def check_no_idle_worker(n, batch_size, world_size):
    """Refuse a global batch size that leaves a worker without examples in
    some global minibatch: the last of each epoch, the smallest. The step
    would still be exact (shard_loss scales by the global batch size); the
    worker would only idle through it."""
    last = n % batch_size or min(batch_size, n)
    if last >= world_size:
        return
    fits = (b for b in range(world_size, n + 1) if (n % b or b) >= world_size)
    size = next(fits, None)  # the smallest batch size that works
    fix = (
        f'use a batch size whose last minibatch has at least {world_size} '
        f'examples, such as {size}'
        if size is not None
        else f'use at most {n} workers'
    )
    raise ValueError(
        f'--batch-size {batch_size} over {n} examples leaves {last} examples '
        f'in the last global minibatch of every epoch, fewer than the '
        f'{world_size} workers: {world_size - last} of them would idle '
        f'through that step (the gradient would still be exact); {fix}'
    )


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
    params = (
        net.module.parameters() if isinstance(net, DDP) else net.parameters()
    )
    return torch.cat([p.grad.reshape(-1) for p in params]).tolist()


@torch.no_grad()
def full_loss(net, X, y):
    """Mean squared loss over all the data."""
    return squared_loss(net(X), y).mean().item()


def train(net, X, y, batch_size, lr, epochs, seed, rank=0, world_size=1):
    """Minibatch SGD on this rank's shards; the full-data loss before
    training and after every step. `net` may be wrapped in DDP."""
    module = net.module if isinstance(net, DDP) else net
    optimizer = torch.optim.SGD(net.parameters(), lr=lr)
    losses = [full_loss(module, X, y)]
    for epoch in range(epochs):
        for indices in global_batches(len(X), batch_size, seed, epoch):
            optimizer.zero_grad()
            loss = shard_loss(net, X, y, indices, rank, world_size)
            loss.backward()  # DDP all-reduces the gradients here
            optimizer.step()
            losses.append(full_loss(module, X, y))
            if not math.isfinite(losses[-1]):
                raise FloatingPointError(
                    f'training diverged at step {len(losses) - 1}: loss '
                    f'{losses[-1]}; try a smaller --lr than {lr}'
                )
    return losses
