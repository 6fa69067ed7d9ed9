"""d2lmini.core.stats against NumPy's own fit and against data whose slope, gap
and spreads are known."""

import math

import numpy as np
import pytest

from d2lmini.core import stats


def test_line_fit_matches_numpy_polyfit_and_its_covariance():
    rng = np.random.default_rng(0)
    x = np.linspace(1, 100, 30)
    y = 3.0 + 0.5 * x + rng.normal(0, 2.0, size=x.size)
    a, c, se = stats.line_fit(x, y)
    (c_ref, a_ref), cov = np.polyfit(x, y, 1, cov=True)
    assert (a, c) == pytest.approx((a_ref, c_ref))
    assert se == pytest.approx(math.sqrt(cov[0, 0]))


def test_a_clear_slope_is_given_with_its_uncertainty():
    sizes = [2**k for k in range(18)]
    rng = np.random.default_rng(1)
    step = [300e-6 + 8e-9 * b + rng.normal(0, 5e-6) for b in sizes]
    _, c, se = stats.line_fit(sizes, step)
    words = stats.slope_words(c, se)
    assert stats.measurable(c, se)
    assert words.startswith(f'{c * 1e9:.3g} ns (± ')
    assert 'too small' not in words


@pytest.mark.parametrize('seed', range(5))
def test_data_with_no_slope_is_too_small_to_measure_never_negative(seed):
    # Step times that do not grow with the batch, as on a GPU below its knee.
    sizes = [2**k for k in range(18)]
    rng = np.random.default_rng(seed)
    step = 856e-6 + rng.normal(0, 20e-6, size=len(sizes))
    _, c, se = stats.line_fit(sizes, step)
    words = stats.slope_words(c, se)
    assert words.startswith('too small to measure at these sizes (± ')
    assert words.endswith(' ns)')
    assert '-' not in words and 'nan' not in words.lower()
    bound = float(words.split('± ')[1].split()[0])
    assert bound == pytest.approx(2 * se * 1e9, rel=0.05)


def test_a_negative_fitted_slope_is_not_printed():
    assert stats.slope_words(-0.05e-9, 0.04e-9).startswith('too small')


@pytest.mark.parametrize(
    'x, y', [([1, 2], [1, 2]), ([1, 2, 3], [1, 2]), ([[1, 2, 3]], [[1, 2, 3]])]
)
def test_line_fit_refuses_what_is_not_a_fit(x, y):
    with pytest.raises(ValueError, match='at least 3 points'):
        stats.line_fit(x, y)


def test_slope_words_refuse_nan():
    with pytest.raises(ValueError, match='not a fit'):
        stats.slope_words(float('nan'), 1.0)


def test_mean_gap_is_the_difference_with_welchs_standard_error():
    a = [1.0, 2.0, 3.0, 4.0]  # mean 2.5, sample variance 5/3
    b = [2.0, 2.0, 5.0]  # mean 3, sample variance 3
    gap, se = stats.mean_gap(a, b)
    assert gap == pytest.approx(-0.5)
    assert se == pytest.approx(math.sqrt(5 / 3 / 4 + 3 / 3))


def test_a_known_gap_is_judged_against_the_standard_error_not_the_spread():
    # The H200 run: spreads 0.0011 and 0.0037 over 5 seeds each, means 0.0028
    # apart. The gap is larger than either spread, yet within two standard
    # errors of the difference (0.0017 each).
    rng = np.random.default_rng(0)

    def sample(mean, sd, n=5):
        z = rng.normal(size=n)
        return mean + sd * (z - z.mean()) / z.std(ddof=1)

    a, b = sample(0.2480, 0.0011), sample(0.2452, 0.0037)
    gap, se = stats.mean_gap(a, b)
    assert gap == pytest.approx(0.0028)
    assert se == pytest.approx(math.sqrt(0.0011**2 / 5 + 0.0037**2 / 5))
    assert se == pytest.approx(0.0017, abs=1e-4)
    assert not stats.measurable(abs(gap), se)
    # With many more seeds the same gap is far outside the noise.
    gap, se = stats.mean_gap(
        sample(0.2480, 0.0011, 1000), sample(0.2452, 0.0037, 1000)
    )
    assert stats.measurable(abs(gap), se)


def test_mean_gap_needs_two_values_a_sample():
    with pytest.raises(ValueError, match='at least 2 values'):
        stats.mean_gap([1.0], [1.0, 2.0])


def test_ratio_words_give_the_ratio_of_medians_only_beyond_the_noise():
    fast = [1.0, 1.1, 0.9, 1.0, 1.05]
    slow = [2.0, 2.1, 1.9, 2.0, 2.05]
    assert stats.ratio_words(slow, fast) == '2 times as long'
    # Timings that overlap: 3 ms against 3.3 ms, each +- 0.5 ms.
    a = [3.3e-3, 2.8e-3, 3.8e-3, 3.3e-3]
    b = [3.0e-3, 2.5e-3, 3.5e-3, 3.0e-3]
    words = stats.ratio_words(a, b)
    assert words.startswith('about as long: the difference is within')
    assert '4 and 4 timings' in words


def test_gap_words_follow_two_standard_errors():
    assert stats.gap_words(0.0028, 0.0017).startswith('within two')
    assert stats.gap_words(-0.0028, 0.0010).startswith('more than two')
