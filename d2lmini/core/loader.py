"""What every framework's load_array builds: minibatches of in-memory
arrays, one gather (or one copy) per epoch and every batch a view of it."""

import math


class Batches:
    """Minibatches of in-memory arrays, indexed a whole batch at a time.

    `tensors` are the arrays, examples along the first axis. A framework's
    loader says how to draw an epoch's `order`, `gather` the examples in that
    order, and `split` them into batches. (The names are not tf.data's:
    TensorFlow's loader is a Dataset too, with its own take and shuffle.)"""

    def __init__(self, tensors, batch_size, shuffle=True):
        self.tensors = tuple(tensors)
        self.batch_size = batch_size
        self.shuffled = shuffle

    @property
    def num_examples(self):
        return len(self.tensors[0])

    def __len__(self):
        return math.ceil(self.num_examples / self.batch_size)

    def order(self):
        """This epoch's example indices, when shuffling: a permutation."""
        raise NotImplementedError

    def gather(self, t, idx):
        """The examples of `t` in the order `idx`, or a copy of `t` for None:
        new storage either way, so changing a batch never changes the data."""
        raise NotImplementedError

    def split(self, t):
        """`t` split along its first axis into batches of batch_size."""
        raise NotImplementedError

    def __iter__(self):
        idx = self.order() if self.shuffled else None
        tensors = [self.gather(t, idx) for t in self.tensors]
        yield from zip(*(self.split(t) for t in tensors))  # (batch, ...) each
