"""Proof obligations of the Pérez construction's last-write head, read from a compiled model's weights.

Layer 3's self-attention (``dec2.self_attn.head0``, score −|⟨q,k⟩|) must land on the latest position
that wrote the head's cell, or on the seed position 0 when the cell was never written (see
docs/constructions/perez.md, "The layers"). The obligations below state that for **every** query
position p, every earlier position j and every pair of cells, with the query and key vectors the
output invariant promises at layer 3's input:

- query at p ≥ 1: ``c:r`` = c/(p+1), ``pos:1/i`` = 1/(p+1), ``pos:1/i^2`` = 1/(p+1)², ``pos:1`` = 1,
  ``pos:i`` = p+1, where c ≥ 0 is the head's folded cell;
- key at 1 ≤ j ≤ p: ``c:w`` = w/(j+1) (w ≥ 0 the folded cell step j wrote), the positional features
  of j; key at 0 (the seed): ``bos`` = 1, ``c:w`` = 0 and the positional features of 0.

The scores are computed from the head's actual query and key maps (not from the paper's formula), so
an edited or ablated model states — and fails — its own lemmas. A first obligation checks that the
query and key read nothing else. Ranges are made independent for the core's certificates by writing
p = j + d, j = j′ + 1 + e (an earlier write j′), w = c + g or c = w + g (another cell), with d, e ≥ 0
and g ≥ 1.
"""

from __future__ import annotations

from collections.abc import Callable

import sympy

from turing_tx.engine.model import Head, Model
from turing_tx.engine.proofs.core import Case, Outcome, Variable, check_cases, check_rational_sign, integer
from turing_tx.engine.proofs.obligations import Obligation
from turing_tx.engine.proofs.symbolic import score

HEAD = "dec2.self_attn.head0"
GROUP = "dec2.self_attn (last write)"
#: what the lemmas' query and key vectors describe; the head must read nothing else
READS = frozenset({"c:r", "c:w", "bos", "pos:1", "pos:i", "pos:1/i", "pos:1/i^2"})


def _head(model: Model) -> Head:
    return next(head for head in model.heads() if head.name == HEAD)


def _position(i: sympy.Expr) -> dict[str, sympy.Expr]:
    """The positional features at position i − 1 (i = position + 1)."""
    return {"pos:1": sympy.Integer(1), "pos:i": i, "pos:1/i": 1 / i, "pos:1/i^2": 1 / i ** 2}


def _query(p: sympy.Expr, cell: sympy.Expr) -> dict[str, sympy.Expr]:
    return {"c:r": cell / (p + 1), **_position(p + 1)}


def _key(j: sympy.Expr, cell: sympy.Expr) -> dict[str, sympy.Expr]:
    return {"c:w": cell / (j + 1), **_position(j + 1)}


SEED_KEY = {"bos": sympy.Integer(1), **_position(sympy.Integer(1))}


def _positive(name: str, statement: sympy.Expr, variables: tuple[Variable, ...], why: str) -> Obligation:
    """``statement > 0`` over ``variables``, discharged by the rational-sign certificate."""
    check: Callable[[], Outcome] = lambda: check_rational_sign(statement, variables, strict=True)  # noqa: E731
    return Obligation(name, GROUP, sympy.StrictGreaterThan(statement, 0), variables, check, why)


def _reads_only_positions_and_cells(head: Head) -> Obligation:
    stray = sorted((head.query.inputs() | head.key.inputs()) - READS)
    cases = [Case(f"{HEAD} reads {name}", 1, 0) for name in stray] or [Case(f"{HEAD} reads {sorted(READS)}", 0, 0)]
    return Obligation("the head reads only the head cell, the written cell, bos and positions", GROUP,
                      sympy.Eq(sympy.Integer(len(stray)), 0), (), lambda: check_cases(cases),
                      "the lemmas describe exactly these coordinates of the query and key positions")


def last_write_obligations(model: Model) -> list[Obligation]:
    """The selection lemmas of the last-write head of ``model`` (see the module docstring)."""
    head = _head(model)
    j0, e, d, c, w, g = (integer("j", low=1), integer("e", low=0), integer("d", low=0),
                         integer("c", low=0), integer("w", low=0), integer("g", low=1))
    j, p = j0.symbol + 1 + e.symbol, j0.symbol + 1 + e.symbol + d.symbol  # j′ < j ≤ p
    latest = score(head, _query(p, c.symbol), _key(j, c.symbol))
    earlier = score(head, _query(p, c.symbol), _key(j0.symbol, c.symbol))
    seed = score(head, _query(p, c.symbol), SEED_KEY)
    right_of_head = score(head, _query(p, c.symbol), _key(j, c.symbol + g.symbol))
    left_of_head = score(head, _query(p, w.symbol + g.symbol), _key(j, w.symbol))
    return [
        _reads_only_positions_and_cells(head),
        _positive("a write to the head's cell has ⟨q,k⟩ > 0", latest, (j0, e, d, c),
                  "so its score −|⟨q,k⟩| is −⟨q,k⟩"),
        _positive("the seed has ⟨q,k⟩ > 0", seed, (j0, e, d, c), "so its score is −⟨q,k⟩"),
        _positive("the latest write to the head's cell beats an earlier one", earlier - latest,
                  (j0, e, d, c), "⟨q,k⟩ of the later write is smaller, its score −⟨q,k⟩ larger"),
        _positive("a write to the head's cell beats the seed", seed - latest, (j0, e, d, c),
                  "a written cell is read from its last write, not as a fresh cell"),
        _positive("a write right of the head has ⟨q,k⟩ < 0", -right_of_head, (j0, e, d, c, g),
                  "so its score −|⟨q,k⟩| is ⟨q,k⟩"),
        _positive("the seed beats a write right of the head", -right_of_head - seed, (j0, e, d, c, g),
                  "a write to another cell never wins over the seed"),
        _positive("a write left of the head has ⟨q,k⟩ > 0", left_of_head, (j0, e, d, w, g),
                  "so its score −|⟨q,k⟩| is −⟨q,k⟩"),
        _positive("the seed beats a write left of the head",
                  left_of_head - score(head, _query(p, w.symbol + g.symbol), SEED_KEY), (j0, e, d, w, g),
                  "a write to another cell never wins over the seed"),
    ]
