"""The exact hardmax kernel against a brute-force Fraction implementation (ties, signs, huge numbers)."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from turing_tx.engine.attention import ExactHardmaxCache, make_cache
from turing_tx.engine.model import Normalizer
from turing_tx.engine.numbers import get_backend
from turing_tx.errors import ExecutionError

small = st.fractions(min_value=-3, max_value=3, max_denominator=12)
huge = st.builds(Fraction, st.integers(-(2**90), 2**90), st.integers(1, 2**80))


def brute_force(query, keys, values, negabs):
    scores = [sum(q * k for q, k in zip(query, key, strict=True)) for key in keys]
    if negabs:
        scores = [-abs(s) for s in scores]
    best = max(scores)
    winners = [j for j, s in enumerate(scores) if s == best]
    average = [sum(values[j][i] for j in winners) / len(winners) for i in range(len(values[0]))]
    return winners, average, best


@st.composite
def attention_cases(draw, numbers=small):
    dim = draw(st.integers(0, 3))
    n = draw(st.integers(1, 12))
    keys = [[draw(numbers) for _ in range(dim)] for _ in range(n)]
    if n > 2 and draw(st.booleans()):
        keys[-1] = list(keys[0])  # force an exact tie
    values = [[draw(small) for _ in range(2)] for _ in range(n)]
    query = [draw(numbers) for _ in range(dim)]
    return query, keys, values, draw(st.booleans()), draw(st.sampled_from(["gmpy2", "fraction"]))


def run_kernel(query, keys, values, negabs, backend_name, visible=None):
    backend = get_backend(backend_name)
    cache = ExactHardmaxCache(backend, 2, len(query), "negabs" if negabs else "dot")
    for key, value in zip(keys, values, strict=True):
        cache.append([backend.convert(x) for x in key], [backend.convert(x) for x in value])
    positions = slice(0, len(keys)) if visible is None else visible
    return cache.attend([backend.convert(x) for x in query], positions), backend


@settings(max_examples=300, deadline=None)
@given(attention_cases())
def test_exact_hardmax_matches_brute_force(case):
    query, keys, values, negabs, backend_name = case
    result, backend = run_kernel(query, keys, values, negabs, backend_name)
    winners, average, best = brute_force(query, keys, values, negabs)
    assert list(result.winners) == winners
    assert [backend.to_fraction(x) for x in result.output] == average
    assert result.score == best


@settings(max_examples=100, deadline=None)
@given(attention_cases(numbers=huge))
def test_exact_hardmax_with_numbers_beyond_int64(case):
    query, keys, values, negabs, backend_name = case
    result, backend = run_kernel(query, keys, values, negabs, backend_name)
    winners, average, _ = brute_force(query, keys, values, negabs)
    assert list(result.winners) == winners
    assert [backend.to_fraction(x) for x in result.output] == average


def test_nearly_equal_scores_are_separated_exactly():
    """Two scores differing by 2^-70 relative: the float filter keeps both, the exact stage decides."""
    eps = Fraction(1, 2**70)
    keys = [[Fraction(1)], [Fraction(1) + eps], [Fraction(1) - eps]]
    result, _ = run_kernel([Fraction(1)], keys, [[Fraction(1), 0], [Fraction(2), 0], [Fraction(3), 0]], False,
                           "gmpy2")
    assert list(result.winners) == [1]


def test_visible_subset_restricts_winners():
    keys = [[Fraction(5)], [Fraction(1)], [Fraction(5)]]
    values = [[Fraction(1), 0], [Fraction(2), 0], [Fraction(3), 0]]
    result, _ = run_kernel([Fraction(1)], keys, values, False, "gmpy2", visible=np.array([1, 2]))
    assert list(result.winners) == [2]


def test_softmax_needs_a_float_backend():
    try:
        make_cache(get_backend("gmpy2"), 2, 1, "dot", Normalizer("softmax"))
    except ExecutionError as exc:
        assert "float backend" in str(exc)
    else:
        raise AssertionError("softmax accepted an exact backend")


def test_float_softmax_approaches_hardmax_at_low_temperature():
    backend = get_backend("float64")
    cache = make_cache(backend, 1, 1, "dot", Normalizer("softmax", Fraction(1, 100)))
    for key, value in [(1.0, 0.0), (2.0, 1.0), (0.5, 0.0)]:
        cache.append([backend.convert(Fraction(key))], [backend.convert(Fraction(value))])
    result = cache.attend([backend.one], slice(0, 3))
    assert abs(float(result.output[0]) - 1.0) < 1e-12
