"""Number backends: one interface for exact rationals and for the floats of precision ablations.

Model weights are always stored as :class:`fractions.Fraction` (the canonical, serialisable form).
The interpreter converts them once, through a backend, into the scalar type it computes with:

- ``gmpy2`` (default): GMP ``mpq`` rationals, about 14x faster than ``Fraction`` on the engine's
  workload (see ``benchmarks/``);
- ``fraction``: the standard library's ``Fraction``, the pure-Python fallback;
- ``flint``: python-flint ``fmpq`` (optional dependency);
- ``float64`` / ``float32``: numpy floats, for precision ablations only;
- ``mpmath:<bits>``: mpmath binary floats with a mantissa of the given number of bits (2 to
  ``MPMATH_MAX_BITS``).

Exact backends never see a float: conversion from anything but ``Fraction``/``int`` is refused.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import numpy as np

from turing_tx.errors import DecodingError, UsageError

Number = Any
"""A scalar of some backend (Fraction, mpq, fmpq, numpy float, mpf)."""


@dataclass(frozen=True)
class Backend:
    """A scalar type and how to move exact values into and out of it.

    ``exact`` backends represent every rational exactly; comparisons between their values never
    round. ``ratio`` returns (numerator, denominator) as Python ints for exact backends.
    """

    name: str
    exact: bool
    _from_fraction: Callable[[Fraction], Number]
    _ratio: Callable[[Number], tuple[int, int]] | None = None
    _context: Callable[[], contextlib.AbstractContextManager] = field(default=contextlib.nullcontext)
    numpy_dtype: Any = None
    """For float backends backed by numpy: the dtype used for vectorised attention scores."""

    def convert(self, value: Fraction | int) -> Number:
        """The backend scalar equal (exact backends) or nearest (float backends) to ``value``."""
        if not isinstance(value, (Fraction, int)):
            raise TypeError(f"backend {self.name} converts Fraction or int, not {type(value).__name__}")
        return self._from_fraction(Fraction(value))

    @property
    def zero(self) -> Number:
        return self.convert(0)

    @property
    def one(self) -> Number:
        return self.convert(1)

    def ratio(self, x: Number) -> tuple[int, int]:
        """(numerator, denominator) of an exact value, denominator > 0."""
        if self._ratio is None:
            raise TypeError(f"backend {self.name} is not exact")
        return self._ratio(x)

    def to_fraction(self, x: Number) -> Fraction:
        """The exact rational value of ``x`` (for floats: the exact binary value they hold)."""
        if self._ratio is not None:
            p, q = self._ratio(x)
            return Fraction(p, q)
        if isinstance(x, np.floating):
            if not np.isfinite(x):
                raise DecodingError(f"non-finite value {x} in a {self.name} run")
            return Fraction(float(x))
        import mpmath

        if isinstance(x, mpmath.mpf):
            if not mpmath.isfinite(x):
                raise DecodingError(f"non-finite value {x} in a {self.name} run")
            sign, mantissa, exponent, _ = x._mpf_
            return (-1) ** sign * Fraction(int(mantissa)) * Fraction(2) ** int(exponent)
        return Fraction(x)

    def bits(self, x: Number) -> int:
        """max(bit length of |numerator|, bit length of denominator): the precision a value needs."""
        p, q = self.ratio(x)
        return max(abs(p).bit_length(), q.bit_length())

    def context(self) -> contextlib.AbstractContextManager:
        """A context to compute in (sets mpmath's working precision; a no-op elsewhere)."""
        return self._context()


def _fraction_backend() -> Backend:
    return Backend("fraction", True, lambda f: f, lambda x: (x.numerator, x.denominator))


def _gmpy2_backend() -> Backend:
    import gmpy2

    mpq = gmpy2.mpq
    return Backend(
        "gmpy2",
        True,
        lambda f: mpq(f.numerator, f.denominator),
        lambda x: (int(x.numerator), int(x.denominator)),
    )


def _flint_backend() -> Backend:
    try:
        import flint
    except ImportError as exc:  # optional dependency
        raise UsageError("backend 'flint' needs python-flint (pip install 'turing-tx[flint]')") from exc
    fmpq = flint.fmpq
    return Backend("flint", True, lambda f: fmpq(f.numerator, f.denominator), lambda x: (int(x.p), int(x.q)))


def _numpy_float_backend(name: str, dtype: Any) -> Backend:
    return Backend(name, False, lambda f: dtype(f.numerator / f.denominator if f.denominator != 1
                                                else f.numerator), numpy_dtype=dtype)


#: the largest mpmath precision accepted, in bits: precision ablations study tens to thousands of bits,
#: and far beyond this every operation costs more than the exact backends' (which are exact)
MPMATH_MAX_BITS = 100_000


def _mpmath_backend(bits: int) -> Backend:
    import mpmath

    if bits < 2:
        raise UsageError(f"mpmath precision must be at least 2 bits, got {bits}")
    if bits > MPMATH_MAX_BITS:
        raise UsageError(f"mpmath precision {bits} bits is past the bound {MPMATH_MAX_BITS:,} (at that precision "
                         "an exact backend, gmpy2 or flint, is faster and exact)")

    def convert(f: Fraction) -> Any:
        with mpmath.workprec(bits):
            return mpmath.mpf(f.numerator) / f.denominator

    return Backend(f"mpmath:{bits}", False, convert, _context=lambda: mpmath.workprec(bits))


EXACT_BACKENDS = ("gmpy2", "fraction", "flint")
DEFAULT_BACKEND = "gmpy2"


def get_backend(name: str = DEFAULT_BACKEND) -> Backend:
    """The backend called ``name``: gmpy2, fraction, flint, float64, float32 or mpmath:<bits>."""
    if name == "gmpy2":
        return _gmpy2_backend()
    if name == "fraction":
        return _fraction_backend()
    if name == "flint":
        return _flint_backend()
    if name == "float64":
        return _numpy_float_backend(name, np.float64)
    if name == "float32":
        return _numpy_float_backend(name, np.float32)
    if name.startswith("mpmath:"):
        bits_text = name.partition(":")[2]
        if not re.fullmatch(r"[0-9]{1,30}", bits_text):
            raise UsageError(f"bad backend {name!r}: expected mpmath:<bits>, e.g. mpmath:53")
        return _mpmath_backend(int(bits_text))
    raise UsageError(f"unknown number backend {name!r} (expected gmpy2, fraction, flint, float64, "
                     "float32 or mpmath:<bits>)")


def available_exact_backends() -> Iterator[str]:
    """The exact backends importable here, default first."""
    for name in EXACT_BACKENDS:
        try:
            get_backend(name)
        except UsageError:
            continue
        yield name
