"""A model's parts applied to symbolic vectors: what obligations are stated about.

A symbolic vector maps coordinate names to sympy expressions (one-hot coordinates as exact numbers,
continuous ones as expressions in symbols with stated ranges). Linear maps and attention scores apply
exactly as the interpreter would, in sympy rationals. A feed-forward block is where a proof needs a
case split: the activation of each hidden unit is resolved only by a **proved sign** of its argument —
a closed number is evaluated, and an expression is handed to the core's vertex check over the
variables' box, which becomes an obligation of its own (:func:`feed_forward`). Nothing here is
sampled or simplified numerically.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction

import sympy

from turing_tx.engine.linear import LinearMap
from turing_tx.engine.model import FeedForward, Head
from turing_tx.engine.proofs.core import Outcome, ProofError, Variable, check_affine_on_box

SymbolicVector = Mapping[str, sympy.Expr]


def rational(value: Fraction | int) -> sympy.Rational:
    """An exact weight as a sympy Rational."""
    value = Fraction(value)
    return sympy.Rational(value.numerator, value.denominator)


def apply(lmap: LinearMap, vector: SymbolicVector) -> dict[str, sympy.Expr]:
    """``M @ vector``: Σ_i vector[i]·M[i][o] for every output o (terms that cancel are dropped)."""
    out: dict[str, sympy.Expr] = {}
    for source, value in vector.items():
        for target, weight in lmap.entries.get(source, {}).items():
            out[target] = out.get(target, sympy.Integer(0)) + value * rational(weight)
    return {name: sympy.expand(v) for name, v in out.items() if sympy.expand(v) != 0}


def dot(left: SymbolicVector, right: SymbolicVector) -> sympy.Expr:
    return sympy.expand(sum((left[name] * right[name] for name in left.keys() & right.keys()), sympy.Integer(0)))


def score(head: Head, query_input: SymbolicVector, key_input: SymbolicVector) -> sympy.Expr:
    """The head's raw score ⟨Q·x, K·y⟩ (``dot``); for ``negabs`` the interpreter scores −|⟨Q·x, K·y⟩|, and
    this returns the inner product itself, whose sign a selection lemma must then settle."""
    return dot(apply(head.query, query_input), apply(head.key, key_input))


@dataclass(frozen=True)
class SignLemma:
    """A hidden unit's argument is ≥ 0 (the unit passes it) or ≤ 0 (the unit is 0) on the box."""

    unit: str
    argument: sympy.Expr
    nonnegative: bool
    outcome: Outcome


def _activation_sign(unit: str, argument: sympy.Expr, variables: Sequence[Variable]) -> SignLemma:
    """Which side of 0 the argument lies on, proved: a closed number directly, an expression by the
    vertex check (≥ 0 tried first, then ≤ 0); an argument that changes sign is a ProofError."""
    if not argument.free_symbols:
        value = Fraction(int(argument.p), int(argument.q)) if argument.is_Rational else None
        if value is None:
            raise ProofError(f"{unit}: argument {argument} is not an exact rational")
        return SignLemma(unit, argument, value >= 0, Outcome("proved", "evaluation", {"value": str(value)}))
    used = [v for v in variables if v.symbol in argument.free_symbols]
    upper = check_affine_on_box(argument, used, strict=False)
    if upper.proved:
        return SignLemma(unit, argument, True, upper)
    lower = check_affine_on_box(-argument, used, strict=False)
    if lower.proved:
        return SignLemma(unit, argument, False, lower)
    raise ProofError(f"{unit}: the argument {argument} changes sign on the box "
                     f"(e.g. at {upper.counterexample} it is negative, at {lower.counterexample} positive)")


def feed_forward(ffn: FeedForward, vector: SymbolicVector,
                 variables: Sequence[Variable]) -> tuple[dict[str, sympy.Expr], list[SignLemma]]:
    """The block's output ``W2 · ReLU(W1 · x + b1) + b2`` (residual not added) on ``vector``, with the
    sign lemma that resolved each hidden unit. Only ReLU blocks are read this way (σ-RNN units are
    stated by their constructions)."""
    if ffn.activation != "relu":
        raise ProofError(f"{ffn.name}: only ReLU blocks are resolved by sign lemmas")
    pre = apply(ffn.w1, vector)
    hidden: dict[str, sympy.Expr] = {}
    lemmas = []
    for unit in ffn.hidden:
        argument = sympy.expand(pre.get(unit, sympy.Integer(0)) + rational(ffn.b1.get(unit, 0)))
        lemma = _activation_sign(f"{ffn.name}.{unit}", argument, variables)
        lemmas.append(lemma)
        if lemma.nonnegative and argument != 0:
            hidden[unit] = argument
    out = apply(ffn.w2, hidden)
    for name, bias in ffn.b2.items():
        out[name] = sympy.expand(out.get(name, sympy.Integer(0)) + rational(bias))
    return {name: v for name, v in out.items() if v != 0}, lemmas
