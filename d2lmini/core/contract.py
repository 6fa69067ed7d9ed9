"""What every framework adapter provides, written once: its modules, in
order, and the public names of each with their signatures.

A signature is a string as `inspect.signature` prints it; where d2l's own
code differs between frameworks, a dict gives each framework's. A class's
signature is its constructor's. The tests read this (tests/package/
test_contract.py, and the MXNet environment's run of the same file)."""

MODULES = {
    'device': {  # devices and timing
        'devices': '()',
        'try_gpu': '(i=0)',
        'parse_device': '(name)',
        'default_device': '()',
        'device_name': '(device=None)',
        'set_seed': '(seed=0)',
        'synchronize': '(device=None)',
        'Timer': '(device=None)',
        'time_each': '(fns, repeats=5, warmup=1, device=None)',
        'time_it': '(fn, repeats=5, warmup=1, device=None)',
        'large_matmul_gflops': '(device=None, size=None, repeats=10)',
        'device_of': '(data_iter)',
        'zeros': None,  # d2l's aliases of the framework's own functions
        'normal': None,
    },
    'data': {  # minibatches of in-memory tensors, and the airfoil data
        'ArrayLoader': None,
        'load_array': {
            'pytorch': '(data_arrays, batch_size, is_train=True, '
            'generator=None)',
            'tensorflow': '(data_arrays, batch_size, is_train=True)',
            'mxnet': '(data_arrays, batch_size, is_train=True)',
        },
        'get_data_ch11': '(batch_size=10, n=1500, device=None)',
        'airfoil_tensors': '(n=1500, device=None)',
    },
    'train': {  # linear regression, from scratch and with the framework
        'squared_loss': '(y_hat, y)',
        'sgd': {
            'pytorch': '(params, states, hyperparams)',
            'tensorflow': '(params, grads, states, hyperparams)',
            'mxnet': '(params, states, hyperparams)',
        },
        'evaluate_loss': '(net, data_iter, loss)',
        'init_params': '(feature_dim, device=None)',
        'linear_model': '(feature_dim, device=None)',
        # d2l's signatures; `options` go to train_loop (verbose, labels).
        'train_ch11': '(trainer_fn, states, hyperparams, data_iter, '
        'feature_dim, num_epochs=2, **options)',
        'train_concise_ch11': {
            'pytorch': '(trainer_fn, hyperparams, data_iter, num_epochs=4, '
            'on_epoch_end=None, **options)',
            'tensorflow': '(trainer_fn, hyperparams, data_iter, '
            'num_epochs=2, on_epoch_end=None, **options)',
            'mxnet': '(tr_name, hyperparams, data_iter, num_epochs=2, '
            'on_epoch_end=None, **options)',
        },
    },
}


def names(module=None):
    """The public names of an adapter's `module` (its `__all__`), or of all
    its modules."""
    modules = [module] if module else list(MODULES)
    return [name for m in modules for name in MODULES[m]]


def signature(module, name, framework):
    """The signature `name` has in `framework`'s adapter, or None where only
    the name is fixed."""
    sig = MODULES[module][name]
    return sig[framework] if isinstance(sig, dict) else sig


def violations(adapter_module, module, framework):
    """How `adapter_module` (e.g. d2lmini.torch.device) breaks the contract
    for `module` in `framework`: a list of sentences, empty if it keeps it."""
    import inspect

    expected = names(module)
    found = []
    if getattr(adapter_module, '__all__', None) != expected:
        found.append(f'__all__ is {getattr(adapter_module, "__all__", None)}')
    for name in expected:
        if not hasattr(adapter_module, name):
            found.append(f'{name} is missing')
            continue
        sig = signature(module, name, framework)
        if sig is not None:
            actual = str(inspect.signature(getattr(adapter_module, name)))
            if actual != sig:
                found.append(f'{name}{actual}, not {name}{sig}')
    found += [
        f'{name} is public but not in the contract'
        for name, value in vars(adapter_module).items()
        if not name.startswith('_')
        and name not in expected
        and getattr(value, '__module__', None) == adapter_module.__name__
    ]
    return found
