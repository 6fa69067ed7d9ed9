"""Data-parallel training with torchrun: same gradients and losses as one process,
and a failing worker fails the whole run quickly with its error shown."""
import time
from pathlib import Path

import pytest
import torch

from d2lmini import data_parallel as dp

BATCH, LR, EPOCHS = 100, 0.4, 1


@pytest.fixture(scope='module')
def airfoil(airfoil_dir):
    return dp.airfoil('cpu')  # (1500, 5), (1500,)


@pytest.fixture(scope='module')
def two_workers(airfoil_dir):
    """One run of 2 gloo workers (CPU only; torchrun picks a free port)."""
    return dp.run(2, batch_size=BATCH, lr=LR, epochs=EPOCHS, backend='gloo',
                  timeout=180)


def test_run_is_sharded_across_two_gloo_workers(two_workers):
    assert two_workers['world_size'] == 2
    assert two_workers['backend'] == 'gloo'
    assert two_workers['shard_sizes'] == [BATCH // 2, BATCH // 2]


def test_all_reduced_gradient_equals_single_process_gradient(two_workers, airfoil):
    X, y = airfoil
    net = dp.make_model(X.shape[1], 0, 'cpu')
    first = dp.global_batches(len(X), BATCH, 0, 0)[0]
    single = torch.tensor(dp.gradient(net, X, y, first))
    ddp = torch.tensor(two_workers['grad'])
    assert single.abs().max() > 1e-3  # a real gradient, not zeros
    torch.testing.assert_close(ddp, single, rtol=1e-5, atol=1e-6)


def test_loss_curve_matches_single_process(two_workers, airfoil):
    X, y = airfoil
    net = dp.make_model(X.shape[1], 0, 'cpu')
    single = torch.tensor(dp.train(net, X, y, BATCH, LR, EPOCHS, seed=0))
    ddp = torch.tensor(two_workers['losses'])
    assert len(ddp) == len(X) // BATCH * EPOCHS + 1
    assert ddp[-1] < 0.6 * ddp[0]  # it trained
    torch.testing.assert_close(ddp, single, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize('world_size, batch', [(2, 100), (3, 100), (4, 7)])
def test_shard_gradients_average_to_the_global_gradient(airfoil, world_size, batch):
    # What DDP does, in one process: average the ranks' gradients, equal shards or not.
    X, y = airfoil
    net = dp.make_model(X.shape[1], 1, 'cpu')
    indices = dp.global_batches(len(X), batch, 1, 0)[0]
    per_rank = torch.tensor([dp.gradient(net, X, y, indices, r, world_size)
                             for r in range(world_size)])
    single = torch.tensor(dp.gradient(net, X, y, indices))
    torch.testing.assert_close(per_rank.mean(dim=0), single, rtol=1e-5, atol=1e-6)
    shards = [dp.shard(indices, r, world_size) for r in range(world_size)]
    assert sorted(torch.cat(shards).tolist()) == sorted(indices.tolist())


def test_global_batches_repeat_per_seed_and_epoch():
    a = dp.global_batches(10, 4, seed=0, epoch=0)
    assert [len(i) for i in a] == [4, 4, 2]
    assert all(torch.equal(i, j) for i, j in zip(a, dp.global_batches(10, 4, 0, 0)))
    assert not torch.equal(torch.cat(a), torch.cat(dp.global_batches(10, 4, 0, 1)))


def test_failing_worker_fails_the_run_fast_with_its_error(airfoil_dir):
    start = time.perf_counter()
    with pytest.raises(RuntimeError) as info:
        dp.run(2, epochs=1, backend='gloo', timeout=180, extra=['--fail-rank', '1'])
    elapsed = time.perf_counter() - start
    assert 'worker 1 failed on purpose' in str(info.value)
    assert elapsed < 150, f'a failing worker took {elapsed:.0f} s to fail the run'


def workers_alive():
    """Processes of this machine that run the data-parallel script (Linux /proc)."""
    alive = []
    for cmdline in Path('/proc').glob('[0-9]*/cmdline'):
        try:
            if b'd2lmini.data_parallel' in cmdline.read_bytes():
                alive.append(cmdline.parent.name)
        except OSError:  # the process ended while we looked
            pass
    return alive


def test_launch_timeout_stops_every_worker(airfoil_dir):
    start = time.perf_counter()
    with pytest.raises(TimeoutError, match='did not finish within'):
        dp.launch(2, ['--epochs', 100000], timeout=8)  # long enough to start training
    assert time.perf_counter() - start < 40
    deadline = time.perf_counter() + 10
    while workers_alive() and time.perf_counter() < deadline:
        time.sleep(0.2)
    assert workers_alive() == []


def test_bad_arguments_are_rejected(capsys):
    with pytest.raises(SystemExit):
        dp.parse_args(['--batch-size', '0'])
    assert 'positive int' in capsys.readouterr().err
    with pytest.raises(SystemExit):
        dp.parse_args(['--lr', 'nan'])
    with pytest.raises(ValueError, match='backend'):
        dp.pick_backend('mpi')
    with pytest.raises(ValueError, match='nproc'):
        dp.launch(0)
    with pytest.raises(ValueError, match='timeout'):
        dp.launch(1, timeout=-1)


def test_main_outside_torchrun_says_how_to_launch(monkeypatch):
    monkeypatch.delenv('RANK', raising=False)
    with pytest.raises(RuntimeError, match='torchrun'):
        dp.main(['--epochs', '1'])


def fake_gpus(monkeypatch, count, nccl=True):
    """Pretend this machine has `count` CUDA GPUs (and NCCL if `nccl`)."""
    monkeypatch.setattr(dp.torch.cuda, 'is_available', lambda: count > 0)
    monkeypatch.setattr(dp.torch.cuda, 'device_count', lambda: count)
    monkeypatch.setattr(dp.dist, 'is_nccl_available', lambda: nccl)


@pytest.mark.parametrize('gpus, workers, nccl, expected', [
    (0, 1, True, 'gloo'),    # no GPU at all
    (1, 2, True, 'gloo'),    # the single-GPU machine: worker 1 would have no GPU
    (1, 1, True, 'nccl'),
    (2, 2, True, 'nccl'),
    (8, 2, True, 'nccl'),
    (2, 2, False, 'gloo'),   # GPUs, but a PyTorch built without NCCL
])
def test_auto_backend_gives_nccl_only_one_gpu_per_worker(monkeypatch, gpus, workers,
                                                        nccl, expected):
    fake_gpus(monkeypatch, gpus, nccl)
    assert dp.pick_backend('auto', workers) == expected
    assert dp.pick_backend('gloo', workers) == 'gloo'


@pytest.mark.parametrize('gpus, workers', [(0, 1), (1, 2), (3, 4)])
def test_nccl_without_a_gpu_per_worker_is_rejected(monkeypatch, gpus, workers):
    fake_gpus(monkeypatch, gpus)
    with pytest.raises(ValueError, match='gloo'):
        dp.pick_backend('nccl', workers)


def test_nccl_with_a_gpu_per_worker_is_accepted(monkeypatch):
    fake_gpus(monkeypatch, 2)
    assert dp.pick_backend('nccl', 2) == 'nccl'
    with pytest.raises(ValueError, match='local_world_size'):
        dp.pick_backend('auto', 0)


def test_worker_on_a_one_gpu_machine_joins_with_gloo(monkeypatch):
    # Worker 1 of 2 on a 1-GPU machine: 'auto' must give gloo on the CPU, not fail.
    fake_gpus(monkeypatch, 1)
    monkeypatch.setattr(dp.torch.cuda, 'set_device', lambda device: pytest.fail(
        f'worker 1 was put on {device}, but the machine has a single GPU'))
    for key, value in {'RANK': '1', 'WORLD_SIZE': '2', 'LOCAL_RANK': '1',
                       'LOCAL_WORLD_SIZE': '2'}.items():
        monkeypatch.setenv(key, value)
    joined = []

    class Joined(Exception):
        pass

    def init_process_group(backend, **kwargs):
        joined.append(backend)
        raise Joined  # stop before any communication
    monkeypatch.setattr(dp.dist, 'init_process_group', init_process_group)
    with pytest.raises(Joined):
        dp.main(['--epochs', '1'])
    assert joined == ['gloo']
