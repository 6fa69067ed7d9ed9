"""Argument checks that name the argument, the value and the fix."""

import importlib
import math
import numbers
import os


def positive(name, value, kind=numbers.Real):
    """Return `value` if it is a positive finite number of `kind`
    (numbers.Integral or numbers.Real), else raise naming `name`."""
    what = 'integer' if kind is numbers.Integral else 'number'
    if isinstance(value, bool) or not isinstance(value, kind):
        raise TypeError(
            f'{name} must be a positive {what}, got {value!r} '
            f'of type {type(value).__name__}'
        )
    if not math.isfinite(value) or value <= 0:
        raise ValueError(f'{name} must be a positive {what}, got {value!r}')
    return int(value) if kind is numbers.Integral else float(value)


def positive_int(name, value):
    """Return `value` if it is a positive integer, else raise naming `name`."""
    return positive(name, value, numbers.Integral)


def at_most(name, value, limit, what):
    """Return `value` if it is a positive integer no larger than `limit`
    (`what` says what the limit counts), else raise naming `name`."""
    if positive_int(name, value) > limit:
        raise ValueError(
            f'{name} must be at most {limit}, {what}, got {value!r}'
        )
    return int(value)


def learning_rate(hyperparams, key=None):
    """Return hyperparams[key] if it is a positive finite number, None if the
    dict has no such key (Adadelta, say, needs none). Without a `key`, the
    one the dict has: 'learning_rate' (Keras's and Gluon's name), or 'lr'.
    Asked for 'learning_rate', it rejects PyTorch's 'lr', which Keras and
    Gluon would not read."""
    if not isinstance(hyperparams, dict):
        raise TypeError(
            f'hyperparams must be a dict such as '
            f"{{{key or 'lr'!r}: 0.1}}, got {hyperparams!r}"
        )
    if key is None:
        key = 'learning_rate' if 'learning_rate' in hyperparams else 'lr'
    if key == 'learning_rate' and 'lr' in hyperparams:
        raise ValueError(
            f"Keras and Gluon optimizers take 'learning_rate', not 'lr' "
            f"(PyTorch's name): pass "
            f"{{'learning_rate': {hyperparams['lr']!r}}}"
        )
    if key not in hyperparams:
        return None
    return positive(f'learning rate hyperparams[{key!r}]', hyperparams[key])


def need(module, purpose, fix):
    """Import `module`, or raise an ImportError that says what needs it
    (`purpose`) and how to install it (`fix`)."""
    try:
        return importlib.import_module(module)
    except ImportError as e:
        raise ImportError(f'{purpose} ({e}): {fix}') from e


def batchable(lengths, devices=None):
    """Check that arrays of these lengths (and on these devices) can be
    batched together, as features and labels: equal lengths, not empty,
    one device."""
    if len(set(lengths)) != 1:
        raise ValueError(
            f'data_arrays must have equal lengths (features and labels), '
            f'got lengths {lengths}'
        )
    if lengths[0] == 0:
        raise ValueError('data_arrays are empty: there is nothing to batch')
    if devices is not None and len(set(devices)) != 1:
        raise ValueError(f'data_arrays must be on one device, got {devices}')


def device_from_env(parse_device, fallback):
    """The device $D2LMINI_DEVICE names, through the framework's
    `parse_device`; `fallback()` when the variable is unset or empty."""
    name = os.environ.get('D2LMINI_DEVICE', '').strip()
    if not name:
        return fallback()
    try:
        return parse_device(name)
    except ValueError as e:
        raise ValueError(
            f'environment variable D2LMINI_DEVICE={name!r}: {e}; set it to '
            f'one of these, or unset it to pick the device automatically'
        ) from None


class Diverged(FloatingPointError):
    """Training diverged: the loss became `value` after `n` examples. The
    message names the learning rate, the batch size and the fix. `losses`
    and `times` keep what the loop recorded, `times` with one more entry:
    the training time when the loss was found not finite."""

    def __init__(self, value, n, lr, batch_size, times, losses):
        hint = (
            f'try a smaller learning rate, e.g. {lr / 10:g}'
            if lr
            else 'try smaller steps'
        )
        super().__init__(
            f'training diverged: the loss is {value} after {n} examples '
            f'with learning rate {lr} and batch size {batch_size}; {hint}'
        )
        self.n, self.times, self.losses = n, times, losses
