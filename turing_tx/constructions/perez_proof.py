"""The Pérez construction's correctness, as proof obligations read from a model's own weights.

**Invariant** (docs/constructions/perez.md, "The residual stream"): the decoder output at position p
is configuration p of the folded machine, ``o_p = {state:q_p: 1, sym:s_p: 1, wr:w_{p−1}: 1,
move: m_{p−1}, c:r: c_p/(p+1)}`` and 0 elsewhere, where c_p is the folded head and s_p the symbol on
it: the last write to c_p, else the encoder's token u_{min(c_p, N−1)}.

**Induction on p.** The base case is position 0 for every first input token. The step case takes the
invariant at position p−1 (and, for attention, at every earlier position) to position p, one part of
the model at a time; each part's statement is computed from the part's actual weights by
:mod:`turing_tx.engine.proofs.symbolic`, so an edited or ablated model states — and fails — its own
lemmas:

1. the encoder passes each token's embedding ``inp:a`` and its position through;
2. layer 1 (``dec0``): its attention adds nothing, and its FFN maps (q, s) to δ'(q, s) — the next
   state, ``wr:`` of the written symbol, ``mv:next`` = the move — for every live state, symbol read and
   previous write (a finite case split; each ReLU resolved by a proved sign);
3. layer 2 (``dec1``): the head's scores are identically 0, so hardmax averages every position 0..p,
   and its value map reads only ``move`` and ``mv:next``, whose sums over 0..p are c_{p−1} and c_p
   (the moves telescope to the head) — the output gains ``c:w`` = c_{p−1}/(p+1) and ``c:r`` = c_p/(p+1);
4. layer 3's self-attention (``dec2.self_attn``) selects the latest position that wrote c_p, else the
   seed position 0 (nine selection lemmas over every position and cell pair), and its value turns that
   write into ``sym:`` (or the seed into ``fresh``);
5. layer 3's cross-attention (``dec2.cross_attn``) selects encoder cell min(c_p, N−1) for every input
   length N (five lemmas), and its value copies the token ``inp:``;
6. layer 3's FFN keeps the written symbol, or takes the input token when the cell is fresh, and clears
   every scratch coordinate — for every source, token and pair of moves;

and one obligation composes them. Ranges are made independent for the core's certificates by writing
p = j + d, j = j′ + 1 + e, w = c ± g, N = 1 + f + g and so on, with the new variables ≥ 0 (or ≥ 1).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Mapping, Sequence

import sympy

from turing_tx.engine.model import HARDMAX, Attention, FeedForward, Head, Layer, Model
from turing_tx.engine.patterns import ALL, CAUSAL, Pattern
from turing_tx.engine.proofs.core import (
    Case,
    Outcome,
    ProofError,
    Variable,
    check_cases,
    check_identity,
    check_rational_sign,
    integer,
    real,
)
from turing_tx.engine.proofs.obligations import Obligation, by_induction
from turing_tx.engine.proofs.symbolic import (
    ONE,
    FamilyCase,
    Selection,
    SymbolicVector,
    add,
    check_family,
    generic_vector,
    positional,
    score,
    sublayer,
)
from turing_tx.machines.folding import FoldedMachine

LAST_WRITE, POSITION, INPUT = "dec2.self_attn.head0", "dec1.self_attn.head0", "dec2.cross_attn.head0"
GROUP = "dec2.self_attn (last write)"
#: what the last-write lemmas' query and key vectors describe; the head must read nothing else
READS = frozenset({"c:r", "c:w", "bos", "pos:1", "pos:i", "pos:1/i", "pos:1/i^2"})
POSITIONAL = ("pos:1", "pos:i", "pos:1/i", "pos:1/i^2")


# -- the parts, looked up when a check runs (a model without one fails that check) --------------------

def _layer(model: Model, name: str) -> Layer:
    for layer in model.decoder + model.encoder:
        if layer.name == name:
            return layer
    raise ProofError(f"the model has no layer {name!r}")


def _head(model: Model, name: str) -> Head:
    for head in model.heads():
        if head.name == name:
            return head
    raise ProofError(f"the model has no head {name!r}")


class _Positions:
    """The model's own positional encoding at position i − 1 (i = position + 1): what its queries and
    keys are computed from (a model without one states its lemmas without it, and fails them)."""

    def __init__(self, model: Model) -> None:
        self.encoding = model.positional_encoding

    def __call__(self, i: sympy.Expr) -> dict[str, sympy.Expr]:
        return positional(self.encoding, i)


def _one_hot(prefix: str, name: str | None) -> dict[str, sympy.Expr]:
    return {} if name is None else {f"{prefix}:{name}": ONE}


# -- what the heads read, how they normalise and mask -----------------------------------------------

def _head_shape(model: Model, name: str, reads: frozenset[str], value_reads: Callable[[str], bool],
                pattern: Pattern, score_kind: str | None) -> Outcome:
    """A finite check: the head exists, reads only ``reads`` in its query and key and only what
    ``value_reads`` accepts in its value, uses hardmax, the mask ``pattern`` and the score kind."""
    head = _head(model, name)
    cases = [Case(f"{name} reads {c}", 1, 0) for c in sorted((head.query.inputs() | head.key.inputs()) - reads)]
    cases += [Case(f"{name}'s value reads {c}", 1, 0) for c in sorted(head.value.inputs()) if not value_reads(c)]
    cases.append(Case(f"{name} normalises with hardmax", int(head.normalizer == HARDMAX), 1))
    cases.append(Case(f"{name} has the mask {pattern.label()}", int(head.pattern == pattern), 1))
    if score_kind is not None:
        cases.append(Case(f"{name} scores with {score_kind}", int(head.score == score_kind), 1))
    return check_cases(cases)


def _shape(model: Model, name: str, group: str, reads: Iterable[str], value_reads: Callable[[str], bool],
           pattern: Pattern, score_kind: str | None, why: str) -> Obligation:
    statement = sympy.Eq(sympy.Symbol(f"stray reads of {name}"), 0)
    return Obligation(f"{name}: what it reads, its mask and normaliser", group, statement, (),
                      lambda: _head_shape(model, name, frozenset(reads), value_reads, pattern, score_kind), why)


# -- selection lemmas: the last-write head -------------------------------------------------------------

def _query(position: _Positions, p: sympy.Expr, cell: sympy.Expr) -> dict[str, sympy.Expr]:
    return {"c:r": cell / (p + 1), **position(p + 1)}


def _key(position: _Positions, j: sympy.Expr, cell: sympy.Expr) -> dict[str, sympy.Expr]:
    return {"c:w": cell / (j + 1), **position(j + 1)}


def _seed_key(position: _Positions) -> dict[str, sympy.Expr]:
    return {"bos": ONE, **position(ONE)}


def _reach_position(*names: str, plus: int = 0) -> Callable[[Mapping[str, object]], int | None]:
    """A counterexample's position: the sum of the named values (+ ``plus``), the steps to reach it."""
    def reach(values: Mapping[str, object]) -> int | None:
        if not all(n in values for n in names):
            return None
        return int(sum(int(values[n]) for n in names)) + plus  # type: ignore[call-overload]
    return reach


class _Scores:
    """⟨q,k⟩ of a head between symbolic query and key vectors, computed from the head's weights on
    first use (so a model without the head fails the check that needs it, not the statement)."""

    def __init__(self, model: Model, name: str) -> None:
        self.model, self.name = model, name

    def __call__(self, query: SymbolicVector, key: SymbolicVector) -> sympy.Expr:
        return score(_head(self.model, self.name), query, key)


@functools.lru_cache(maxsize=256)
def _factored(expression: sympy.Expr) -> sympy.Expr:
    """The statement as the report shows it, factored (the same heads recur in every compiled model)."""
    return sympy.factor(expression)


def _positive_scores(name: str, group: str, compute: Callable[[], sympy.Expr], variables: tuple[Variable, ...],
                     why: str, reach: Callable[[Mapping[str, object]], int | None], strict: bool = True,
                     ) -> Obligation:
    """``compute() > 0`` (``≥ 0``), the scores computed from the head's weights; the statement shows
    the expression itself (or, for a model without the head, the obligation's name, and the check
    then fails with the reason)."""
    relation = sympy.StrictGreaterThan if strict else sympy.GreaterThan
    try:
        expression = _factored(compute())
    except ProofError:
        expression = sympy.Symbol(name)
    return Obligation(name, group, relation(expression, 0), variables,
                      lambda: check_rational_sign(compute(), variables, strict=strict), why, reach)


def last_write_obligations(model: Model) -> list[Obligation]:
    """The selection lemmas of the last-write head: for every query position p ≥ 1, earlier positions
    j′ < j ≤ p and cells, the latest write to the head's cell c wins over earlier writes, over the
    seed, and the seed wins over writes to other cells (whose ⟨q,k⟩ signs are settled first)."""
    at, position = _Scores(model, LAST_WRITE), _Positions(model)
    j0, e, d, c, w, g = (integer("j", low=1), integer("e", low=0), integer("d", low=0),
                         integer("c", low=0), integer("w", low=0), integer("g", low=1))
    j, p = j0.symbol + 1 + e.symbol, j0.symbol + 1 + e.symbol + d.symbol  # j′ < j ≤ p
    reach = _reach_position("j", "e", "d", plus=1)
    q_here, q_left = _query(position, p, c.symbol), _query(position, p, w.symbol + g.symbol)
    latest = lambda: at(q_here, _key(position, j, c.symbol))  # noqa: E731
    earlier = lambda: at(q_here, _key(position, j0.symbol, c.symbol))  # noqa: E731
    seed = lambda: at(q_here, _seed_key(position))  # noqa: E731
    right = lambda: at(q_here, _key(position, j, c.symbol + g.symbol))  # noqa: E731
    left = lambda: at(q_left, _key(position, j, w.symbol))  # noqa: E731
    left_seed = lambda: at(q_left, _seed_key(position))  # noqa: E731
    near, far = (j0, e, d, c), (j0, e, d, c, g)
    return [
        _shape(model, LAST_WRITE, GROUP, READS, lambda c_: c_.startswith("wr:") or c_ == "bos", CAUSAL, "negabs",
               "the lemmas below describe exactly these coordinates; the value turns a write into sym:, the "
               "seed into fresh"),
        _positive_scores("a write to the head's cell has ⟨q,k⟩ > 0", GROUP, latest, near,
                         "so its score −|⟨q,k⟩| is −⟨q,k⟩", reach),
        _positive_scores("the seed has ⟨q,k⟩ > 0", GROUP, seed, near, "so its score is −⟨q,k⟩", reach),
        _positive_scores("the latest write to the head's cell beats an earlier one", GROUP,
                         lambda: earlier() - latest(), near,
                         "⟨q,k⟩ of the later write is smaller, its score −⟨q,k⟩ larger", reach),
        _positive_scores("a write to the head's cell beats the seed", GROUP, lambda: seed() - latest(), near,
                         "a written cell is read from its last write, not as a fresh cell", reach),
        _positive_scores("a write right of the head has ⟨q,k⟩ < 0", GROUP, lambda: -right(), far,
                         "so its score −|⟨q,k⟩| is ⟨q,k⟩", reach),
        _positive_scores("the seed beats a write right of the head", GROUP, lambda: -right() - seed(), far,
                         "a write to another cell never wins over the seed", reach),
        _positive_scores("a write left of the head has ⟨q,k⟩ > 0", GROUP, left, (j0, e, d, w, g),
                         "so its score −|⟨q,k⟩| is −⟨q,k⟩", reach),
        _positive_scores("the seed beats a write left of the head", GROUP, lambda: left() - left_seed(),
                         (j0, e, d, w, g), "a write to another cell never wins over the seed", reach),
    ]


# -- selection lemmas: the input head ------------------------------------------------------------------

def input_obligations(model: Model) -> list[Obligation]:
    """The input head selects encoder cell min(C, N−1) for the head cell C ≥ 0, every input length
    N ≥ 1 and position p ≥ 0. Its score is −|⟨q,k⟩|, so a cell e beats a cell e′ exactly when
    ⟨q,k_e′⟩² − ⟨q,k_e⟩² > 0, a rational function: a cell right of the head loses to the cell under
    it, and a cell left of min(C, N−1) loses to it (h = C − (N−1) ≥ 0 past the end; h = 0 covers a
    head inside the input)."""
    group = "dec2.cross_attn (input cell)"
    at, position = _Scores(model, INPUT), _Positions(model)
    p, big_c, g, f, h = (integer("p", low=0), integer("C", low=0), integer("g", low=1),
                         integer("f", low=0), integer("h", low=0))

    def s(p_: sympy.Expr, cell: sympy.Expr, encoder_cell: sympy.Expr) -> sympy.Expr:
        return at(_query(position, p_, cell), position(encoder_cell + 1))

    def beats(head: sympy.Expr, winner: sympy.Expr, loser: sympy.Expr) -> sympy.Expr:
        return s(p.symbol, head, loser) ** 2 - s(p.symbol, head, winner) ** 2

    selected = f.symbol + g.symbol  # min(C, N − 1): a cell f ≥ 0 lies g ≥ 1 cells left of it
    return [
        _shape(model, INPUT, group, POSITIONAL + ("c:r",), lambda c_: c_.startswith("inp:"), ALL, "negabs",
               "the query reads the head and the position, the key only the encoder cell's position, the "
               "value only the token"),
        _positive_scores("the cell under the head beats every cell right of it", group,
                         lambda: beats(big_c.symbol, big_c.symbol, big_c.symbol + g.symbol), (p, big_c, g),
                         "a head inside the input reads its own cell, not a later one",
                         _reach_position("p", "C", "g")),
        _positive_scores("min(C, N−1) beats every cell left of it", group,
                         lambda: beats(selected + h.symbol, selected, f.symbol), (p, f, g, h),
                         "inside the input (h = 0) the head's own cell, past its end the pad cell N−1 (standing "
                         "for every blank cell beyond) wins", _reach_position("p", "f", "g", "h")),
    ]


# -- the parts as maps between stated vectors ---------------------------------------------------------------

def _through(model: Model, layer_name: str, parts: Sequence[str], x: SymbolicVector,
             selections: Mapping[str, Selection], variables: Sequence[Variable]) -> dict[str, sympy.Expr]:
    """``x`` through the named sublayers (``self_attn``, ``cross_attn``, ``ffn``) of one layer."""
    layer = _layer(model, layer_name)
    out = dict(x)
    for part_name in parts:
        part: Attention | FeedForward | None = getattr(layer, part_name)
        if part is None:
            raise ProofError(f"{layer_name} has no {part_name}")
        out, _ = sublayer(part, out, selections, variables)
    return out


def _family(name: str, group: str, cases: Callable[[], Iterable[FamilyCase]], why: str,
            reach: Callable[[Mapping[str, object]], int | None] | None = None) -> Obligation:
    statement = sympy.Eq(sympy.Symbol(f"{group} output") - sympy.Symbol("stated output"), 0)
    return Obligation(name, group, statement, (), lambda: check_family(cases()), why, reach)


def _generic(names: Iterable[str], prefix: str) -> tuple[dict[str, sympy.Expr], tuple[Variable, ...]]:
    """Coordinates carried through unread: one unbounded real symbol each."""
    vector = generic_vector(names, prefix)
    return dict(vector), tuple(real(s.name) for s in vector.values())


def _unit_box(names: Iterable[str], prefix: str) -> tuple[dict[str, sympy.Expr], tuple[Variable, ...]]:
    """A one-hot block the step only clears, stated for every value in [0, 1] per coordinate (a
    superset of the one-hot vectors): one case instead of one per symbol."""
    ordered = sorted(names)
    variables = tuple(real(f"{prefix}[{name}]", 0, 1) for name in ordered)
    return {name: v.symbol for name, v in zip(ordered, variables, strict=True)}, variables


#: the folded moves in pieces on which every ReLU of a move has one sign: none (position 1 has no
#: previous move), a step right (+1 or +2), a step left (−1 or −2)
MOVE_PIECES = {"none": (0, 0), "right": (1, 2), "left": (-2, -1)}


def _move(name: str, piece: str) -> tuple[sympy.Expr, tuple[Variable, ...]]:
    """A move in one piece: the number 0 for none, else an integer variable with the piece's bounds."""
    low, high = MOVE_PIECES[piece]
    if low == high:
        return sympy.Integer(low), ()
    variable = integer(name, low=low, high=high)
    return variable.symbol, (variable,)


def encoder_obligation(model: Model, folded: FoldedMachine) -> Obligation:
    """For every token a and encoder cell e ≥ 0: the encoder's output is {inp:a: 1} + PE(e)."""
    e, position = integer("e", low=0), _Positions(model)

    def cases() -> Iterable[FamilyCase]:
        for a in folded.symbols:
            def compute(a: str = a) -> tuple[SymbolicVector, SymbolicVector]:
                embedding = model.embedding.get(a)
                if embedding is None:
                    raise ProofError(f"token {a!r} has no embedding")
                x: dict[str, sympy.Expr] = add({k: sympy.Rational(v.numerator, v.denominator)
                                                for k, v in embedding.items()}, position(e.symbol + 1))
                for layer in model.encoder:
                    x = _through(model, layer.name, ("self_attn", "ffn"), x, {}, (e,))
                return x, {f"inp:{a}": ONE, **position(e.symbol + 1)}
            yield FamilyCase(f"token {a}", (e,), compute)

    return _family("the encoder passes every token and position through", "encoder", cases,
                   "the input head's keys and values are read from these vectors")


def transition_obligation(model: Model, folded: FoldedMachine) -> Obligation:
    """Layer 1 at p ≥ 1 on o_{p−1}: for every live state q and symbol s, the output is δ'(q, s) — next
    state, written symbol, move in ``mv:next`` — with ``move`` and the position kept and the previous
    write cleared (stated for every ``wr:`` block in [0, 1]^Σ', so one case covers every previous write)."""
    p, c, position = integer("p", low=1), integer("c", low=0), _Positions(model)
    carried, carried_variables = _generic(["move"], "x")
    previous, previous_variables = _unit_box((f"wr:{a}" for a in folded.symbols), "x")
    variables = (p, c, *carried_variables, *previous_variables)

    def cases() -> Iterable[FamilyCase]:
        for q in folded.live_states:
            for s in folded.symbols:
                def compute(q: str = q, s: str = s) -> tuple[SymbolicVector, SymbolicVector]:
                    t = folded.delta[(q, s)]
                    x = {**_one_hot("state", q), **_one_hot("sym", s), **previous, **carried,
                         "c:r": c.symbol / p.symbol, **position(p.symbol + 1)}
                    out = _through(model, "dec0", ("self_attn", "cross_attn", "ffn"), x, {}, variables)
                    stated = {**_one_hot("state", t.next_state), **_one_hot("wr", t.write), **carried,
                              "mv:next": sympy.Integer(t.move), **position(p.symbol + 1)}
                    return out, stated
                yield FamilyCase(f"state {q}, symbol {s}", variables, compute)

    return _family("layer 1 computes the transition for every state and symbol", "dec0 (transition)", cases,
                   "the decoder reads the next state, the written symbol and the move from these coordinates",
                   _reach_position("p"))


def position_obligations(model: Model) -> list[Obligation]:
    """Layer 2 at p ≥ 0: every score is 0 (so hardmax averages positions 0..p), and the average adds
    c:w = c/(p+1) and c:r = (c+m)/(p+1) given Σ move = c and Σ mv:next = c + m over 0..p."""
    group = "dec1 (head position)"
    p, c, m = integer("p", low=0), integer("c", low=0), integer("m", low=-2, high=2)
    query_input, query_variables = _generic(model.coords, "x")
    key_input, key_variables = _generic(model.coords, "y")
    x, x_variables = _generic(model.coords, "z")
    variables = (p, c, m, *x_variables)

    def ties() -> Outcome:
        return check_identity(score(_head(model, POSITION), query_input, key_input), 0,
                              (*query_variables, *key_variables))

    def cases() -> Iterable[FamilyCase]:
        def compute() -> tuple[SymbolicVector, SymbolicVector]:
            total = Selection({"move": c.symbol, "mv:next": c.symbol + m.symbol}, p.symbol + 1)
            out = _through(model, "dec1", ("self_attn", "cross_attn", "ffn"), x, {POSITION: total}, variables)
            return out, add(x, {"c:w": c.symbol / (p.symbol + 1), "c:r": (c.symbol + m.symbol) / (p.symbol + 1)})
        yield FamilyCase("every position p ≥ 0", variables, compute)

    return [
        _shape(model, POSITION, group, frozenset(model.coords), lambda c_: c_ in ("move", "mv:next"), CAUSAL, None,
               "the average's value is stated for these two coordinates, over the causal prefix"),
        Obligation("every position scores the same", group, sympy.Eq(sympy.Symbol("⟨Qx, Ky⟩"), 0),
                   (*query_variables, *key_variables), ties,
                   "⟨Qx, Ky⟩ = 0 for every x and y, so hardmax averages all of 0..p"),
        _family("layer 2 adds the scaled previous and current head", group, cases,
                "moves telescope: Σ_{j≤p} move_j = c_{p−1} and Σ_{j≤p} mv:next_j = c_p, so the average is "
                "c_{p−1}/(p+1) and c_p/(p+1)"),
    ]


def read_obligation(model: Model, folded: FoldedMachine) -> Obligation:
    """Layer 3 at p ≥ 1: for every source of the cell under the head — its last write b (with any
    ``inp:`` block in [0, 1]^Σ') or none (fresh, with the input token a at min(c_p, N−1)) — and every
    piece of the previous move m′ and the current move m, the output is o_p."""
    p, c, position = integer("p", low=1), integer("c", low=0), _Positions(model)
    carried, carried_variables = _generic([n for n in model.coords if n.startswith(("state:", "wr:"))], "x")
    tokens, token_variables = _unit_box((f"inp:{a}" for a in folded.symbols), "u")

    def cases() -> Iterable[FamilyCase]:
        for written in (*folded.symbols, None):
            for token in (None,) if written else folded.symbols:
                for before in MOVE_PIECES:
                    for now in ("right", "left"):
                        yield _read_case(written, token, before, now)

    def _read_case(written: str | None, token: str | None, before: str, now: str) -> FamilyCase:
        (previous, previous_variables), (move, move_variables) = _move("m0", before), _move("m", now)
        variables = (p, c, *previous_variables, *move_variables, *carried_variables,
                     *(token_variables if token is None else ()))

        def compute() -> tuple[SymbolicVector, SymbolicVector]:
            head = c.symbol + move
            x = {**carried, "move": previous, "mv:next": move, "c:w": c.symbol / (p.symbol + 1),
                 "c:r": head / (p.symbol + 1), **position(p.symbol + 1)}
            source = {"bos": ONE} if written is None else _one_hot("wr", written)
            fetched = tokens if token is None else _one_hot("inp", token)
            selections = {LAST_WRITE: Selection(source), INPUT: Selection(fetched)}
            out = _through(model, "dec2", ("self_attn", "cross_attn", "ffn"), x, selections, variables)
            stated = {**carried, **_one_hot("sym", written or token), "move": move,
                      "c:r": head / (p.symbol + 1)}
            return out, stated

        label = (f"cell last written with {written}" if written else f"fresh cell, input token {token}") + (
            f", previous move {before}, move {now}")
        return FamilyCase(label, variables, compute)

    return _family("layer 3 reads the cell under the head and cleans up", "dec2.ffn (symbol read)", cases,
                   "the written symbol when the cell was written, else the input token; every scratch coordinate "
                   "returns to 0", _reach_position("p"))


def base_obligation(model: Model, folded: FoldedMachine) -> Obligation:
    """Position 0 for every first token a*: layer 1 turns the seed into the start state, layer 2 keeps
    move and mv:next at 0, and the output is configuration 0 (head 0 reading a*)."""
    origin = {"bos": ONE, **_Positions(model)(ONE)}

    def cases() -> Iterable[FamilyCase]:
        for token in (s for s in folded.symbols if s.endswith("*")):
            def compute(token: str = token) -> tuple[SymbolicVector, SymbolicVector]:
                after_dec0 = _through(model, "dec0", ("self_attn", "cross_attn", "ffn"), origin, {}, ())
                stated_dec0 = {**origin, **_one_hot("state", folded.start)}
                if after_dec0 != stated_dec0:
                    return after_dec0, stated_dec0
                after_dec1 = _through(model, "dec1", ("self_attn", "cross_attn", "ffn"), after_dec0,
                                      {POSITION: Selection(after_dec0)}, ())
                if after_dec1 != stated_dec0:
                    return after_dec1, stated_dec0
                selections = {LAST_WRITE: Selection(after_dec1), INPUT: Selection(_one_hot("inp", token))}
                out = _through(model, "dec2", ("self_attn", "cross_attn", "ffn"), after_dec1, selections, ())
                return out, {**_one_hot("state", folded.start), **_one_hot("sym", token)}
            yield FamilyCase(f"first token {token}", (), compute)

    return _family("position 0 is the initial configuration for every first token", "induction (base case)",
                   cases, "the run starts in the start state at cell 0, reading the first input token",
                   lambda values: 0)


def obligations(model: Model, folded: FoldedMachine) -> list[Obligation]:
    """Every obligation of the Pérez construction for ``model`` as the network of ``folded``."""
    premises = [
        encoder_obligation(model, folded),
        base_obligation(model, folded),
        transition_obligation(model, folded),
        *position_obligations(model),
        *last_write_obligations(model),
        *input_obligations(model),
        read_obligation(model, folded),
    ]
    return by_induction(
        premises, "o_p is configuration p, for every position p and input word", "induction",
        "Base: position 0 is configuration 0 for every first token. Step: if o_0 … o_{p−1} are configurations "
        "0 … p−1, then layer 1 applies δ' to configuration p−1 (the transition lemma); layer 2's average "
        "turns the moves of o_0 … o_{p−1} and the new move into c_{p−1}/(p+1) and c_p/(p+1); layer 3's heads "
        "select the latest write to c_p (else the seed) and the token at min(c_p, N−1), which is the symbol "
        "on c_p of the tape the network represents; and layer 3's FFN turns them into o_p = configuration p.")
