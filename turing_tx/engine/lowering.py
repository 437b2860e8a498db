"""Lowering named weights to index form for one number backend (done once per interpreter).

Weights are named sparse maps (:mod:`turing_tx.engine.linear`); the interpreter computes on dense lists of
backend scalars indexed by the residual basis. A :class:`BoundMap` keeps, for every input index that
has weights, the (output index, weight) pairs, so a product costs one multiply-add per non-zero weight
whose input is non-zero — the constructions' weights and activations are both very sparse.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from fractions import Fraction

from turing_tx.engine.linear import LinearMap
from turing_tx.engine.numbers import Backend, Number

Dense = list[Number]


class BoundMap:
    """A :class:`LinearMap` with names replaced by indices and weights converted to backend scalars."""

    __slots__ = ("rows", "out_dim", "zero")

    def __init__(self, lmap: LinearMap, in_index: Mapping[str, int], out_index: Mapping[str, int],
                 backend: Backend) -> None:
        self.out_dim = len(out_index)
        self.zero = backend.zero
        self.rows = [
            (in_index[source], tuple((out_index[target], backend.convert(w)) for target, w in row.items()))
            for source, row in sorted(lmap.entries.items(), key=lambda item: in_index[item[0]])
        ]

    def apply(self, x: Sequence[Number]) -> Dense:
        out = [self.zero] * self.out_dim
        for i, row in self.rows:
            xi = x[i]
            if xi:
                for j, w in row:
                    out[j] += xi * w
        return out

    def add_into(self, x: Sequence[Number], out: Dense) -> None:
        """``out += M @ x``, in place."""
        for i, row in self.rows:
            xi = x[i]
            if xi:
                for j, w in row:
                    out[j] += xi * w


def dense(vector: Mapping[str, Fraction], index: Mapping[str, int], backend: Backend) -> Dense:
    """A named sparse vector as a dense list of backend scalars."""
    out = [backend.zero] * len(index)
    for name, value in vector.items():
        out[index[name]] = backend.convert(value)
    return out


def index_of(names: Sequence[str]) -> dict[str, int]:
    return {name: i for i, name in enumerate(names)}
