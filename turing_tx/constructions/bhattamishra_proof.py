"""Proof obligations of the Bhattamishra–Patel–Goyal transformers (Theorems 1 and 2), read from a model's
weights, for every input word and every tick.

**The claim.** For every input word x_1 … x_m (m ≥ 1) and every tick t ≥ 1, the decoder output at
position t − 1 is the invariant o_t = {``h:j`` = h_t[j]} (Theorem 2: plus ``one`` = 1) and nothing
else, where h_t = σ(W_h h_{t−1} + W_x x_min(t,m) + b) is the RNN's state (so h_t ∈ [0, 1]^units).

**The induction** (decoder position p = t − 1; 1-based encoder positions i; see
docs/constructions/bhattamishra.md for the blocks):

- *Encoder*: the encoder output at position i holding token a is the stated
  enc(i, a) = {``x:a`` = 1} + positions(i) — positions(i) = (1, 1/i, 1/i²) for Theorem 1, (``one`` = 1,
  1/i) for Theorem 2, whose averaging head obtains 1/i from the start flag (tie and average lemmas).
- *Selection lemmas*: the cross-attention head, a hardmax over all encoder positions whose query
  and key read only positional coordinates, scores the position s(t, m) strictly above every other
  for all integers t, m ≥ 1: s = min(t, m) (Theorem 1), min(t + 1, m + 1) (Theorem 2, behind the
  start marker). Each is a rational-sign certificate after writing t, i, m through independent
  integers (t = j + d etc.).
- *Base case* (t = 1): the seed through the decoder, with the heads' stated selections, is o_1 for
  every first symbol (closed numbers: exact evaluation).
- *Step* (t ≥ 2): from o_{t−1} (h_{t−1} = η ∈ [0, 1]^units as symbols) the two attention sublayers,
  with the stated selections, deliver u_t = {``h:`` = η, ``x:a`` = 1} + positions(t), a = x_min(t,m).
- *Feed-forward lemmas*: on u_t the decoder FFN gives o_t: every hidden unit writing ``h:j`` either has
  a sign fixed on the ranges or has the pre-activation ζ_j + c (ζ_j = (W_h η + W_x x + b)_j read from
  the RNN, an identity in η); on each piece of ζ between the breakpoints the written value is σ(ζ)
  (an identity per piece); every other coordinate is cancelled (or set to ``one`` = 1).

Everything is computed from the model's own weights — heads' query/key/value maps, masks, FFN
W1/b1/W2/b2, residual flags and scales, embedding, seed and positional encoding — with
:mod:`turing_tx.engine.proofs.symbolic`, so an edited model states, and fails, its own lemmas. Each
obligation's ``reach`` counts RNN ticks (decoder positions + 1).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction

import sympy

from turing_tx.constructions._bhattamishra_blocks import hidden_coord, input_coord
from turing_tx.constructions.bhattamishra import START
from turing_tx.engine.linear import SparseVector
from turing_tx.engine.model import Attention, FeedForward, Head, Layer, Model
from turing_tx.engine.proofs.core import (
    Case,
    ProofError,
    Variable,
    check_cases,
    check_rational_sign,
    evaluate,
    integer,
    real,
)
from turing_tx.engine.proofs.obligations import Obligation
from turing_tx.engine.proofs.symbolic import (
    ONE,
    ZERO,
    FamilyCase,
    Selection,
    SymbolicVector,
    add,
    affine_range,
    apply,
    attention_sublayer,
    check_family,
    ffn_sublayer,
    positional,
    prove_nonnegative,
    rational,
    resolve_activation,
    scale,
    score,
)
from turing_tx.errors import UsageError
from turing_tx.rnn.network import RNN, sigma

#: the coordinates positions(i) occupies: what the cross-attention's query and key may read
POSITIONAL = {1: ("pos:1", "pos:1/i", "pos:1/i^2"), 2: ("one", "pos:1/i")}
Reach = Callable[[Mapping[str, object]], int | None]


# -- the stated vectors ------------------------------------------------------------------------------

def positions(theorem: int, i: sympy.Expr) -> dict[str, sympy.Expr]:
    """What the positional coordinates hold at 1-based position i: (1, 1/i, 1/i²), or (one, 1/i)."""
    if theorem == 1:
        return {"pos:1": ONE, "pos:1/i": 1 / i, "pos:1/i^2": 1 / i ** 2}
    return {"one": ONE, "pos:1/i": 1 / i}


def encoder_output(theorem: int, token: str, i: sympy.Expr) -> dict[str, sympy.Expr]:
    """The stated encoder output at position i holding ``token``: its one-hot flag and positions(i)."""
    flag = "start" if token == START else input_coord(token)
    return {flag: ONE, **positions(theorem, i)}


def invariant(theorem: int, h: Mapping[str, sympy.Expr]) -> dict[str, sympy.Expr]:
    """The decoder output o_t for hidden state h: the ``h:`` block (Theorem 2: and ``one`` = 1)."""
    out = {hidden_coord(u): sympy.sympify(v) for u, v in h.items()}
    return {**out, "one": ONE} if theorem == 2 else out


def ffn_input(theorem: int, h: Mapping[str, sympy.Expr], symbol: str, t: sympy.Expr) -> dict[str, sympy.Expr]:
    """u_t, the decoder FFN's input: h_{t−1}, the one-hot x_t and positions(t)."""
    return {**{hidden_coord(u): v for u, v in h.items()}, input_coord(symbol): ONE, **positions(theorem, t)}


def _exact(vector: SparseVector) -> dict[str, sympy.Expr]:
    """A model's sparse vector of Fractions as sympy Rationals."""
    return {name: rational(value) for name, value in vector.items() if value}


def _embedding(model: Model, token: str) -> dict[str, sympy.Expr]:
    """The model's embedding of ``token`` (a ProofError if it has none)."""
    if token not in model.embedding:
        raise ProofError(f"the model has no embedding for token {token!r}")
    return _exact(model.embedding[token])


# -- signs of hidden units -----------------------------------------------------------------------------

def nonnegative(expr: sympy.Expr, variables: Sequence[Variable]) -> bool:
    """``expr ≥ 0`` on the variables' ranges, proved by the engine's sign prover
    (:func:`~turing_tx.engine.proofs.symbolic.prove_nonnegative`)."""
    return prove_nonnegative(expr, variables).proved


def activation_value(argument: sympy.Expr, variables: Sequence[Variable], activation: str) -> sympy.Expr | None:
    """ReLU(argument) or σ(argument) as one piece (0, the argument, or 1) proved on the ranges, or None
    when no single piece is proved there (:func:`~turing_tx.engine.proofs.symbolic.resolve_activation`)."""
    try:
        return resolve_activation("unit", sympy.expand(argument), activation, variables)[0]
    except ProofError:
        return None


def _sigma_piece(zeta: Variable) -> sympy.Expr:
    """σ(ζ) on ζ's piece (which never straddles 0 or 1), proved by the core."""
    value = activation_value(zeta.symbol, (zeta,), "sigma")
    if value is None:
        raise ProofError(f"the piece {zeta.describe()} straddles a breakpoint of σ")
    return value


# -- the decoder FFN on u_t ----------------------------------------------------------------------------

@dataclass(frozen=True)
class UnitOnInput:
    """A hidden unit of the decoder FFN on u_t: its pre-activation, and either its value proved on the
    ranges (``value``) or, for a unit writing only ``h:j`` whose value is not fixed, that coordinate
    and the constant c with pre-activation = ζ_j + c claimed (``target``, ``offset``)."""

    name: str
    argument: sympy.Expr
    value: sympy.Expr | None
    target: str | None = None
    offset: sympy.Expr = ZERO


class DecoderFFN:
    """The decoder FFN on u_t for each input symbol, its hidden units classified once and shared by the
    three FFN obligations."""

    def __init__(self, ffn: FeedForward, rnn: RNN, theorem: int, eta: Mapping[str, Variable], t: Variable):
        self.ffn, self.rnn, self.theorem = ffn, rnn, theorem
        self.eta = {u: v.symbol for u, v in eta.items()}
        self.variables = (*eta.values(), t)
        self.t = t
        self._units: dict[str, dict[str, UnitOnInput]] = {}

    def zeta(self, unit: str, symbol: str) -> sympy.Expr:
        """ζ_j = (W_h η + W_x x_a + b)_j, read from the RNN."""
        rnn = self.rnn
        total = rational(rnn.bias.get(unit, 0)) + rational(rnn.w_x.get(unit, {}).get(symbol, 0))
        return sympy.expand(total + sum((rational(w) * self.eta[k] for k, w in rnn.w_h.get(unit, {}).items()), ZERO))

    def input(self, symbol: str) -> dict[str, sympy.Expr]:
        """u_t with x_t = ``symbol``."""
        return ffn_input(self.theorem, self.eta, symbol, self.t.symbol)

    def writes(self, unit: str) -> Mapping[str, Fraction]:
        """W2's row of ``unit``: the coordinates it writes, with their weights."""
        return self.ffn.w2.entries.get(unit, {})

    def units(self, symbol: str) -> dict[str, UnitOnInput]:
        """Every hidden unit on u_t (x_t = ``symbol``), classified (cached per symbol)."""
        if symbol not in self._units:
            pre = apply(self.ffn.w1, self.input(symbol))
            arguments = {u: sympy.expand(pre.get(u, ZERO) + rational(self.ffn.b1.get(u, 0))) for u in self.ffn.hidden}
            self._units[symbol] = {u: self._classify(u, argument, symbol) for u, argument in arguments.items()}
        return self._units[symbol]

    def _classify(self, unit: str, argument: sympy.Expr, symbol: str) -> UnitOnInput:
        """Its value if one piece of the activation is proved on the ranges, else a σ unit candidate: a
        unit writing one ``h:j`` alone, with c = its pre-activation − ζ_j at the ranges' lower corner
        (that this c holds everywhere is the first FFN lemma)."""
        value = activation_value(argument, self.variables, self.ffn.activation)
        targets = list(self.writes(unit))
        if value is not None or len(targets) != 1 or not targets[0].startswith("h:"):
            return UnitOnInput(unit, argument, value)
        zeta = self.zeta(targets[0][2:], symbol)
        low = {v.symbol: v.low for v in self.variables if v.low is not None}
        offset = evaluate(argument - zeta, low)
        return UnitOnInput(unit, argument, None, targets[0], rational(offset) if offset is not None else ZERO)

    def base_part(self, coord: str, symbol: str) -> sympy.Expr:
        """Coordinate ``coord`` of the sublayer output without the σ units: residual + the proved units
        + b2. A unit neither proved nor a σ unit of ``coord`` makes this a ProofError."""
        residual = self.ffn.residual
        total = rational(residual.scale) * self.input(symbol).get(coord, ZERO) if residual.enabled else ZERO
        for unit in self.ffn.hidden:
            weight = self.writes(unit).get(coord)
            on_input = self.units(symbol)[unit]
            if weight is None or on_input.target == coord:
                continue
            if on_input.value is None:
                raise ProofError(f"{self.ffn.name}.{unit}: its sign is not fixed on the ranges, and it is no "
                                 f"σ unit of {coord}")
            total += rational(weight) * on_input.value
        return sympy.expand(total + rational(self.ffn.b2.get(coord, 0)))

    def sigma_units(self, coord: str, symbol: str) -> list[tuple[UnitOnInput, Fraction]]:
        """The σ units of ``coord`` with their W2 weights into it."""
        units = self.units(symbol)
        return [(units[u], self.writes(u)[coord]) for u in self.ffn.hidden if units[u].target == coord]


# -- obligations --------------------------------------------------------------------------------------

def _tick_of(expression: sympy.Expr) -> Reach:
    """A reach: the tick ``expression`` (of the obligation's symbols) names at a counterexample."""
    def reach(point: Mapping[str, object]) -> int | None:
        values = {s: point.get(s.name) for s in expression.free_symbols}
        if any(v is None for v in values.values()):
            return None
        tick = evaluate(expression, {s: Fraction(v) for s, v in values.items()})  # type: ignore[arg-type]
        return None if tick is None else int(tick)
    return reach


def _enumeration(name: str, group: str, cases: list[Case], why: str) -> Obligation:
    """An obligation checked by enumeration: every case's two sides are equal."""
    failing = sum(1 for case in cases if case.lhs != case.rhs)
    return Obligation(name, group, sympy.Eq(sympy.Integer(failing), 0), (), lambda: check_cases(cases), why)


def _per_coordinate(cases: Iterator[FamilyCase]) -> Iterator[FamilyCase]:
    """Each case split into one case per coordinate, over only the variables that coordinate's two sides
    use: the core's counterexample search then looks where the difference lies, not on a grid spread
    thin over every h symbol. A case whose computation fails stays one case that fails the same way."""
    for case in cases:
        try:
            computed, expected = case.compute()
        except ProofError:
            yield case
            continue
        for coord in sorted(computed.keys() | expected.keys()):
            sides = (computed.get(coord, ZERO), expected.get(coord, ZERO))
            used = set().union(*(sympy.sympify(side).free_symbols for side in sides))
            yield FamilyCase(f"{case.label}, {coord}", tuple(v for v in case.variables if v.symbol in used),
                             lambda coord=coord, sides=sides: ({coord: sides[0]}, {coord: sides[1]}))


def _family(name: str, group: str, statement: sympy.Basic, variables: tuple[Variable, ...],
            cases: Callable[[], Iterator[FamilyCase]], why: str, reach: Reach | None = None) -> Obligation:
    """An obligation checked by :func:`~turing_tx.engine.proofs.symbolic.check_family`, coordinate by
    coordinate (:func:`_per_coordinate`)."""
    return Obligation(name, group, statement, variables, lambda: check_family(_per_coordinate(cases())), why, reach)


def _beats(head: Head, selected: sympy.Expr, other: sympy.Expr) -> sympy.Expr:
    """> 0 exactly when ``head`` scores the selected key above the other: for −|⟨q,k⟩| (``negabs``)
    ⟨q,k_other⟩² − ⟨q,k_selected⟩², for ``dot`` the difference of the products; one fraction in lowest
    terms (exact polynomial gcd), which keeps the certificate's polynomials small."""
    if head.score == "negabs":
        return sympy.cancel(other ** 2 - selected ** 2)
    return sympy.cancel(selected - other)


class Proof:
    """The obligations of one model against one RNN (see the module docstring)."""

    def __init__(self, model: Model, rnn: RNN) -> None:
        theorem = model.metadata.get("theorem")
        if theorem not in (1, 2):
            raise UsageError(f"model {model.construction!r} is not a Bhattamishra et al. transformer")
        if len(model.encoder) != 1 or len(model.decoder) != 1 or model.decoder[0].cross_attn is None:
            raise UsageError("a Bhattamishra et al. transformer has one encoder layer and one decoder layer "
                             "with a decoder–encoder attention")
        self.model, self.rnn, self.theorem = model, rnn, theorem
        self.encoder: Layer = model.encoder[0]
        self.decoder: Layer = model.decoder[0]
        self.cross_attn: Attention = model.decoder[0].cross_attn
        self.t = integer("t", low=2)
        self.m = integer("m", low=1)
        self.eta = {u: real(f"h[{u}]", 0, 1) for u in rnn.units}
        self.other = {u: real(f"h'[{u}]", 0, 1) for u in rnn.units}
        self.sums = {u: real(f"S[{u}]") for u in rnn.units}
        self.ffn = DecoderFFN(self.decoder.ffn, rnn, theorem, self.eta, self.t)

    # -- shared pieces -----------------------------------------------------------------------------
    @property
    def seed(self) -> dict[str, sympy.Expr]:
        """The decoder seed o_0 (h_0; Theorem 2 also ``one`` and ``start``)."""
        return _exact(self.model.decoder_seed)

    def selecting_heads(self) -> list[tuple[Attention, Head]]:
        """Theorem 1's non-inert self-attention heads: self-selecting heads (an alternative form)."""
        if self.theorem == 2:
            return []
        return [(sub, head) for sub in (self.encoder.self_attn, self.decoder.self_attn) for head in sub.heads
                if not head.is_inert]

    def self_selection(self, sublayer: Attention, own: SymbolicVector,
                       prefix: tuple[SymbolicVector, sympy.Expr]) -> dict[str, Selection]:
        """The stated selection of every head of a self-attention sublayer: Theorem 2 averages all
        visible positions (``prefix``: their sum and number); Theorem 1's heads are inert or select
        their own position (input ``own``)."""
        if self.theorem == 1:
            return {head.name: Selection(own) for head in sublayer.heads}
        return {head.name: Selection(*prefix) for head in sublayer.heads}

    def selected(self, t: sympy.Expr, m: sympy.Expr | None) -> sympy.Expr:
        """The encoder position s(t, m) the cross-attention selects: t or m (Theorem 1), t + 1 or m + 1
        (Theorem 2); ``m`` None for t ≤ m."""
        shift = 0 if self.theorem == 1 else 1
        return (t if m is None else m) + shift

    def encoder_prefix(self) -> tuple[tuple[Variable, ...], sympy.Expr, dict[str, sympy.Expr]]:
        """Theorem 2's encoder prefix up to position i: the counts n[b] ≥ 0 of each symbol b behind the
        start marker, i = 1 + Σ n[b], and the sum of the prefix's embeddings (a missing embedding sums
        as nothing, so the lemmas about it fail rather than their statement)."""
        counts = {b: integer(f"n[{b}]", low=0) for b in self.rnn.inputs}
        index = 1 + sum((n.symbol for n in counts.values()), ZERO)
        embedding = self.model.embedding
        prefix = add(_exact(embedding.get(START, {})),
                     *(scale(_exact(embedding.get(b, {})), n.symbol) for b, n in counts.items()))
        return tuple(counts.values()), index, prefix

    def decoder_input_sum(self, t: sympy.Expr) -> dict[str, sympy.Expr]:
        """Σ of the decoder inputs at positions 0 … t − 1: the seed, then o_1 … o_{t−1} (S[j] = the sum
        of their h:j), what Theorem 2's decoder averaging head sees."""
        sums = {hidden_coord(u): v.symbol for u, v in self.sums.items()}
        return add(self.seed, sums, {"one": t - 1})

    def attention_part(self, x0: SymbolicVector, self_selection: Mapping[str, Selection], symbol: str,
                       at: sympy.Expr) -> tuple[dict[str, sympy.Expr], dict[str, sympy.Expr]]:
        """The cross-attention's input x1 and output x2 at a decoder position with input ``x0``, the
        cross-attention selecting encoder position ``at`` holding ``symbol``."""
        x1 = attention_sublayer(self.decoder.self_attn, x0, self_selection)
        chosen = {head.name: Selection(encoder_output(self.theorem, symbol, at)) for head in self.cross_attn.heads}
        return x1, attention_sublayer(self.cross_attn, x1, chosen)

    def query_reads(self, x1: SymbolicVector) -> dict[str, sympy.Expr]:
        """The coordinates of x1 the cross-attention's queries read, as ``query reads <coord>``."""
        reads = set().union(*(head.query.inputs() for head in self.cross_attn.heads))
        return {f"query reads {c}": x1.get(c, ZERO) for c in sorted(reads)}

    # -- the obligations ---------------------------------------------------------------------------
    def obligations(self) -> list[Obligation]:
        """All of them, in the order of the argument: positions and heads, the encoder, the selections,
        the induction, the FFN lemmas its step relies on."""
        averaging = self.averaging_obligations() if self.theorem == 2 else []
        return [self.positional_encoding(), self.head_shapes(), *averaging, self.encoder_outputs(),
                *self.selection_lemmas(), self.base_case(), self.step(), *self.ffn_lemmas()]

    def positional_encoding(self) -> Obligation:
        """The model's positional encoding is the construction's, for every position."""
        i = integer("i", low=1)
        stated = positions(1, i.symbol) if self.theorem == 1 else {}

        def cases() -> Iterator[FamilyCase]:
            yield FamilyCase("PE(i)", (i,), lambda: (positional(self.model.positional_encoding, i.symbol), stated))

        what = "(1, 1/i, 1/i²)" if self.theorem == 1 else "nothing (Theorem 2 has no positional encoding)"
        return _family(f"the positional encoding at position i is {what}", "pos_encoding",
                       sympy.Eq(sympy.Symbol("PE(i)"), sympy.Symbol(what)), (i,),
                       cases, "the positions the heads compare are the stated ones")

    def head_shapes(self) -> Obligation:
        """Hardmax heads with the construction's masks; the cross-attention (and Theorem 1's self-selecting
        heads) read only positions."""
        allowed = set(POSITIONAL[self.theorem])
        cases = []
        shaped = [(head, "all") for head in self.cross_attn.heads]
        if self.theorem == 2:
            shaped += [(head, "causal") for sub in (self.encoder.self_attn, self.decoder.self_attn)
                       for head in sub.heads if not head.is_inert]
        selecting = [head for _, head in self.selecting_heads()]
        shaped += [(head, "all" if sub is self.encoder.self_attn else "causal") for sub, head in self.selecting_heads()]
        for head, mask in shaped:
            cases.append(Case(f"{head.name} is a hardmax head", int(head.normalizer.kind == "hardmax"), 1))
            cases.append(Case(f"{head.name} has the {mask} mask", int(head.pattern.kind == mask), 1))
        for head in (*self.cross_attn.heads, *selecting):
            for side, lmap in (("query", head.query), ("key", head.key)):
                cases += [Case(f"{head.name}.{side} reads {c}", 1, 0) for c in sorted(lmap.inputs() - allowed)]
        return _enumeration("the heads are hardmax heads with their masks; the selecting heads read only positions",
                            "heads", cases, f"the selection lemmas compare positions {sorted(allowed)} alone")

    def averaging_obligations(self) -> list[Obligation]:
        """Theorem 2: both self-attention heads score every visible key alike, and their average of the
        start flag over i positions is 1/i."""
        counts, i, prefix = self.encoder_prefix()
        t = integer("t", low=1)
        return [self.ties(self.encoder.self_attn, self.encoder_tie_cases),
                self.ties(self.decoder.self_attn, self.decoder_tie_cases),
                self.average(self.encoder.self_attn, prefix, i, counts,
                             "the encoder's prefix of i = 1 + Σ n[b] tokens: # then n[b] of each symbol b"),
                self.average(self.decoder.self_attn, self.decoder_input_sum(t.symbol), t.symbol,
                             (t, *self.sums.values()),
                             "the decoder's inputs at positions 0 … t − 1: the seed, then o_1 … o_{t−1}")]

    def ties(self, sublayer: Attention, cases: Callable[[Head], Iterator[FamilyCase]]) -> Obligation:
        """Every key a head of ``sublayer`` sees scores as the first position's does."""
        variables = (*self.eta.values(), *self.other.values())
        return _family(f"{sublayer.name}: every visible key scores the same", sublayer.name,
                       sympy.Eq(sympy.Symbol("score(q, k_j)"), sympy.Symbol("score(q, k_0)")), variables,
                       lambda: (case for head in sublayer.heads if not head.is_inert for case in cases(head)),
                       "so the hardmax averages all visible positions")

    def encoder_tie_cases(self, head: Head) -> Iterator[FamilyCase]:
        """Every query token against every key token (Theorem 2's encoder has no positional encoding)."""
        tokens = (START, *self.rnn.inputs)
        for query in tokens:
            for key in tokens:
                yield FamilyCase(f"{head.name}: query {query}, key {key}", (), lambda q=query, k=key: (
                    {"score": score(head, _embedding(self.model, q), _embedding(self.model, k))},
                    {"score": score(head, _embedding(self.model, q), _embedding(self.model, START))}))

    def decoder_tie_cases(self, head: Head) -> Iterator[FamilyCase]:
        """A query at the seed or at a later o_q, against a key at another o_q′, both for every h."""
        later = invariant(2, {u: v.symbol for u, v in self.eta.items()})
        other = invariant(2, {u: v.symbol for u, v in self.other.items()})
        variables = (*self.eta.values(), *self.other.values())
        for label, query in (("the seed", self.seed), ("o_q", later)):
            yield FamilyCase(f"{head.name}: query at {label}", variables, lambda q=query: (
                {"score": score(head, q, other)}, {"score": score(head, q, self.seed)}))

    def average(self, sublayer: Attention, total: SymbolicVector, count: sympy.Expr,
                variables: tuple[Variable, ...], what: str) -> Obligation:
        """V(``total``)/``count`` of every head of ``sublayer`` is {pos:1/i: 1/count}."""
        def cases() -> Iterator[FamilyCase]:
            for head in sublayer.heads:
                yield FamilyCase(head.name, variables, lambda h=head: (
                    scale(apply(h.value, total), 1 / count), {"pos:1/i": 1 / count}))

        return _family(f"{sublayer.name}: the average of the start flag over i positions is 1/i", sublayer.name,
                       sympy.Eq(sympy.Symbol("pos:1/i"), 1 / count), variables, cases,
                       f"the head averages the value of {what}; only the start flag counts")

    def encoder_outputs(self) -> Obligation:
        """enc(i, token) for every token and position, through the encoder layer."""
        i = integer("i", low=1)
        counts, index, prefix = self.encoder_prefix()

        def output(token: str, index: sympy.Expr, ranges: tuple[Variable, ...],
                   selections: Callable[[SymbolicVector], Mapping[str, Selection]]) -> dict[str, sympy.Expr]:
            x = add(_embedding(self.model, token), positional(self.model.positional_encoding, index))
            x1 = attention_sublayer(self.encoder.self_attn, x, selections(x))
            return ffn_sublayer(self.encoder.ffn, x1, ranges)[0]

        def cases() -> Iterator[FamilyCase]:
            if self.theorem == 1:
                for a in self.rnn.inputs:
                    yield FamilyCase(f"token {a}", (i,), lambda a=a: (
                        output(a, i.symbol, (i,), lambda x: self.self_selection(self.encoder.self_attn, x, (x, ONE))),
                        encoder_output(1, a, i.symbol)))
                return
            first = ONE
            yield FamilyCase(f"token {START} at i = 1", (), lambda: (
                output(START, first, (), lambda x: self.self_selection(self.encoder.self_attn, x, (x, first))),
                encoder_output(2, START, first)))
            for a in self.rnn.inputs:
                yield FamilyCase(f"token {a} at i = 1 + Σ n[b]", counts, lambda a=a: (
                    output(a, index, counts, lambda x: self.self_selection(self.encoder.self_attn, x, (prefix, index))),
                    encoder_output(2, a, index)))

        variables = (i,) if self.theorem == 1 else counts
        return _family("the encoder output at position i is enc(i, token)", "enc0",
                       sympy.Eq(sympy.Symbol("encoder(i)"), sympy.Symbol("enc(i, x_i)")), variables, cases,
                       "the cross-attention's keys and values are these vectors")

    def selection_lemmas(self) -> list[Obligation]:
        """Every cross-attention head: s(t, m) beats every other encoder position i. Theorem 1's
        self-selecting heads (an alternative form): a position's own key beats every other visible one."""
        j, d, e = integer("j", low=1), integer("d", low=1), integer("e", low=1)
        shift = 0 if self.theorem == 1 else 1
        # (label, t, i, s, variables): t ≤ m with i < s, t ≤ m with i > s, t > m with i < s = m + shift
        earlier = ("t ≤ m: an earlier position loses", j.symbol + d.symbol - shift, j.symbol, j.symbol + d.symbol,
                   (j, d))
        later = ("t ≤ m: a later position loses", j.symbol, j.symbol + shift + d.symbol, j.symbol + shift, (j, d))
        last = ("t > m: an earlier position loses to the last", j.symbol + d.symbol - shift + e.symbol, j.symbol,
                j.symbol + d.symbol, (j, d, e))
        lemmas = [self.selection(self.cross_attn.name, head, *layout)
                  for head in self.cross_attn.heads for layout in (earlier, later, last)]
        for sublayer, head in self.selecting_heads():
            own = [("an earlier position loses to its own", *earlier[1:])]
            if head.pattern.kind == "all":
                own.append(("a later position loses to its own", *later[1:]))
            lemmas += [self.selection(sublayer.name, head, *layout) for layout in own]
        return lemmas

    def selection(self, group: str, head: Head, label: str, t: sympy.Expr, i: sympy.Expr, s: sympy.Expr,
                  variables: tuple[Variable, ...]) -> Obligation:
        """``head`` at (1-based) position t scores the key at position s above the one at i: a rational
        sign certificate over the independent integers ``variables``."""
        tick, other, chosen = (sympy.Symbol(n, integer=True, positive=True) for n in ("t", "i", "s"))
        query = positions(self.theorem, tick)
        generic = _beats(head, score(head, query, positions(self.theorem, chosen)),
                         score(head, query, positions(self.theorem, other)))
        margin = sympy.cancel(generic.subs({tick: t, other: i, chosen: s}, simultaneous=True))
        return Obligation(f"{head.name}, {label}", group, sympy.StrictGreaterThan(margin, 0), variables,
                          lambda: check_rational_sign(margin, variables, strict=True),
                          f"at position t = {t} the head selects position {s} alone, not i = {i}", _tick_of(t))

    def base_case(self) -> Obligation:
        """t = 1: the seed through the decoder, every unit's activation a closed number."""
        one = ONE

        def cases() -> Iterator[FamilyCase]:
            h0 = self.rnn.initial_state()
            for a in self.rnn.inputs:
                def compute(a: str = a) -> tuple[SymbolicVector, SymbolicVector]:
                    x0 = add(self.seed, positional(self.model.positional_encoding, one))
                    x1, x2 = self.attention_part(x0, self.self_selection(self.decoder.self_attn, x0, (x0, one)), a,
                                                 self.selected(one, None))
                    o1 = ffn_sublayer(self.decoder.ffn, x2, ())[0]
                    h1 = self.rnn.step(h0, a)
                    return ({**o1, **self.query_reads(x1)},
                            {**invariant(self.theorem, {u: rational(v) for u, v in h1.items() if v}),
                             **self.query_reads(positions(self.theorem, one))})
                yield FamilyCase(f"x_1 = {a}", (), compute)

        return _family("base case: o_1 = h_1 for every first symbol", "induction",
                       sympy.Eq(sympy.Symbol("o_1"), sympy.Symbol("h_1")), (), cases,
                       "the seed h_0 through the decoder with the heads' stated selections at t = 1 "
                       "(and the query there is the one the selection lemmas are stated for)", lambda _: 1)

    def step(self) -> Obligation:
        """t ≥ 2: o_{t−1} through both attention sublayers is u_t, in both cases t ≤ m and t > m."""
        t, m = self.t, self.m
        eta = {u: v.symbol for u, v in self.eta.items()}
        variables = (t, m, *self.eta.values(), *self.sums.values())

        def cases() -> Iterator[FamilyCase]:
            x0 = add(invariant(self.theorem, eta), positional(self.model.positional_encoding, t.symbol))
            selection = self.self_selection(self.decoder.self_attn, x0, (self.decoder_input_sum(t.symbol), t.symbol))
            for a in self.rnn.inputs:
                for label, last in (("t ≤ m", None), ("t > m", m.symbol)):
                    def compute(a: str = a, last: sympy.Expr | None = last) -> tuple[SymbolicVector, SymbolicVector]:
                        x1, x2 = self.attention_part(x0, selection, a, self.selected(t.symbol, last))
                        return ({**x2, **self.query_reads(x1)},
                                {**ffn_input(self.theorem, eta, a, t.symbol),
                                 **self.query_reads(positions(self.theorem, t.symbol))})
                    yield FamilyCase(f"x_min(t,m) = {a}, {label}", variables, compute)

        return _family("step: the attention sublayers turn o_{t-1} into u_t", "induction",
                       sympy.Eq(sympy.Symbol("CrossAttn(SelfAttn(o_{t-1} + PE(t)))"), sympy.Symbol("u_t")), variables,
                       cases, "with the stated selections (the lemmas above), the FFN lemmas then give o_t = h_t",
                       _tick_of(t.symbol))

    def ffn_lemmas(self) -> list[Obligation]:
        """On u_t (t ≥ 2, h ∈ [0, 1]^units, every symbol): the σ units read ζ_j, the units writing h:j
        give σ(ζ_j) on every piece, and every other coordinate ends as o_t holds it."""
        ffn = self.ffn
        variables = ffn.variables
        group = self.decoder.ffn.name

        def pre_activations() -> Iterator[FamilyCase]:
            for a in self.rnn.inputs:
                for unit in self.decoder.ffn.hidden:
                    targets = [c for c in ffn.writes(unit) if c.startswith("h:")]
                    if not targets:
                        continue

                    def compute(a: str = a, unit: str = unit,
                                target: str = targets[0]) -> tuple[SymbolicVector, SymbolicVector]:
                        on_input = ffn.units(a)[unit]
                        if on_input.value is not None:
                            return {}, {}
                        return ({unit: on_input.argument}, {unit: ffn.zeta(target[2:], a) + on_input.offset})
                    yield FamilyCase(f"x_t = {a}", variables, compute)

        def pieces() -> Iterator[FamilyCase]:
            for a in self.rnn.inputs:
                for j in self.rnn.units:
                    yield from self.sigma_cases(hidden_coord(j), a)

        def cleanup() -> Iterator[FamilyCase]:
            coords = sorted({c for c in self.model.coords if not c.startswith("h:")})
            for a in self.rnn.inputs:
                yield FamilyCase(f"x_t = {a}", variables, lambda a=a: (
                    {c: ffn.base_part(c, a) for c in coords},
                    {"one": ONE} if self.theorem == 2 else {}))

        zeta = sympy.Symbol("ζ_j", real=True)
        return [
            _family("every unit writing h:j has a fixed sign or reads ζ_j = (W_h h + W_x x + b)_j", group,
                    sympy.Eq(sympy.Symbol("pre-activation"), zeta + sympy.Symbol("c")), variables, pre_activations,
                    "the FFN's σ units read the RNN's pre-activation, from the RNN's weights, for h ∈ [0, 1]^units"),
            _family("on every piece of ζ_j the units writing h:j sum to σ(ζ_j)", group,
                    sympy.Eq(sympy.Symbol("h:j"), sympy.Function("σ")(zeta)), variables, pieces,
                    "e.g. ReLU(ζ) − ReLU(ζ − 1) = σ(ζ) on ζ ≤ 0, 0 ≤ ζ ≤ 1, ζ ≥ 1, with the residual cancelled"),
            _family("every coordinate outside h is cancelled" + (" (one = 1)" if self.theorem == 2 else ""), group,
                    sympy.Eq(sympy.Symbol("o_t - h_t"), 0 if self.theorem == 1 else sympy.Symbol("one")), variables,
                    cleanup, "the decoder output holds h_t and nothing else"),
        ]

    def sigma_cases(self, coord: str, symbol: str) -> Iterator[FamilyCase]:
        """One case per piece of ζ's range between the breakpoints of the σ units of ``coord`` and of σ
        itself (a closed ζ: one case). ζ's range over the box of h is proved by the core; η_k of one
        unit k that ζ reads is written through ζ, so ζ and the other h symbols are independent."""
        ffn = self.ffn
        zeta_value = ffn.zeta(coord[2:], symbol)
        if not zeta_value.free_symbols:
            yield FamilyCase(f"x_t = {symbol}, ζ = {zeta_value}", ffn.variables, lambda: (
                {coord: ffn.base_part(coord, symbol)}, {coord: rational(sigma(Fraction(str(zeta_value))))}))
            return
        pivot = next(s for s in ffn.eta.values() if s in zeta_value.free_symbols)
        others = tuple(v for v in ffn.variables if v.symbol != pivot)
        zeta = sympy.Symbol(f"ζ[{coord[2:]}]", real=True)
        weight = zeta_value.coeff(pivot)
        through = sympy.expand((zeta - (zeta_value - weight * pivot)) / weight)
        lowest, highest = affine_range(zeta_value, ffn.variables)  # type: ignore[misc]
        units = ffn.sigma_units(coord, symbol)
        cuts = {Fraction(0), Fraction(1), lowest, highest}
        for unit, _ in units:
            offset = Fraction(str(unit.offset))
            cuts |= {-offset} | ({1 - offset} if self.decoder.ffn.activation == "sigma" else set())
        ends = sorted(c for c in cuts if lowest <= c <= highest)  # type: ignore[operator]
        for low, high in zip(ends, ends[1:], strict=False):
            piece = real(zeta.name, low, high)

            def compute(piece: Variable = piece) -> tuple[SymbolicVector, SymbolicVector]:
                if piece.low == lowest and not (  # the pieces cover ζ's range: proved once, with the first
                        nonnegative(zeta_value - rational(lowest), ffn.variables)  # type: ignore[arg-type]
                        and nonnegative(rational(highest) - zeta_value, ffn.variables)):  # type: ignore[arg-type]
                    raise ProofError(f"ζ of {coord} is not within [{lowest}, {highest}] on the box")
                total = ffn.base_part(coord, symbol).subs(pivot, through)
                for unit, weight in units:
                    value = activation_value(zeta + unit.offset, (piece,), self.decoder.ffn.activation)
                    if value is None:
                        raise ProofError(f"{unit.name}: not resolved on {piece.describe()}")
                    total += rational(weight) * value
                return {coord: sympy.expand(total)}, {coord: _sigma_piece(piece)}
            yield FamilyCase(f"x_t = {symbol}, {piece.describe()}", (piece, *others), compute)


def rnn_transformer_obligations(model: Model, rnn: RNN) -> list[Obligation]:
    """The obligations that ``model`` (a Theorem 1 or 2 transformer, compiled or edited) simulates ``rnn``
    at every tick for every input word, read from the model's weights (see the module docstring);
    ``reach`` in ticks."""
    return Proof(model, rnn).obligations()


def in_machine_steps(obligations: Sequence[Obligation], steps_of_tick: Callable[[int], int]) -> list[Obligation]:
    """The same obligations with each ``reach`` converted from ticks to machine steps (a chained
    Turing machine's runs count steps)."""
    def convert(reach: Reach | None) -> Reach | None:
        if reach is None:
            return None
        return lambda point: None if (tick := reach(point)) is None else steps_of_tick(tick)
    return [dataclasses.replace(ob, reach=convert(ob.reach)) for ob in obligations]
