"""Data-parallel training with torchrun: same gradients and losses as one
process, a failing worker fails the whole run quickly with its error shown,
and no run leaves a process or a file behind. The tests that start torchrun
are slow (seconds each); the mathematics is tested in-process."""

import os
import signal
import subprocess
import sys
import tempfile
import textwrap
import threading
import time

import psutil
import pytest
import torch

import d2lmini as d2l
from d2lmini.distributed import data_parallel as dp
from d2lmini.distributed import launch, sharding

BATCH, LR, EPOCHS = 100, 0.4, 1


@pytest.fixture(scope='module')
def airfoil():
    return d2l.airfoil_tensors(device='cpu')  # (1500, 5), (1500,)


@pytest.fixture(scope='module')
def tmpdir_of_run(tmp_path_factory):
    return tmp_path_factory.mktemp('run-tmp')


@pytest.fixture(scope='module')
def two_workers(tmpdir_of_run):
    """One run of 2 gloo workers (CPU only; torchrun picks a free port), with
    every temporary file of the run, the workers' too, in `tmpdir_of_run`."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv('TMPDIR', str(tmpdir_of_run))
        mp.setattr(tempfile, 'tempdir', str(tmpdir_of_run))
        return launch.run(
            2,
            batch_size=BATCH,
            lr=LR,
            epochs=EPOCHS,
            backend='gloo',
            timeout=600,
        )


def run_leftovers(folder):
    """What a run left in its temporary folder, except PyTorch's shared compiler
    cache (torchinductor_<user>), which every PyTorch process may use and keep."""
    return [
        p.name
        for p in folder.iterdir()
        if not p.name.startswith('torchinductor_')
    ]


@pytest.mark.slow
def test_a_run_leaves_no_temporary_files(two_workers, tmpdir_of_run):
    assert (
        run_leftovers(tmpdir_of_run) == []
    )  # e.g. no torchelastic_* log folder


@pytest.mark.slow
def test_run_is_sharded_across_two_gloo_workers(two_workers):
    assert two_workers['world_size'] == 2
    assert two_workers['backend'] == 'gloo'
    assert two_workers['shard_sizes'] == [BATCH // 2, BATCH // 2]


def reference_batches(n, batch_size, seed, epoch):
    """The global minibatches as documented: a permutation of range(n) drawn
    from torch.Generator().manual_seed(seed * 100_003 + epoch), cut in order."""
    order = torch.randperm(
        n, generator=torch.Generator().manual_seed(seed * 100_003 + epoch)
    )
    return [order[i : i + batch_size] for i in range(0, n, batch_size)]


def reference_start(seed, features):
    """The initial weights of train_ch11: w ~ N(0, 0.01^2), b = 0, after seeding."""
    torch.manual_seed(seed)
    return torch.normal(0.0, 0.01, size=(features, 1)), torch.zeros(1)


@pytest.mark.slow
def test_all_reduced_gradient_equals_the_minibatch_gradient(
    two_workers, airfoil
):
    # The gradient of the mean squared loss over the first global minibatch B,
    # written out: g_w = X_B^T r / |B|, g_b = mean(r), with r = X_B w + b - y_B.
    X, y = airfoil
    w, b = reference_start(0, X.shape[1])
    batch = reference_batches(len(X), BATCH, 0, 0)[0]
    r = X[batch] @ w + b - y[batch, None]  # (|B|, 1)
    expected = torch.cat(
        [(X[batch].T @ r / len(batch)).reshape(-1), r.mean().reshape(1)]
    )
    ddp = torch.tensor(two_workers['grad'])
    assert expected.abs().max() > 1e-3  # a real gradient, not zeros
    torch.testing.assert_close(ddp, expected, rtol=1e-4, atol=1e-6)


@pytest.mark.slow
def test_loss_curve_matches_a_single_process_reference(two_workers, airfoil):
    # One process, plain autograd and a hand-written SGD step on each whole
    # global minibatch; the full-data loss before training and after each step.
    X, y = airfoil
    w, b = reference_start(0, X.shape[1])
    w.requires_grad_(True)
    b.requires_grad_(True)

    def full_loss():
        with torch.no_grad():
            return (((X @ w + b - y[:, None]) ** 2) / 2).mean().item()

    losses = [full_loss()]
    for epoch in range(EPOCHS):
        for batch in reference_batches(len(X), BATCH, 0, epoch):
            loss = (((X[batch] @ w + b - y[batch, None]) ** 2) / 2).mean()
            loss.backward()
            with torch.no_grad():
                for p in (w, b):
                    p -= LR * p.grad
                    p.grad.zero_()
            losses.append(full_loss())
    ddp = torch.tensor(two_workers['losses'])
    assert len(ddp) == len(X) // BATCH * EPOCHS + 1
    assert ddp[-1] < 0.6 * ddp[0]  # it trained
    torch.testing.assert_close(ddp, torch.tensor(losses), rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize('world_size, batch', [(2, 100), (3, 100), (4, 7)])
def test_shard_gradients_average_to_the_global_gradient(
    airfoil, world_size, batch
):
    # What DDP does, in one process: average the ranks' gradients, equal shards or not.
    X, y = airfoil
    net = sharding.make_model(X.shape[1], 1, 'cpu')
    indices = sharding.global_batches(len(X), batch, 1, 0)[0]
    per_rank = torch.tensor(
        [
            sharding.gradient(net, X, y, indices, r, world_size)
            for r in range(world_size)
        ]
    )
    single = torch.tensor(sharding.gradient(net, X, y, indices))
    torch.testing.assert_close(
        per_rank.mean(dim=0), single, rtol=1e-5, atol=1e-6
    )
    shards = [
        sharding.shard(indices, r, world_size) for r in range(world_size)
    ]
    assert sorted(torch.cat(shards).tolist()) == sorted(indices.tolist())


def test_the_workers_start_from_the_references_weights_on_any_device(
    monkeypatch, airfoil
):
    # On a GPU, torch.normal(device='cuda:0') draws from that GPU's own
    # generator, so workers drawing there would start away from the CPU
    # reference. Simulate such a device: a draw on any device other than the
    # CPU comes from another generator; 'meta' holds the model there.
    real_normal = torch.normal
    gpu_generator = torch.Generator().manual_seed(12345)
    draws = []

    def normal(*args, device=None, **kwargs):
        if device is not None and torch.device(device).type != 'cpu':
            kwargs['generator'] = gpu_generator
        draws.append(real_normal(*args, **kwargs))
        return draws[-1].to(device) if device is not None else draws[-1]

    monkeypatch.setattr(torch, 'normal', normal)
    X, y = airfoil
    reference = sharding.make_model(X.shape[1], 0, 'cpu')
    worker = sharding.make_model(X.shape[1], 0, 'meta')
    assert worker.weight.device.type == 'meta' and len(draws) == 2
    torch.testing.assert_close(draws[1], draws[0], rtol=0, atol=0)
    torch.testing.assert_close(
        draws[1].T, reference.weight.detach(), rtol=0, atol=0
    )
    # The equivalence check then holds: the worker's weights, wherever they
    # live, give the reference's gradient.
    first = sharding.global_batches(len(X), BATCH, 0, 0)[0]
    moved = sharding.make_model(X.shape[1], 0, 'cpu')
    with torch.no_grad():
        moved.weight.copy_(draws[1].T)
    assert sharding.gradient(moved, X, y, first) == sharding.gradient(
        reference, X, y, first
    )


@pytest.mark.parametrize(
    'n, batch, workers, ok',
    [
        (1500, 100, 2, True),
        (1500, 512, 16, True),  # last minibatch 476: 29 or 30 each
        (1500, 128, 128, False),  # last minibatch 92: 36 workers idle
        (1500, 150, 128, True),
        (1500, 3000, 128, True),  # one minibatch of all 1500
        (10, 4, 3, False),  # last minibatch 2
        (10, 5, 5, True),
        (4, 8, 5, False),  # fewer examples than workers
    ],
)
def test_a_batch_size_that_idles_a_worker_is_refused(n, batch, workers, ok):
    sizes = [len(i) for i in sharding.global_batches(n, batch, 0, 0)]
    assert ok == (min(sizes) >= workers)  # the rule, from the batches
    if ok:
        sharding.check_no_idle_worker(n, batch, workers)
        return
    with pytest.raises(ValueError, match='would idle') as error:
        sharding.check_no_idle_worker(n, batch, workers)
    message = str(error.value)
    assert f'{min(sizes)} examples' in message
    if n >= workers:  # the suggested batch size keeps every worker busy
        fix = int(message.rsplit('such as ', 1)[1])
        sizes = [len(i) for i in sharding.global_batches(n, fix, 0, 0)]
        assert min(sizes) >= workers
    else:
        assert f'at most {n} workers' in message


def test_global_batches_repeat_per_seed_and_epoch():
    a = sharding.global_batches(10, 4, seed=0, epoch=0)
    assert [len(i) for i in a] == [4, 4, 2]
    assert all(
        torch.equal(i, j)
        for i, j in zip(a, sharding.global_batches(10, 4, 0, 0))
    )
    assert not torch.equal(
        torch.cat(a), torch.cat(sharding.global_batches(10, 4, 0, 1))
    )


@pytest.mark.slow
def test_failing_worker_fails_the_run_with_its_error():
    # The other worker waits for it in an all-reduce: torchrun must stop it
    # long before launch's own timeout, or the group's (60 s) would.
    with pytest.raises(RuntimeError) as info:
        launch.launch(
            2, module='d2lmini.distributed.failing_worker', timeout=600
        )
    root_cause = str(info.value).split('Root Cause', 1)[1]
    assert 'worker 0 failed on purpose' in root_cause
    assert 'exit status' in str(info.value)  # not the TimeoutError


def run_processes(root_pid):
    """torchrun and its workers among the descendants of `root_pid`."""
    try:
        tree = psutil.Process(root_pid).children(recursive=True)
    except psutil.NoSuchProcess:
        return []
    found = []
    for proc in tree:
        try:
            if 'd2lmini.distributed.data_parallel' in ' '.join(proc.cmdline()):
                found.append(proc)
        except psutil.Error:  # it ended while we looked
            pass
    return found


def wait_for_workers(root_pid, count=3, timeout=300):
    """The processes of a run (torchrun and `count - 1` workers) once all
    exist; a busy machine may take a while to start them."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        procs = run_processes(root_pid)
        if len(procs) >= count:
            return procs
        time.sleep(0.1)
    raise AssertionError(
        f'the run did not start {count} processes in '
        f'{timeout} s; running: {commands(procs)}'
    )


def commands(procs):
    """The command lines of the processes of `procs` still running."""
    lines = []
    for proc in procs:
        try:
            lines.append(' '.join(proc.cmdline()))
        except psutil.Error:  # it ended
            pass
    return lines


def assert_all_gone(procs, timeout=60):
    gone, alive = psutil.wait_procs(procs, timeout=timeout)
    assert alive == [], f'still running: {commands(alive)}'


@pytest.mark.slow
def test_launch_timeout_stops_every_worker(tmp_path, monkeypatch):
    monkeypatch.setenv('TMPDIR', str(tmp_path))
    monkeypatch.setattr(tempfile, 'tempdir', str(tmp_path))
    errors = []

    def run():
        try:
            launch.launch(2, ['--epochs', 100000], timeout=45)
        except TimeoutError as e:
            errors.append(e)

    # Every process of the run seen until launch returns, however far a busy
    # machine got in starting them: all must be gone afterwards.
    thread = threading.Thread(target=run)
    thread.start()
    seen = {}
    while thread.is_alive():
        seen.update((p.pid, p) for p in run_processes(os.getpid()))
        time.sleep(0.1)
    assert len(errors) == 1 and 'did not finish within' in str(errors[0])
    assert seen, 'the run started no process'
    assert_all_gone(list(seen.values()))
    assert run_leftovers(tmp_path) == []  # and no log folder left behind


INTERRUPTED = textwrap.dedent("""\
    from d2lmini.distributed import launch
    try:
        launch.launch(2, ['--epochs', 100000], timeout=600)
    except KeyboardInterrupt:
        print('interrupted')
""")


@pytest.mark.slow
def test_interrupting_launch_stops_every_worker(tmp_path):
    # What JupyterLab's "Interrupt kernel" does: SIGINT to the kernel, which
    # raises KeyboardInterrupt in the middle of launch.launch. If the test
    # fails, the no_process_left_behind fixture stops everything it started.
    env = {**os.environ, 'TMPDIR': str(tmp_path)}
    with subprocess.Popen(
        [sys.executable, '-c', INTERRUPTED],
        env=env,
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    ) as caller:
        procs = wait_for_workers(caller.pid)
        caller.send_signal(signal.SIGINT)
        try:
            out, _ = caller.communicate(timeout=300)
        except subprocess.TimeoutExpired:
            caller.kill()  # else leaving the with block waits for it
            pytest.fail(
                f'the interrupted launch did not return in 300 s; '
                f'running: {commands(procs)}'
            )
    assert 'interrupted' in out, out
    assert_all_gone(procs)
    assert run_leftovers(tmp_path) == []


def test_the_command_line_gives_numbers_of_their_kind():
    args = dp.parser().parse_args(['--batch-size', '10', '--lr', '0.5'])
    assert (args.batch_size, args.lr) == (10, 0.5)
    assert type(args.batch_size) is int and type(args.lr) is float


def test_bad_arguments_are_rejected(capsys):
    with pytest.raises(SystemExit):
        dp.parser().parse_args(['--batch-size', '0'])
    assert 'positive int' in capsys.readouterr().err
    with pytest.raises(SystemExit):
        dp.parser().parse_args(['--lr', 'nan'])
    with pytest.raises(ValueError, match='backend'):
        dp.pick_backend('mpi')
    with pytest.raises(ValueError, match='nproc'):
        launch.launch(0)
    with pytest.raises(ValueError, match='timeout'):
        launch.launch(1, timeout=-1)
    with pytest.raises(TypeError, match='timeout'):
        launch.run(1, timeout='10')


def test_main_outside_torchrun_says_how_to_launch(monkeypatch):
    monkeypatch.delenv('RANK', raising=False)
    with pytest.raises(RuntimeError, match='torchrun'):
        dp.main(['--epochs', '1'])


def fake_gpus(monkeypatch, count, nccl=True):
    """Pretend this machine has `count` CUDA GPUs (and NCCL if `nccl`)."""
    monkeypatch.setattr(dp.torch.cuda, 'is_available', lambda: count > 0)
    monkeypatch.setattr(dp.torch.cuda, 'device_count', lambda: count)
    monkeypatch.setattr(dp.dist, 'is_nccl_available', lambda: nccl)


@pytest.mark.parametrize(
    'gpus, workers, nccl, expected',
    [
        (0, 1, True, 'gloo'),  # no GPU at all
        (
            1,
            2,
            True,
            'gloo',
        ),  # the single-GPU machine: worker 1 would have no GPU
        (1, 1, True, 'nccl'),
        (2, 2, True, 'nccl'),
        (8, 2, True, 'nccl'),
        (2, 2, False, 'gloo'),  # GPUs, but a PyTorch built without NCCL
    ],
)
def test_auto_backend_gives_nccl_only_one_gpu_per_worker(
    monkeypatch, gpus, workers, nccl, expected
):
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
    monkeypatch.setattr(
        dp.torch.cuda,
        'set_device',
        lambda device: pytest.fail(
            f'worker 1 was put on {device}, but the machine has a single GPU'
        ),
    )
    for key, value in {
        'RANK': '1',
        'WORLD_SIZE': '2',
        'LOCAL_RANK': '1',
        'LOCAL_WORLD_SIZE': '2',
    }.items():
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


@pytest.mark.parametrize('gpus', [0, 1, 2])
def test_a_one_gpu_machine_also_runs_one_worker_on_its_gpu(monkeypatch, gpus):
    # Two workers cannot share one GPU under NCCL, so they run on the CPU;
    # the chapter then runs one worker alone on the GPU.
    fake_gpus(monkeypatch, gpus)
    runs = []
    monkeypatch.setattr(
        launch, 'run', lambda nproc, **kw: runs.append((nproc, kw)) or kw
    )
    assert dp.pick_backend('auto', 2) == ('nccl' if gpus >= 2 else 'gloo')
    alone = launch.one_gpu_run(dp.gpus(), batch_size=100, lr=0.4)
    if gpus == 1:
        assert runs == [(1, {'backend': 'nccl', 'batch_size': 100, 'lr': 0.4})]
        assert dp.pick_backend('nccl', 1) == 'nccl'  # one worker, one GPU
    else:
        assert alone is None and runs == []
