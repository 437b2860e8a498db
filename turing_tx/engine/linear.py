"""Named sparse vectors and linear maps: the vocabulary in which every weight is written.

A vector is a mapping from coordinate name to a rational; absent names are 0. A linear map is a
mapping ``input name -> {output name -> weight}``, so ``M @ v = {o: sum_i v[i] * M[i][o]}``. Nothing
here knows a coordinate's position in the residual stream: the interpreter lowers names to indices
once, when it binds a model to a basis.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from fractions import Fraction

SparseVector = Mapping[str, Fraction]


def clean_vector(values: Mapping[str, Fraction | int]) -> dict[str, Fraction]:
    """``values`` as Fractions with the zero entries dropped (the canonical sparse form)."""
    return {name: Fraction(v) for name, v in values.items() if v != 0}


@dataclass(frozen=True)
class LinearMap:
    """A sparse linear map between named spaces; ``entries[i][o]`` is the weight from ``i`` to ``o``."""

    entries: Mapping[str, Mapping[str, Fraction]]

    @classmethod
    def build(cls, entries: Mapping[str, Mapping[str, Fraction | int]] | None = None) -> LinearMap:
        """A map with zero weights (and inputs left with no weight) removed."""
        cleaned: dict[str, dict[str, Fraction]] = {}
        for source, row in (entries or {}).items():
            kept = clean_vector(row)
            if kept:
                cleaned[source] = kept
        return cls(cleaned)

    @classmethod
    def zero(cls) -> LinearMap:
        return cls({})

    @classmethod
    def identity(cls, names: Iterable[str]) -> LinearMap:
        return cls({name: {name: Fraction(1)} for name in names})

    @property
    def is_zero(self) -> bool:
        return not self.entries

    def inputs(self) -> set[str]:
        return set(self.entries)

    def outputs(self) -> set[str]:
        return {out for row in self.entries.values() for out in row}

    def apply(self, vector: SparseVector) -> dict[str, Fraction]:
        """``M @ vector`` in exact arithmetic (reference semantics; the interpreter has a fast path)."""
        out: dict[str, Fraction] = {}
        for source, value in vector.items():
            for target, weight in self.entries.get(source, {}).items():
                out[target] = out.get(target, Fraction(0)) + value * weight
        return clean_vector(out)
