"""load_array, read_airfoil and get_data_ch11: batches, shuffling, devices and bad input."""

import re

import pytest
import torch

import d2lmini as d2l
from tests.helpers import needs_gpu


def epoch(loader):
    """One pass over a loader: (features, labels, batch sizes)."""
    batches = list(loader)
    X = torch.cat([X for X, _ in batches])
    y = torch.cat([y for _, y in batches])
    return X, y, [len(X) for X, _ in batches]


def toy(n=10):
    X = torch.arange(n, dtype=torch.float32).reshape(n, 1)  # (n, 1)
    return X, 2 * X[:, 0]  # labels tell which row they belong to


def test_each_epoch_is_a_permutation_that_keeps_pairs():
    X, y = toy(100)
    for _ in range(3):
        Xs, ys, _ = epoch(d2l.load_array((X, y), 7))
        assert torch.equal(
            Xs[:, 0].sort().values, X[:, 0]
        )  # every row exactly once
        assert torch.equal(
            ys, 2 * Xs[:, 0]
        )  # features and labels moved together


def test_reshuffled_every_epoch():
    X, y = toy(100)
    loader = d2l.load_array((X, y), 10)
    first, second = epoch(loader)[0], epoch(loader)[0]
    assert not torch.equal(first, second)
    assert not torch.equal(first, X)  # shuffled, not in file order


def test_seedable_by_manual_seed_and_by_generator():
    X, y = toy(100)
    loader = d2l.load_array((X, y), 10)
    torch.manual_seed(3)
    a = epoch(loader)[0]
    torch.manual_seed(3)
    assert torch.equal(a, epoch(loader)[0])

    def with_generator(seed):
        g = torch.Generator().manual_seed(seed)
        return epoch(d2l.load_array((X, y), 10, generator=g))[0]

    state = torch.get_rng_state()
    assert torch.equal(with_generator(5), with_generator(5))
    assert not torch.equal(with_generator(5), with_generator(6))
    assert torch.equal(
        state, torch.get_rng_state()
    )  # the global generator was not used


@pytest.mark.parametrize(
    'n, batch_size, sizes',
    [
        (10, 4, [4, 4, 2]),
        (10, 5, [5, 5]),
        (1000, 300, [300, 300, 300, 100]),
        (3, 10, [3]),
    ],
)
def test_last_batch_is_partial_and_len_counts_batches(n, batch_size, sizes):
    loader = d2l.load_array(toy(n), batch_size)
    assert epoch(loader)[2] == sizes
    assert len(loader) == len(sizes)


def test_sequential_when_not_training():
    X, y = toy(10)
    Xs, ys, sizes = epoch(d2l.load_array((X, y), 4, is_train=False))
    assert torch.equal(Xs, X) and torch.equal(ys, y)
    assert sizes == [4, 4, 2]


@pytest.mark.parametrize('is_train', [True, False])
def test_changing_a_batch_in_place_leaves_the_data_alone(is_train):
    # As with DataLoader, a batch is the reader's to change: `X += 1` on a batch
    # (or an in-place augmentation) must not rewrite the dataset.
    X, y = toy(10)
    X0, y0 = X.clone(), y.clone()
    for Xb, yb in d2l.load_array((X, y), 4, is_train=is_train):
        Xb += 100
        yb.zero_()
    assert torch.equal(X, X0) and torch.equal(y, y0)


def test_mismatched_lengths_raise_naming_them():
    with pytest.raises(ValueError, match=r'\[10, 9\]'):
        d2l.load_array((torch.zeros(10, 2), torch.zeros(9)), 2)


def test_batches_stay_on_the_cpu():
    for X, y in d2l.load_array(toy(10), 3):
        assert X.device.type == 'cpu' and y.device.type == 'cpu'


@needs_gpu
def test_batches_stay_on_the_gpu():
    X, y = (t.cuda() for t in toy(10))
    for gen in (None, torch.Generator().manual_seed(0)):
        loader = d2l.load_array((X, y), 3, generator=gen)
        for Xb, yb in loader:
            assert Xb.is_cuda and yb.is_cuda
        Xs, ys, _ = epoch(loader)
        assert torch.equal(ys, 2 * Xs[:, 0])


def test_get_data_ch11_standardises_the_airfoil_table():
    data_iter, feature_dim = d2l.get_data_ch11(batch_size=10, device='cpu')
    assert feature_dim == 5
    X, y, sizes = epoch(data_iter)
    assert X.shape == (1500, 5) and y.shape == (1500,)
    assert set(sizes) == {10}
    # standardised over all 1503 rows, so the first 1500 have mean ~0, std ~1
    assert X.mean(0).abs().max() < 0.01
    assert (X.std(0) - 1).abs().max() < 0.01


@pytest.mark.parametrize('batch_size', [0, -1, 2.5, True, '10'])
def test_get_data_ch11_bad_batch_size(batch_size):
    with pytest.raises(
        (ValueError, TypeError),
        match="batch_size.*" + re.escape(repr(batch_size)),
    ):
        d2l.get_data_ch11(batch_size=batch_size)


def test_read_airfoil_reads_the_shipped_table():
    data = d2l.read_airfoil(d2l.download('airfoil'))
    assert data.shape == (1503, 6)
    # the first row of the UCI file: 800 Hz, 0 degrees, 0.3048 m, 71.3 m/s
    assert data[0].tolist() == pytest.approx(
        [800, 0, 0.3048, 71.3, 0.00266337, 126.201], rel=1e-6
    )


@pytest.mark.parametrize(
    'content',
    [
        b'800\t0\t0.3048\t71.3\t0.00266337\t126.201\n1000\t0\t0.3048\n',  # truncated
        b'<html>Access Denied</html>\n',  # an error page saved as data
        bytes(range(256)),  # binary garbage
        b'1\t2\t3\n4\t5\t6\n',  # the wrong number of columns
    ],
)
def test_read_airfoil_rejects_corrupt_files(tmp_path, content):
    path = tmp_path / 'airfoil_self_noise.dat'
    path.write_bytes(content)
    with pytest.raises(ValueError) as info:
        d2l.read_airfoil(path)
    message = str(info.value)
    assert str(path) in message and 'delete the file' in message
