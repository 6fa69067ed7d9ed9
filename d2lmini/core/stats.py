"""The statistics behind the book's sentences: a straight-line fit with the
uncertainty of its slope, and the gap between two means with the standard
error of that gap. Framework-free."""

import math

import numpy as np


def line_fit(x, y):
    """Least-squares fit of y = a + c * x; return (a, c, se), where se is the
    standard error of the slope c."""
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    if x.shape != y.shape or x.ndim != 1 or len(x) < 3:
        raise ValueError(
            f'line_fit needs two 1-D sequences of the same length, at least '
            f'3 points (a slope and its uncertainty), got shapes '
            f'{x.shape} and {y.shape}'
        )
    dx = x - x.mean()
    c = float(dx @ (y - y.mean()) / (dx @ dx))
    a = float(y.mean() - c * x.mean())
    residual = y - (a + c * x)
    se = math.sqrt(float(residual @ residual) / (len(x) - 2) / float(dx @ dx))
    return a, c, se


def measurable(value, se, z=2.0):
    """True when `value` is positive and larger than `z` standard errors:
    distinguishable from zero at about the 95% level for z = 2."""
    return value > z * se


def mean_gap(a, b):
    """The difference of the means of samples `a` and `b` and its standard
    error, sqrt(s_a^2 / n_a + s_b^2 / n_b) with sample variances (Welch)."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if len(a) < 2 or len(b) < 2:
        raise ValueError(
            f'each sample needs at least 2 values for a spread, got '
            f'{len(a)} and {len(b)}'
        )
    se = math.sqrt(a.var(ddof=1) / len(a) + b.var(ddof=1) / len(b))
    return float(a.mean() - b.mean()), se


def slope_words(value, se, scale=1e9, unit='ns'):
    """A fitted slope in words, in `unit` (`scale` units per 1): 'value ±
    2 se' when it is measurable, else that it is too small to measure, with
    the fit's uncertainty (never a negative or NaN cost)."""
    if not (math.isfinite(value) and math.isfinite(se)):
        raise ValueError(f'not a fit: slope {value}, standard error {se}')
    bound = 2 * se * scale
    if measurable(value, se):
        return f'{value * scale:.3g} {unit} (± {bound:.2g} {unit})'
    return f'too small to measure at these sizes (± {bound:.2g} {unit})'


def ratio_words(a, b, what='as long'):
    """How sample `a` (timings, say) compares with sample `b`: 'r times as
    long', r the ratio of their medians, when their means are more than two
    standard errors apart; else that the difference is within the noise."""
    gap, se = mean_gap(a, b)
    if not measurable(abs(gap), se):
        return (
            f'about {what}: the difference is within the noise of '
            f'{len(a)} and {len(b)} timings'
        )
    return f'{float(np.median(a) / np.median(b)):.2g} times {what}'


def gap_words(gap, se):
    """Whether a difference of means stands out from its standard error."""
    if measurable(abs(gap), se):
        return 'more than two standard errors: it stands out from the noise'
    return 'within two standard errors: it cannot be told apart from the noise'
