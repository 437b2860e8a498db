"""A model's parts applied to symbolic vectors: what the step case of an induction is computed with.

A symbolic vector maps coordinate names to sympy expressions (one-hot coordinates as exact numbers,
continuous ones as expressions in symbols with stated ranges). Linear maps, attention scores and
residual connections apply exactly as the interpreter applies them, in sympy rationals. Two places
need more than arithmetic:

- an **attention head** attends to positions the symbolic vector does not hold. Its output is taken
  from a :class:`Selection` — the sum of the value-map inputs over the key positions the head selects,
  and their number — that the construction states and proves with selection lemmas of its own;
- a **feed-forward block** needs a case split: the activation of each hidden unit is resolved only
  by a **proved sign** of its argument (:func:`feed_forward`): a closed number is evaluated, an
  expression goes to the core (the vertex check on a bounded box, else the rational-sign certificate).

:func:`check_family` turns a finite family of such computations into one obligation's check: every
case's computed vector must equal the expected one coordinate by coordinate, each an identity of the
core. Nothing here is sampled or simplified numerically, and nothing here knows a construction.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction

import sympy

from turing_tx.engine.linear import LinearMap
from turing_tx.engine.model import Attention, FeedForward, Head, Residual
from turing_tx.engine.positional import PositionalEncoding
from turing_tx.engine.proofs.core import (
    Outcome,
    ProofError,
    Variable,
    check_affine_on_box,
    check_identity,
    check_rational_sign,
)

SymbolicVector = Mapping[str, sympy.Expr]
ZERO, ONE = sympy.Integer(0), sympy.Integer(1)


def rational(value: Fraction | int) -> sympy.Rational:
    """An exact weight as a sympy Rational."""
    value = Fraction(value)
    return sympy.Rational(value.numerator, value.denominator)


def _clean(vector: Mapping[str, sympy.Expr]) -> dict[str, sympy.Expr]:
    expanded = {name: sympy.expand(value) for name, value in vector.items()}
    return {name: value for name, value in expanded.items() if value != 0}


def apply(lmap: LinearMap, vector: SymbolicVector) -> dict[str, sympy.Expr]:
    """``M @ vector``: Σ_i vector[i]·M[i][o] for every output o (terms that cancel are dropped)."""
    out: dict[str, sympy.Expr] = {}
    for source, value in vector.items():
        for target, weight in lmap.entries.get(source, {}).items():
            out[target] = out.get(target, ZERO) + value * rational(weight)
    return _clean(out)


def add(*vectors: SymbolicVector) -> dict[str, sympy.Expr]:
    """The coordinate-wise sum."""
    out: dict[str, sympy.Expr] = {}
    for vector in vectors:
        for name, value in vector.items():
            out[name] = out.get(name, ZERO) + value
    return _clean(out)


def scale(vector: SymbolicVector, factor: sympy.Expr) -> dict[str, sympy.Expr]:
    return _clean({name: value * factor for name, value in vector.items()})


def dot(left: SymbolicVector, right: SymbolicVector) -> sympy.Expr:
    return sympy.expand(sum((left[name] * right[name] for name in left.keys() & right.keys()), ZERO))


def score(head: Head, query_input: SymbolicVector, key_input: SymbolicVector) -> sympy.Expr:
    """The head's raw score ⟨Q·x, K·y⟩ (``dot``); for ``negabs`` the interpreter scores −|⟨Q·x, K·y⟩|, and
    this returns the inner product itself, whose sign a selection lemma must then settle."""
    return dot(apply(head.query, query_input), apply(head.key, key_input))


def generic_vector(names: Iterable[str], prefix: str) -> dict[str, sympy.Symbol]:
    """A vector whose every coordinate is its own real symbol (``<prefix>[name]``): what a statement
    "for every input" is stated about."""
    return {name: sympy.Symbol(f"{prefix}[{name}]", real=True) for name in sorted(names)}


#: each positional feature as a function of the symbolic 1-based index i (see engine.positional)
FEATURES = {"1": lambda i: ONE, "i": lambda i: i, "1/i": lambda i: 1 / i, "1/i^2": lambda i: 1 / i ** 2}


def positional(encoding: PositionalEncoding | None, i: sympy.Expr) -> dict[str, sympy.Expr]:
    """The model's positional encoding at the symbolic 1-based index ``i`` (nothing without one)."""
    if encoding is None:
        return {}
    return {coord: FEATURES[feature](i) for coord, feature in encoding.features.items()}


def residual_start(residual: Residual, x: SymbolicVector) -> dict[str, sympy.Expr]:
    """What a sublayer adds its block's output to: ω·x, or nothing when the residual is removed."""
    if not residual.enabled:
        return {}
    return scale(x, rational(residual.scale))


@dataclass(frozen=True)
class Selection:
    """What a hardmax head averages at the position in question, as its construction claims (and
    proves with selection lemmas): the **sum of the sublayer inputs** of the key positions it
    selects (only the coordinates its value map reads matter) and **how many** there are."""

    total: SymbolicVector
    count: sympy.Expr = ONE


def attention_sublayer(sublayer: Attention, x: SymbolicVector,
                       selections: Mapping[str, Selection]) -> dict[str, sympy.Expr]:
    """The sublayer's output at a position whose input is ``x``: the residual plus, for every head
    with a non-zero value map, V(total)/count of its :class:`Selection` (inert heads add nothing,
    as in the interpreter). A head without a stated selection is a :class:`ProofError`."""
    parts = [residual_start(sublayer.residual, x)]
    for head in sublayer.heads:
        if head.is_inert:
            continue
        if head.name not in selections:
            raise ProofError(f"{head.name}: no selection is stated for this head")
        chosen = selections[head.name]
        parts.append(scale(apply(head.value, chosen.total), 1 / sympy.sympify(chosen.count)))
    return add(*parts)


@dataclass(frozen=True)
class SignLemma:
    """How a hidden unit's activation was resolved: its argument lies in ``region`` (``"≤ 0"``,
    ``"≥ 0"``; for σ also ``"in [0, 1]"`` or ``"≥ 1"``) on the case's ranges, proved by ``outcome``."""

    unit: str
    argument: sympy.Expr
    region: str
    outcome: Outcome


def affine_terms(expr: sympy.Expr, variables: Sequence[Variable]) -> dict[Variable | None, Fraction] | None:
    """The coefficient of each variable in ``expr`` (expanded), its constant under None; None when
    ``expr`` is not affine in the variables."""
    by_symbol = {v.symbol: v for v in variables}
    terms: dict[Variable | None, Fraction] = {}
    for term, coefficient in sympy.expand(expr).as_coefficients_dict().items():
        if not coefficient.is_Rational or not (term == 1 or term in by_symbol):
            return None
        terms[None if term == 1 else by_symbol[term]] = Fraction(int(coefficient.p), int(coefficient.q))
    return terms


def affine_range(expr: sympy.Expr, variables: Sequence[Variable]) -> tuple[Fraction | None, Fraction | None] | None:
    """The exact minimum and maximum (None: unbounded) of an affine ``expr`` over the variables' box
    (each end at the end of every variable's range its coefficient's sign picks), or None when ``expr``
    is not affine in them."""
    terms = affine_terms(expr, variables)
    if terms is None:
        return None
    low: Fraction | None = terms.pop(None, Fraction(0))
    high: Fraction | None = low
    for v, weight in terms.items():
        ends = (v.low, v.high) if weight > 0 else (v.high, v.low)  # type: ignore[union-attr]
        low = None if low is None or ends[0] is None else low + weight * ends[0]
        high = None if high is None or ends[1] is None else high + weight * ends[1]
    return low, high


#: an affine argument in at most this many bounded variables is checked at every vertex of their box
#: (2^n values a reader can go through); beyond, by the shift certificate of the reflected expression
VERTEX_CHECK_VARIABLES = 8


def _reflected(expr: sympy.Expr, terms: Mapping[Variable | None, Fraction]) -> sympy.Expr:
    """An affine ``expr`` with every bounded variable of negative coefficient written as low + high − x
    (the same range), so that its minimum lies at the lower corner where the shift certificate looks."""
    swap = {v.symbol: rational(v.low) + rational(v.high) - v.symbol for v, weight in terms.items()
            if v is not None and weight < 0 and v.low is not None and v.high is not None}
    return sympy.expand(expr.subs(swap, simultaneous=True)) if swap else expr


def prove_nonnegative(expr: sympy.Expr, variables: Sequence[Variable]) -> Outcome:
    """``expr ≥ 0`` on the variables' ranges. A closed number is evaluated. An affine expression is
    decided by its exact range: below 0 it is refuted (at the minimising corner, when that is finite),
    else proved by the vertex check (few variables, all bounded) or by the rational-sign certificate of
    the expression reflected to its lower corner. Anything else goes to the rational-sign certificate.
    The same argument recurs in many cases of a split, so each (argument, ranges) is decided once."""
    expr = sympy.expand(expr)
    free = expr.free_symbols
    used = tuple(v for v in variables if v.symbol in free)
    missing = free - {v.symbol for v in used}
    if missing:
        raise ProofError(f"symbols without a stated range: {', '.join(sorted(map(str, missing)))}")
    return _prove_nonnegative_once(expr, used)


@functools.lru_cache(maxsize=8192)
def _prove_nonnegative_once(expr: sympy.Expr, used: tuple[Variable, ...]) -> Outcome:
    if not used:
        value = _closed_value("the argument", expr)
        return Outcome("proved" if value >= 0 else "refuted", "evaluation", {"value": str(value)},
                       None if value >= 0 else {})
    terms = affine_terms(expr, used)
    if terms is None:
        return check_rational_sign(expr, used, strict=False)
    lowest = affine_range(expr, used)[0]  # type: ignore[index]
    if lowest is None or lowest < 0:
        corner = None if lowest is None else {v.name: (v.low if weight > 0 else v.high)
                                               for v, weight in terms.items() if v is not None}
        return Outcome("refuted" if corner is not None else "unproved", "affine range",
                       {"minimum": "-oo" if lowest is None else str(lowest)}, corner)
    if len(used) <= VERTEX_CHECK_VARIABLES and all(v.low is not None and v.high is not None for v in used):
        return check_affine_on_box(expr, used, strict=False)
    return check_rational_sign(_reflected(expr, terms), used, strict=False)


def _closed_value(unit: str, argument: sympy.Expr) -> Fraction:
    if not argument.is_Rational:
        raise ProofError(f"{unit}: argument {argument} is not an exact rational")
    return Fraction(int(argument.p), int(argument.q))


def resolve_activation(unit: str, argument: sympy.Expr, activation: str,
                       variables: Sequence[Variable]) -> tuple[sympy.Expr, SignLemma]:
    """The unit's value ReLU(argument) or σ(argument) = min(max(argument, 0), 1), with the lemma
    that places the argument in one piece of the activation. An argument that crosses a breakpoint
    on the ranges is a :class:`ProofError` naming a point on each side."""
    if not argument.free_symbols:
        value = _closed_value(unit, argument)
        clipped = _activate(value, activation)
        region = "≤ 0" if value <= 0 else ("≥ 1" if activation == "sigma" and value >= 1 else "≥ 0")
        return rational(clipped), SignLemma(unit, argument, region,
                                            Outcome("proved", "evaluation", {"value": str(value)}))
    pieces: list[tuple[str, sympy.Expr, sympy.Expr]] = [("≤ 0", -argument, ZERO)]
    if activation == "relu":
        pieces.append(("≥ 0", argument, argument))
    else:
        pieces.append(("≥ 1", argument - 1, ONE))
    tried = []
    for region, nonnegative, value in pieces:
        outcome = prove_nonnegative(nonnegative, variables)
        if outcome.proved:
            return value, SignLemma(unit, argument, region, outcome)
        tried.append(outcome)
    if activation == "sigma":
        low, high = prove_nonnegative(argument, variables), prove_nonnegative(1 - argument, variables)
        if low.proved and high.proved:
            return argument, SignLemma(unit, argument, "in [0, 1]", Outcome(
                "proved", "two bounds", {"≥ 0": low.certificate, "≤ 1": high.certificate}))
    witnesses = [o.counterexample for o in tried if o.counterexample]
    raise ProofError(f"{unit}: the argument {argument} is not on one side of the activation's breakpoints"
                     + (f" (it crosses them: e.g. at {witnesses[0]} and {witnesses[-1]})" if witnesses else ""))


def _activate(value: Fraction, activation: str) -> Fraction:
    return max(value, Fraction(0)) if activation == "relu" else min(max(value, Fraction(0)), Fraction(1))


class _BiasOnly:
    """What a block's hidden units contribute when nothing in the vector reaches them: act(b1[u]) each,
    a closed number. Most units of a transition table are untouched in any one case, so this part is
    computed once per block (the touched units are then resolved one by one, and the constant part
    corrected for them)."""

    _cache: dict[int, tuple[FeedForward, _BiasOnly]] = {}

    def __init__(self, ffn: FeedForward) -> None:
        self.values = {u: _activate(Fraction(ffn.b1.get(u, 0)), ffn.activation) for u in ffn.hidden}
        total: dict[str, Fraction] = dict(ffn.b2)
        for unit, value in self.values.items():
            for target, weight in ffn.w2.entries.get(unit, {}).items() if value else ():
                total[target] = total.get(target, Fraction(0)) + weight * value
        self.output = total

    @classmethod
    def of(cls, ffn: FeedForward) -> _BiasOnly:
        cached = cls._cache.get(id(ffn))
        if cached is None or cached[0] is not ffn:
            cached = (ffn, cls(ffn))
            cls._cache[id(ffn)] = cached
        return cached[1]


def feed_forward(ffn: FeedForward, vector: SymbolicVector,
                 variables: Sequence[Variable]) -> tuple[dict[str, sympy.Expr], list[SignLemma]]:
    """The block's output ``W2 · act(W1 · x + b1) + b2`` (residual not added) on ``vector``, with the
    lemma that resolved each hidden unit the vector reaches (ReLU, or σ = clip to [0, 1]); a unit
    the vector does not reach is act(b1), evaluated exactly."""
    base = _BiasOnly.of(ffn)
    pre = apply(ffn.w1, vector)
    correction: dict[str, Fraction] = {}
    hidden: dict[str, sympy.Expr] = {}
    lemmas = []
    for unit, value in pre.items():
        argument = sympy.expand(value + rational(ffn.b1.get(unit, 0)))
        activated, lemma = resolve_activation(f"{ffn.name}.{unit}", argument, ffn.activation, variables)
        lemmas.append(lemma)
        if activated != 0:
            hidden[unit] = activated
        constant = base.values[unit]
        for target, weight in ffn.w2.entries.get(unit, {}).items() if constant else ():
            correction[target] = correction.get(target, Fraction(0)) - weight * constant
    constants = {name: rational(v) for name, v in _sum_fractions(base.output, correction).items() if v}
    return add(apply(ffn.w2, hidden), constants), lemmas


def _sum_fractions(left: Mapping[str, Fraction], right: Mapping[str, Fraction]) -> dict[str, Fraction]:
    out = dict(left)
    for name, value in right.items():
        out[name] = out.get(name, Fraction(0)) + value
    return out


def ffn_sublayer(ffn: FeedForward, x: SymbolicVector,
                 variables: Sequence[Variable]) -> tuple[dict[str, sympy.Expr], list[SignLemma]]:
    """The residual plus the block's output, with the block's sign lemmas."""
    out, lemmas = feed_forward(ffn, x, variables)
    return add(residual_start(ffn.residual, x), out), lemmas


def sublayer(part: Attention | FeedForward, x: SymbolicVector, selections: Mapping[str, Selection],
             variables: Sequence[Variable]) -> tuple[dict[str, sympy.Expr], list[SignLemma]]:
    """One sublayer of a layer (attention with the stated selections, or a feed-forward block)."""
    if isinstance(part, FeedForward):
        return ffn_sublayer(part, x, variables)
    return attention_sublayer(part, x, selections), []


# -- a family of computed vectors, checked against their expected values --------------------------------

@dataclass(frozen=True)
class FamilyCase:
    """One case of a finite split: ``compute()`` returns the vector a part of the model produces in
    this case and the vector the construction states it must be, over ``variables``."""

    label: str
    variables: tuple[Variable, ...]
    compute: Callable[[], tuple[SymbolicVector, SymbolicVector]]


def check_vector(computed: SymbolicVector, expected: SymbolicVector, variables: Sequence[Variable]) -> Outcome:
    """Every coordinate of ``computed`` equals that of ``expected`` (absent = 0), each an identity of
    the core; the first coordinate that differs is refuted with its counterexample."""
    identities = 0
    for name in sorted(computed.keys() | expected.keys()):
        outcome = check_identity(computed.get(name, ZERO), expected.get(name, ZERO), variables)
        identities += 1
        if not outcome.proved:
            return Outcome(outcome.status, "identity per coordinate", {"coordinate": name, **outcome.certificate},
                           {"coordinate": name, "network": str(computed.get(name, ZERO)),
                            "stated": str(expected.get(name, ZERO)), **(outcome.counterexample or {})})
    return Outcome("proved", "identity per coordinate", {"coordinates": identities})


def check_family(cases: Iterable[FamilyCase]) -> Outcome:
    """Every case's computed vector equals its expected one (:func:`check_vector`); the sign lemmas
    each computation needed are counted in the certificate. The first failing case is reported with
    its label; a case whose activations cannot be resolved is unproved, with the reason."""
    count = identities = 0
    for case in cases:
        count += 1
        try:
            computed, expected = case.compute()
        except ProofError as exc:
            return Outcome("unproved", "case split", {"cases": count, "reason": str(exc)}, {"case": case.label})
        outcome = check_vector(computed, expected, case.variables)
        if not outcome.proved:
            return Outcome(outcome.status, "case split", {"cases": count, **outcome.certificate},
                           {"case": case.label, **(outcome.counterexample or {})})
        identities += int(outcome.certificate["coordinates"])  # type: ignore[call-overload]
    return Outcome("proved", "case split", {"cases": count, "identities": identities})
