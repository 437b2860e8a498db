"""Attention over a key/value cache, vectorised, exact for exact backends.

**Exact hardmax.** Each cached key k_j is stored as an integer row N_j over one positive denominator
D_j (k_j = N_j / D_j); a query is M / E. Then ⟨q, k_j⟩ = (M·N_j) / (E·D_j) and, E being a common
positive factor, the maximal positions are those maximising a_j / D_j (``dot``) or −|a_j| / D_j
(``negabs``) with a_j = M·N_j. The products a_j are computed for all cached keys at once with numpy
in int64 when a bit-length bound proves they cannot overflow (else with Python integers in an
object array). The maximum is then found in two exact stages: a float64 filter keeps every position
whose score is within a rigorous relative error bound (3 roundings: ≤ 3.4e-16) of the float maximum,
and the few candidates are compared as exact fractions. Ties are averaged, as hardmax requires; when
every visible position ties (e.g. a zero query) the average comes from cumulative sums, in O(width).

**Float kernels** (precision and softmax ablations) compute scores in the backend's own float type,
hardmax by exact float equality, softmax with a temperature, or the Performer FAVOR+ approximation.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from fractions import Fraction
from typing import Any

import numpy as np

from turing_tx.engine.lowering import Dense
from turing_tx.engine.model import Normalizer
from turing_tx.engine.numbers import Backend, Number
from turing_tx.errors import ExecutionError

_INT64_SAFE_BITS = 62
_RELATIVE_TOLERANCE = 1e-15  # > 2 x (3 roundings of 2^-53), see the module docstring


class AttentionResult:
    """The attended output (dense, residual basis) and the positions that received weight."""

    __slots__ = ("output", "winners", "score")

    def __init__(self, output: Dense, winners: np.ndarray | range, score: Fraction | None) -> None:
        self.output = output
        self.winners = winners
        self.score = score


class KeyValueCache:
    """Keys, values and cumulative value sums of one head, growing by one position at a time."""

    def __init__(self, backend: Backend, width: int, score_dim: int) -> None:
        self.backend = backend
        self.width = width
        self.score_dim = score_dim
        self.size = 0
        self.values: list[tuple[tuple[int, Number], ...]] = []
        self.cumulative: list[Dense] = [[backend.zero] * width]

    def append(self, key: Sequence[Number], value: Dense) -> None:
        self._store_key(key)
        sparse_value = tuple((i, v) for i, v in enumerate(value) if v)
        self.values.append(sparse_value)
        running = list(self.cumulative[-1])
        for i, v in sparse_value:
            running[i] += v
        self.cumulative.append(running)
        self.size += 1

    def _store_key(self, key: Sequence[Number]) -> None:
        raise NotImplementedError

    def average(self, winners: np.ndarray | range, visible: slice | np.ndarray) -> Dense:
        """The mean of the cached values at ``winners``."""
        count = len(winners)
        if isinstance(visible, slice) and count == visible.stop - visible.start:
            low, high = self.cumulative[visible.start], self.cumulative[visible.stop]
            return [(h - l) / count if h != l else self.backend.zero for h, l in zip(high, low, strict=True)]
        total = [self.backend.zero] * self.width
        for j in winners:
            for i, v in self.values[int(j)]:
                total[i] += v
        if count != 1:
            total = [t / count if t else t for t in total]
        return total


class ExactHardmaxCache(KeyValueCache):
    """Exact hardmax for exact backends (see the module docstring)."""

    def __init__(self, backend: Backend, width: int, score_dim: int, score: str) -> None:
        super().__init__(backend, width, score_dim)
        self.negabs = score == "negabs"
        self.numerators = np.zeros((16, score_dim), dtype=np.int64)
        self.denominators = np.zeros(16, dtype=np.int64)
        self.column_bits = [0] * score_dim
        self.denominator_bits = 0
        self.exact_objects = False  # switched on once int64 could overflow

    def _integer_row(self, vector: Sequence[Number]) -> tuple[list[int], int]:
        ratios = [self.backend.ratio(x) for x in vector]
        denominator = math.lcm(*(q for _, q in ratios)) if ratios else 1
        return [p * (denominator // q) for p, q in ratios], denominator

    def _to_objects(self) -> None:
        self.numerators = self.numerators.astype(object)
        self.denominators = self.denominators.astype(object)
        self.exact_objects = True

    def _store_key(self, key: Sequence[Number]) -> None:
        row, denominator = self._integer_row(key)
        for c, value in enumerate(row):
            self.column_bits[c] = max(self.column_bits[c], abs(value).bit_length())
        self.denominator_bits = max(self.denominator_bits, denominator.bit_length())
        if not self.exact_objects and (max(self.column_bits, default=0) > _INT64_SAFE_BITS
                                       or self.denominator_bits > _INT64_SAFE_BITS):
            self._to_objects()
        if self.size == len(self.denominators):
            self.numerators = np.concatenate([self.numerators, np.zeros_like(self.numerators)])
            self.denominators = np.concatenate([self.denominators, np.zeros_like(self.denominators)])
        self.numerators[self.size] = row
        self.denominators[self.size] = denominator

    def attend(self, query: Sequence[Number], visible: slice | np.ndarray) -> AttentionResult:
        q_row, q_den = self._integer_row(query)
        rows = self.numerators[visible]
        count = len(rows)
        if count == 0:
            raise ExecutionError("attention over an empty set of positions")
        positions = np.arange(visible.start, visible.stop) if isinstance(visible, slice) else visible
        if not any(q_row):
            products = None  # every score is 0: all positions tie
        else:
            bound_bits = max((abs(m).bit_length() + b for m, b in zip(q_row, self.column_bits, strict=True)
                              if m), default=0) + max(1, self.score_dim).bit_length()
            if not self.exact_objects and bound_bits > _INT64_SAFE_BITS:
                self._to_objects()
                rows = self.numerators[visible]
            if self.exact_objects:
                products = rows.dot(np.array(q_row, dtype=object))
            else:
                products = rows @ np.array(q_row, dtype=np.int64)
            if not products.any():
                products = None
        if products is None:
            winners = positions
            best = Fraction(0)
        else:
            local, best_scaled = self._exact_argmax(products, self.denominators[visible])
            winners = positions[local]
            best = best_scaled / q_den
        return AttentionResult(self.average(winners, visible), winners, best)

    def _exact_argmax(self, products: np.ndarray, denominators: np.ndarray) -> tuple[np.ndarray, Fraction]:
        """Indices maximising products/denominators (or −|·|), and that maximum, exactly."""
        try:
            if self.exact_objects:
                approx = np.array([int(a) / int(d) for a, d in zip(products, denominators, strict=True)])
            else:
                approx = products.astype(np.float64) / denominators.astype(np.float64)
        except OverflowError:
            candidates = np.arange(len(products))
        else:
            if self.negabs:
                approx = -np.abs(approx)
            top = approx.max()
            slack = _RELATIVE_TOLERANCE * (abs(top) + np.abs(approx))
            candidates = np.flatnonzero(approx >= top - slack)
        exact = [Fraction(int(products[j]), int(denominators[j])) for j in candidates]
        if self.negabs:
            exact = [-abs(x) for x in exact]
        best = max(exact)
        return candidates[[i for i, x in enumerate(exact) if x == best]], best


class FloatCache(KeyValueCache):
    """Scores and weights in the backend's float type: hardmax by float equality, or softmax."""

    def __init__(self, backend: Backend, width: int, score_dim: int, score: str,
                 normalizer: Normalizer) -> None:
        super().__init__(backend, width, score_dim)
        self.negabs = score == "negabs"
        self.normalizer = normalizer
        self.dtype: Any = backend.numpy_dtype or object
        self.keys = np.zeros((16, score_dim), dtype=self.dtype)
        self.dense_values = np.zeros((16, width), dtype=self.dtype)
        if self.dtype is object:
            self.keys[:] = backend.zero
            self.dense_values[:] = backend.zero
        self._favor = None

    def _store_key(self, key: Sequence[Number]) -> None:
        if self.size == len(self.keys):
            self.keys = np.concatenate([self.keys, np.zeros_like(self.keys)])
            self.dense_values = np.concatenate([self.dense_values, np.zeros_like(self.dense_values)])
            if self.dtype is object:
                self.keys[self.size:] = self.backend.zero
                self.dense_values[self.size:] = self.backend.zero
        self.keys[self.size] = list(key)

    def append(self, key: Sequence[Number], value: Dense) -> None:
        super().append(key, value)
        self.dense_values[self.size - 1] = value

    def attend(self, query: Sequence[Number], visible: slice | np.ndarray) -> AttentionResult:
        keys = self.keys[visible]
        positions = np.arange(visible.start, visible.stop) if isinstance(visible, slice) else visible
        q = np.array(list(query), dtype=self.dtype)
        if self.normalizer.kind == "favor":
            return self._favor_attend(q, keys, positions)
        scores = keys @ q if self.score_dim else np.zeros(len(keys), dtype=self.dtype)
        if self.negabs:
            scores = -abs(scores)
        top = scores.max()
        if self.normalizer.kind == "hardmax":
            winners = positions[np.flatnonzero(scores == top)]
            return AttentionResult(self.average(winners, visible), winners, None)
        weights = self._exp((scores - top) / self.backend.convert(self.normalizer.temperature))
        return self._weighted(weights, positions)

    def _exp(self, x: np.ndarray) -> np.ndarray:
        if self.dtype is object:
            import mpmath

            with self.backend.context():
                return np.array([mpmath.exp(v) for v in x], dtype=object)
        return np.exp(x)

    def _weighted(self, weights: np.ndarray, positions: np.ndarray) -> AttentionResult:
        with self.backend.context():
            weights = weights / weights.sum()
            output = weights @ self.dense_values[positions]
        winners = positions[np.flatnonzero(weights == weights.max())]
        return AttentionResult(list(output), winners, None)

    def _favor_attend(self, q: np.ndarray, keys: np.ndarray, positions: np.ndarray) -> AttentionResult:
        """Performer FAVOR+: exp(⟨q,k⟩/τ) ≈ φ(q)·φ(k) with positive orthogonal-free random features."""
        if self.negabs:
            raise ExecutionError("FAVOR+ approximates softmax of the dot product; this head scores −|⟨q,k⟩|")
        scale = 1.0 / math.sqrt(float(self.normalizer.temperature))
        if self._favor is None:
            rng = np.random.default_rng(self.normalizer.seed)
            self._favor = rng.standard_normal((max(1, self.normalizer.features), self.score_dim))
        omega = self._favor

        def features(x: np.ndarray) -> np.ndarray:
            x = np.asarray(x, dtype=np.float64) * scale
            return np.exp(x @ omega.T - (x * x).sum(-1, keepdims=True) / 2) / math.sqrt(len(omega))

        weights = features(keys) @ features(q[None, :])[0]
        weights = np.maximum(weights, np.finfo(np.float64).tiny)
        weights = weights.astype(self.dtype) if self.dtype is not object else np.array(
            [self.backend.convert(Fraction(float(w))) for w in weights], dtype=object)
        return self._weighted(weights, positions)


def make_cache(backend: Backend, width: int, score_dim: int, score: str,
               normalizer: Normalizer) -> KeyValueCache:
    """The cache implementing ``normalizer`` for ``backend`` (softmax needs a float backend)."""
    if backend.exact:
        if normalizer.kind != "hardmax":
            raise ExecutionError(f"{normalizer.label()} attention is not rational; run it with a float "
                                 "backend (float64, float32 or mpmath:<bits>)")
        return ExactHardmaxCache(backend, width, score_dim, score)
    return FloatCache(backend, width, score_dim, score, normalizer)
