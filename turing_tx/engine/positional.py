"""Positional encodings as pluggable, serialisable functions of the position.

A positional encoding assigns to each coordinate one *feature* of the 1-based index i of a position:
``"1"``, ``"i"``, ``"1/i"`` or ``"1/i^2"``. Pérez et al. use [1, i, 1/i, 1/i²]; Bhattamishra et al.
use (1, 1/i, 1/i²). Positions are counted from 0 by the interpreter (encoder cell e, decoder step p)
and the encoding is evaluated at i = position + 1, so that position 0 is defined.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from fractions import Fraction

from turing_tx.errors import ModelError

FEATURES: dict[str, Callable[[int], Fraction]] = {
    "1": lambda i: Fraction(1),
    "i": lambda i: Fraction(i),
    "1/i": lambda i: Fraction(1, i),
    "1/i^2": lambda i: Fraction(1, i * i),
}


@dataclass(frozen=True)
class PositionalEncoding:
    """``features[coord]`` names the function of i written into residual coordinate ``coord``."""

    name: str
    features: Mapping[str, str]

    def __post_init__(self) -> None:
        for coord, feature in self.features.items():
            if feature not in FEATURES:
                raise ModelError(f"positional encoding {self.name}: unknown feature {feature!r} for {coord} "
                                 f"(expected one of {', '.join(FEATURES)})")

    def vector(self, position: int) -> dict[str, Fraction]:
        """The encoding of 0-based ``position`` (evaluated at i = position + 1)."""
        i = position + 1
        return {coord: FEATURES[feature](i) for coord, feature in self.features.items()}

    @property
    def coords(self) -> tuple[str, ...]:
        return tuple(self.features)
