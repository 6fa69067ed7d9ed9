"""Argument checks that name the argument, the value and the fix."""
import math
import numbers


def positive_int(name, value):
    """Return `value` if it is a positive integer, else raise naming `name`."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f'{name} must be a positive integer, got {value!r} '
                        f'of type {type(value).__name__}')
    if value < 1:
        raise ValueError(f'{name} must be a positive integer, got {value!r}')
    return int(value)


def learning_rate(hyperparams, key='lr'):
    """Return hyperparams[key] if it is a positive finite number, None if the
    dict has no such key (Adadelta, say, needs none)."""
    if not isinstance(hyperparams, dict):
        raise TypeError(f'hyperparams must be a dict such as '
                        f'{{{key!r}: 0.1}}, got {hyperparams!r}')
    if key not in hyperparams:
        return None
    lr = hyperparams[key]
    if isinstance(lr, bool) or not isinstance(lr, numbers.Real):
        raise TypeError(f"learning rate hyperparams[{key!r}] must be a "
                        f"positive finite number, got {lr!r}")
    if not math.isfinite(lr) or lr <= 0:
        raise ValueError(f"learning rate hyperparams[{key!r}] must be a "
                         f"positive finite number, got {lr!r}")
    return float(lr)
