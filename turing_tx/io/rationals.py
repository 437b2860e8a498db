"""Exact rationals as text: the one canonical spelling every JSON file of the project uses.

A rational is written ``"p/q"`` in lowest terms with q > 1, or ``"p"`` when q = 1 (``str`` of a
:class:`~fractions.Fraction`). Readers accept only that spelling, so a file has exactly one text for
each value and a round trip reproduces it byte for byte.
"""

from __future__ import annotations

import re
from fractions import Fraction

_SHAPE = re.compile(r"-?[0-9]+(/[0-9]+)?")


def format_rational(value: Fraction | int) -> str:
    """``"p/q"`` or ``"p"``."""
    return str(Fraction(value))


def parse_rational(text: str) -> Fraction:
    """The value of a canonical rational; ValueError with a one-line reason for anything else."""
    if not _SHAPE.fullmatch(text):
        raise ValueError(f"{text!r} is not a rational 'p/q' or 'p'")
    numerator, _, denominator = text.partition("/")
    if denominator and int(denominator) == 0:
        raise ValueError(f"{text!r} has a zero denominator")
    exact = Fraction(int(numerator), int(denominator or 1))
    if str(exact) != text:
        raise ValueError(f"{text!r} is not canonical (lowest terms, q > 1, no leading zeros); write {str(exact)!r}")
    return exact
