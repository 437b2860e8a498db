"""The trusted core of the prover: four kinds of check, each small enough to audit by reading it.

An obligation is a statement about symbols with stated ranges (:class:`Variable`). It counts as
proved only when one of these checks accepts it, and every check ends in exact rational arithmetic
on sparse polynomials over ℚ (sympy's ``ring``/``field`` over ``QQ``: a statement is read into the
field of rational functions in its variables, which puts it in lowest terms p/q), never in a floating
or heuristic ``simplify``:

- :func:`check_identity` — ``lhs = rhs``: lhs − rhs brought to one fraction p/q; the numerator p is
  the zero polynomial.
- :func:`check_polynomial_sign` — ``expr ≥ 0`` (or ``> 0``) for a polynomial over variables with
  lower bounds: substitute x = low + x′ with x′ ≥ 0; every coefficient of the expanded polynomial in
  the x′ is ≥ 0, and the constant term is > 0 for a strict inequality. The certificate is the list
  of coefficients.
- :func:`check_rational_sign` — the same for a rational function: its denominator and numerator, each
  by that certificate.
- :func:`check_affine_on_box` — an affine ``expr ≥ 0`` (``> 0``) on a box: its value at every vertex
  (an affine function takes its minimum at a vertex). The certificate is the vertex values.
- :func:`check_cases` — a finite enumeration of closed statements, each evaluated exactly.

A check that does not accept a statement looks for a **counterexample**: a point of the stated
ranges where the statement is false (evaluated exactly). With one, the statement is *refuted*;
without one it is only *unproved* (the certificate method is sufficient, not necessary). The
counterexample search runs over a finite grid of small points (a non-zero polynomial of degree d in a
variable is non-zero at one of any d + 1 values of it, so a false identity is always refuted), then
over points far out along each variable, where a flaw that needs a long run or a far head shows.
"""

from __future__ import annotations

import functools
import itertools
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Literal

import sympy
from sympy.polys.fields import FracField
from sympy.polys.fields import field as fraction_field
from sympy.polys.rings import PolyElement

Kind = Literal["integer", "real"]
Status = Literal["proved", "refuted", "unproved"]

#: how far above its lower bound (or below its upper one) the counterexample search goes, at least
SEARCH_SPAN = 12
#: at most this many grid points are evaluated in one counterexample search
SEARCH_POINTS = 5_000
#: the far points of the search go out to 2^RAY_BITS along one variable, the others taking their
#: RAY_COMPANIONS smallest values
RAY_BITS, RAY_COMPANIONS = 24, 2


@dataclass(frozen=True)
class Variable:
    """A symbol with its range: integer or real, with optional bounds ``low ≤ x ≤ high``."""

    symbol: sympy.Symbol
    kind: Kind = "integer"
    low: Fraction | None = None
    high: Fraction | None = None

    @property
    def name(self) -> str:
        return self.symbol.name

    def contains(self, value: Fraction) -> bool:
        if self.kind == "integer" and value.denominator != 1:
            return False
        return (self.low is None or value >= self.low) and (self.high is None or value <= self.high)

    def describe(self) -> str:
        bounds = ([f"{self.low} ≤ {self.name}"] if self.low is not None else []) + (
            [f"{self.name} ≤ {self.high}"] if self.high is not None else [])
        return f"{self.name} ∈ {'ℤ' if self.kind == 'integer' else 'ℝ'}" + (
            f", {' and '.join(bounds)}" if bounds else "")


def integer(name: str, low: int | None = None, high: int | None = None) -> Variable:
    return Variable(sympy.Symbol(name, integer=True), "integer", _fraction(low), _fraction(high))


def real(name: str, low: Fraction | int | None = None, high: Fraction | int | None = None) -> Variable:
    return Variable(sympy.Symbol(name, real=True), "real", _fraction(low), _fraction(high))


def _fraction(value: Fraction | int | None) -> Fraction | None:
    return None if value is None else Fraction(value)


@dataclass(frozen=True)
class Outcome:
    """What a check concluded: the status, the method, its certificate (plain data, for the report)
    and, for a refuted statement, the counterexample (symbol name → exact value)."""

    status: Status
    method: str
    certificate: dict[str, object] = field(default_factory=dict)
    counterexample: dict[str, object] | None = None

    @property
    def proved(self) -> bool:
        return self.status == "proved"


class ProofError(Exception):
    """A statement was handed to a check that cannot read it (not a polynomial, a symbol without a
    range): a fault in how an obligation is stated, not a refutation."""


# -- exact evaluation --------------------------------------------------------------------------------

def _rational(value: sympy.Expr) -> Fraction | None:
    """An exact sympy number as a Fraction; None where the expression is undefined (zoo, nan)."""
    if value.has(sympy.zoo, sympy.nan, sympy.oo, -sympy.oo) or not value.is_Rational:
        return None
    return Fraction(int(value.p), int(value.q))


def _sympy_rational(value: Fraction | int) -> sympy.Rational:
    value = Fraction(value)
    return sympy.Rational(value.numerator, value.denominator)


def evaluate(expr: sympy.Expr, point: Mapping[sympy.Symbol, Fraction]) -> Fraction | None:
    """``expr`` at ``point``, exactly (None where it is undefined, e.g. a zero denominator)."""
    return _rational(sympy.sympify(expr).subs({s: _sympy_rational(v) for s, v in point.items()}))


Point = Mapping[sympy.Symbol, Fraction]


def _fraction_of(value: object) -> Fraction:
    """A ground-domain coefficient of QQ (whichever backend sympy uses) as a Fraction."""
    exact = sympy.QQ.to_sympy(value)
    return Fraction(int(exact.p), int(exact.q))


class _ScaledTerms:
    """A polynomial with rational coefficients as integer terms times 1/scale, evaluated at rational
    points with integer arithmetic (one common denominator per point instead of a Fraction per term)."""

    def __init__(self, poly: PolyElement) -> None:
        coefficients = [(monomial, _fraction_of(c)) for monomial, c in poly.terms()]
        self.scale = math.lcm(1, *(c.denominator for _, c in coefficients))
        self.terms = [(monomial, int(c * self.scale)) for monomial, c in coefficients]

    def at(self, numerators: Sequence[int], denominator: int) -> Fraction:
        """The value at the point numerators / denominator (a common denominator of the coordinates)."""
        degree = max((sum(m) for m, _ in self.terms), default=0)
        total = 0
        for monomial, coefficient in self.terms:
            term = coefficient * denominator ** (degree - sum(monomial))
            for value, power in zip(numerators, monomial, strict=True):
                if power:
                    term *= value ** power
            total += term
        return Fraction(total, self.scale * denominator ** degree)


def evaluator(expr: sympy.Expr, variables: Sequence[Variable]) -> Callable[[Point], Fraction | None]:
    """``expr`` (a rational function of the variables) as a function of a point, computed exactly from
    its numerator's and denominator's integer-scaled terms (None where the denominator is 0): the
    counterexample search evaluates thousands of points, far too many for ``subs``."""
    numerator, denominator = _rational_function(expr, variables)
    top, bottom = _ScaledTerms(numerator), _ScaledTerms(denominator)
    symbols = [v.symbol for v in variables]

    def value(point: Point) -> Fraction | None:
        coordinates = [Fraction(point[s]) for s in symbols]
        common = math.lcm(1, *(x.denominator for x in coordinates))
        numerators = [x.numerator * (common // x.denominator) for x in coordinates]
        below = bottom.at(numerators, common)
        return None if below == 0 else top.at(numerators, common) / below

    return value


@functools.lru_cache(maxsize=256)
def _field(symbols: tuple[sympy.Symbol, ...]) -> FracField:
    return fraction_field(symbols, sympy.QQ)[0]


def _rational_function(expr: object, variables: Sequence[Variable]) -> tuple[PolyElement, PolyElement]:
    """Numerator p and denominator q of ``expr`` = p/q in lowest terms, as sparse polynomials over ℚ in
    the variables (in this order); anything else (a symbol without a range, |x|, √x) is a ProofError."""
    if not variables:
        raise ProofError(f"no variables to read {expr} in")
    try:
        value = _field(tuple(v.symbol for v in variables)).from_expr(sympy.sympify(expr))
    except (ValueError, TypeError, sympy.PolynomialError, sympy.CoercionFailed) as exc:
        raise ProofError(f"not a rational function with rational coefficients in "
                         f"{[v.name for v in variables]}: {expr}") from exc
    return value.numer, value.denom


def _polynomial(expr: object, variables: Sequence[Variable]) -> PolyElement:
    """``expr`` as a polynomial over ℚ in the variables (a non-constant denominator is a ProofError)."""
    numerator, denominator = _rational_function(expr, variables)
    if not denominator.is_ground:
        raise ProofError(f"not a polynomial with rational coefficients in {[v.name for v in variables]}: {expr}")
    return numerator.quo_ground(denominator.LC)


def _degree_span(poly: PolyElement) -> int:
    """A grid wide enough to refute any false identity of this degree (d + 1 values per variable)."""
    degrees = [max((m[i] for m in poly.monoms()), default=0) for i in range(poly.ring.ngens)]
    return max(SEARCH_SPAN, max(degrees, default=0) + 1)


# -- counterexample search ---------------------------------------------------------------------------

def _candidates(variable: Variable, span: int) -> list[Fraction]:
    """Small values of ``variable``'s range: integers from its lower bound up (or from its upper bound
    down, or around 0), and for reals also the bounds and halves between them."""
    if variable.low is not None:
        start = variable.low if variable.kind == "real" else Fraction(-(-variable.low.numerator //
                                                                           variable.low.denominator))
        values = [start + k for k in range(span + 1)]
    elif variable.high is not None:
        top = variable.high if variable.kind == "real" else Fraction(variable.high.numerator //
                                                                     variable.high.denominator)
        values = [top - k for k in range(span + 1)]
    else:
        values = [Fraction(k) for k in range(-(span // 2), span // 2 + 1)]
    if variable.kind == "real":
        values += [v + Fraction(1, 2) for v in values]
        values += [b for b in (variable.low, variable.high) if b is not None]
    return sorted({v for v in values if variable.contains(v)})


def _rays(variables: Sequence[Variable], grids: Sequence[list[Fraction]]) -> Iterable[tuple[Fraction, ...]]:
    """Points far out along one variable (2, 4, …, 2^RAY_BITS from its bound) with the others small:
    where a flaw that only shows for large values (a far head, a long run) lies."""
    small = [grid[:RAY_COMPANIONS] for grid in grids]
    for index, variable in enumerate(variables):
        anchor = variable.low if variable.low is not None else variable.high
        if anchor is None:
            continue
        sign = 1 if variable.low is not None else -1
        far = [anchor + sign * 2 ** k for k in range(1, RAY_BITS + 1)]
        far = [value for value in far if variable.contains(value)]
        yield from itertools.product(*(small[:index] + [far] + small[index + 1:]))


def search_counterexample(holds: Callable[[Point], bool | None], variables: Sequence[Variable],
                          span: int = SEARCH_SPAN) -> dict[str, Fraction] | None:
    """The first point where ``holds(point)`` is False: a grid of small values first (as many values
    per variable as SEARCH_POINTS allows, at most ``span`` + 1), then points far out along each
    variable (:func:`_rays`); at most SEARCH_POINTS of each.

    ``holds`` maps {symbol: value} to True, False, or None (undefined there: skipped).
    """
    per_variable = max(2, min(span + 1, int(SEARCH_POINTS ** (1 / max(1, len(variables))))))
    grids = [_candidates(v, span)[:per_variable] for v in variables]
    points = itertools.chain(itertools.islice(itertools.product(*grids), SEARCH_POINTS),
                             itertools.islice(_rays(variables, grids), SEARCH_POINTS))
    for values in points:
        point = {v.symbol: value for v, value in zip(variables, values, strict=True)}
        if holds(point) is False:
            return {v.name: value for v, value in zip(variables, values, strict=True)}
    return None


# -- the four checks ---------------------------------------------------------------------------------

def _closed(expr: object) -> Fraction:
    value = _rational(sympy.sympify(expr))
    if value is None:
        raise ProofError(f"not an exact rational: {expr}")
    return value


def check_identity(lhs: sympy.Expr, rhs: sympy.Expr, variables: Sequence[Variable]) -> Outcome:
    """``lhs = rhs`` wherever both are defined: lhs − rhs in lowest terms p/q has p = 0, the zero
    polynomial (or lhs − rhs already expands to 0 term by term). Without variables it is one exact
    evaluation."""
    lhs, rhs = sympy.sympify(lhs), sympy.sympify(rhs)
    difference = lhs - rhs
    free = lhs.free_symbols | rhs.free_symbols
    variables = [v for v in variables if v.symbol in free]  # a statement is read in the symbols it has
    if not variables:
        value = _closed(difference)
        return Outcome("proved" if value == 0 else "refuted", "identity", {"numerator": str(value)},
                       None if value == 0 else {})
    if sympy.expand(difference) == 0:  # the terms cancel as they stand: numerator 0 without a common denominator
        return Outcome("proved", "identity", {"numerator": "0", "expanded": True})
    numerator, denominator = _rational_function(difference, variables)
    certificate = {"numerator": str(numerator.as_expr()), "denominator": str(denominator.as_expr())}
    if not numerator:
        return Outcome("proved", "identity", certificate)

    left, right = evaluator(lhs, variables), evaluator(rhs, variables)

    def holds(point: Point) -> bool | None:
        at_left, at_right = left(point), right(point)
        return None if at_left is None or at_right is None else at_left == at_right

    counterexample = search_counterexample(holds, variables, _degree_span(numerator))
    return Outcome("refuted" if counterexample else "unproved", "identity", certificate,
                   dict(counterexample) if counterexample else None)


def _shifted(poly: PolyElement, variables: Sequence[Variable]) -> tuple[PolyElement, dict[str, str]]:
    """The polynomial in x′ ≥ 0 after x = low + x′ (or x = high − x′ without a lower bound), in the
    same ring (its generator x now stands for x′), and the substitution as text."""
    substitution, shifts = [], {}
    for v, x in zip(variables, poly.ring.gens, strict=True):
        if v.low is not None:
            substitution.append((x, x + poly.ring.domain.convert(v.low)))
            shifts[v.name] = f"{v.low} + {v.name}_"
        elif v.high is not None:
            substitution.append((x, poly.ring.domain.convert(v.high) - x))
            shifts[v.name] = f"{v.high} − {v.name}_"
        else:
            raise ProofError(f"{v.name} has no bound: the positivity certificate needs one")
    return poly.compose(substitution), shifts


def _monomial(names: Sequence[str], exponents: Sequence[int]) -> str:
    factors = [name if e == 1 else f"{name}**{e}" for name, e in zip(names, exponents, strict=True) if e]
    return "*".join(factors) or "1"


def _sign_certificate(poly: PolyElement, variables: Sequence[Variable], strict: bool) -> tuple[bool, dict[str, object]]:
    """Whether the shifted polynomial has every coefficient ≥ 0 and a constant > 0 (``strict``) or
    ≥ 0, and the certificate: the substitution and the coefficients by monomial in the x′."""
    shifted, shifts = _shifted(poly, variables)
    names = [f"{v.name}_" for v in variables]
    terms = {_monomial(names, monomial): _fraction_of(c) for monomial, c in shifted.terms()}
    constant = terms.get("1", Fraction(0))
    certificate = {"substitution": shifts, "coefficients": {k: str(v) for k, v in terms.items()}}
    return all(c >= 0 for c in terms.values()) and (constant > 0 if strict else constant >= 0), certificate


def _sign_holds(expr: sympy.Expr, variables: Sequence[Variable], strict: bool) -> Callable[[Point], bool | None]:
    """Whether ``expr > 0`` (``≥ 0``) at a point; None where it is undefined."""
    value_at = evaluator(expr, variables)

    def holds(point: Point) -> bool | None:
        value = value_at(point)
        return None if value is None else (value > 0 if strict else value >= 0)

    return holds


def check_polynomial_sign(expr: sympy.Expr, variables: Sequence[Variable], *, strict: bool) -> Outcome:
    """``expr > 0`` (``strict``) or ``expr ≥ 0`` for a polynomial, every variable bounded on one side:
    after x = low + x′, every coefficient is ≥ 0 and the constant term is > 0 (strict) or ≥ 0."""
    holds, certificate = _sign_certificate(_polynomial(expr, variables), variables, strict)
    if holds:
        return Outcome("proved", "polynomial sign", certificate)
    counterexample = search_counterexample(_sign_holds(expr, variables, strict), variables)
    return Outcome("refuted" if counterexample else "unproved", "polynomial sign", certificate, counterexample)


def check_rational_sign(expr: sympy.Expr, variables: Sequence[Variable], *, strict: bool) -> Outcome:
    """``expr > 0`` (``strict``) or ``≥ 0`` for a rational function p/q in lowest terms: the
    denominator q is proved > 0 and the numerator p proved > 0 (≥ 0) by the coefficient certificate
    of :func:`check_polynomial_sign`, both kept. On failure the whole expression is searched for a
    counterexample.

    The same statement recurs (the heads every compiled machine shares), so each (statement, ranges,
    strictness) is decided once per process: the check is a pure function of them."""
    return _rational_sign(sympy.sympify(expr), tuple(variables), strict)


@functools.lru_cache(maxsize=1024)
def _rational_sign(expr: sympy.Expr, variables: tuple[Variable, ...], strict: bool) -> Outcome:
    numerator, denominator = _rational_function(expr, variables)
    below, below_certificate = _sign_certificate(denominator, variables, True)
    above, above_certificate = _sign_certificate(numerator, variables, strict)
    certificate = {"numerator": str(numerator.as_expr()), "denominator": str(denominator.as_expr()),
                   "numerator certificate": above_certificate, "denominator certificate": below_certificate}
    if below and above:
        return Outcome("proved", "rational sign", certificate)

    counterexample = search_counterexample(_sign_holds(expr, variables, strict), variables)
    return Outcome("refuted" if counterexample else "unproved", "rational sign", certificate, counterexample)


def check_affine_on_box(expr: sympy.Expr, variables: Sequence[Variable], *, strict: bool) -> Outcome:
    """An affine ``expr > 0`` (``strict``) or ``≥ 0`` on the box of the variables' bounds: checked at
    every vertex, where an affine function takes its minimum."""
    poly = _polynomial(expr, variables)
    if max((sum(m) for m in poly.monoms()), default=0) > 1:
        raise ProofError(f"not affine in {[v.name for v in variables]}: {expr}")
    unbounded = [v.name for v in variables if v.low is None or v.high is None]
    if unbounded:
        raise ProofError(f"the vertex check needs both bounds of {', '.join(unbounded)}")
    vertices = []
    for corner in itertools.product(*[(v.low, v.high) for v in variables]):
        point = {v.symbol: value for v, value in zip(variables, corner, strict=True)}
        vertices.append(({v.name: value for v, value in zip(variables, corner, strict=True)},
                         evaluate(expr, point)))
    certificate = {"vertices": [{"at": {k: str(x) for k, x in at.items()}, "value": str(value)}
                                for at, value in vertices]}
    failing = [at for at, value in vertices if value is None or not (value > 0 if strict else value >= 0)]
    if not failing:
        return Outcome("proved", "vertices", certificate)
    return Outcome("refuted", "vertices", certificate, failing[0])


@dataclass(frozen=True)
class Case:
    """One closed instance of a finite enumeration: ``label`` names it, ``lhs = rhs`` must hold exactly
    (numbers, or expressions without free symbols)."""

    label: str
    lhs: object
    rhs: object


def _exact(value: object, label: str) -> Fraction:
    """A case's side as an exact rational (ints, Fractions, gmpy2/flint rationals, sympy Rationals)."""
    if isinstance(value, sympy.Basic):
        exact = _rational(value)
        if exact is None:
            raise ProofError(f"case {label}: {value} is not an exact rational")
        return exact
    if isinstance(value, float):  # a binary float is an approximation, never an exact side
        raise ProofError(f"case {label}: {value!r} is a float, not an exact rational")
    try:
        return Fraction(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise ProofError(f"case {label}: {value!r} is not an exact rational") from None


def check_cases(cases: Iterable[Case]) -> Outcome:
    """Every case's two sides are the same rational; the first failing case is the counterexample."""
    count = 0
    for case in cases:
        count += 1
        left, right = _exact(case.lhs, case.label), _exact(case.rhs, case.label)
        if left != right:
            return Outcome("refuted", "enumeration", {"cases": count},
                           {"case": case.label, "lhs": left, "rhs": right})
    return Outcome("proved", "enumeration", {"cases": count})
