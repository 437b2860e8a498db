"""The building blocks of the Bhattamishra et al. constructions (documented in
``docs/constructions/bhattamishra.md``).

Each function returns one named head or feed-forward block written over named residual
coordinates (``h:<unit>``, ``x:<symbol>``, ``pos:1``, ``pos:1/i``, ``pos:1/i^2``, ``one``,
``start``). :mod:`turing_tx.constructions.bhattamishra` assembles them into the two theorems' models;
keeping the blocks here lets each one be read against its bullet of the docs' "Theorem 1: positional
encoding" and "Theorem 2: positional masking, no positional encoding".
"""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction

from turing_tx.engine.linear import LinearMap
from turing_tx.engine.model import FeedForward, Head, Score, feed_forward
from turing_tx.engine.patterns import ALL, CAUSAL, Pattern
from turing_tx.rnn.network import RNN

Weights = dict[str, dict[str, Fraction]]


def hidden_coord(unit: str) -> str:
    """The residual coordinate holding RNN unit ``unit``."""
    return f"h:{unit}"


def input_coord(symbol: str) -> str:
    """The residual coordinate holding the one-hot input symbol ``symbol``."""
    return f"x:{symbol}"


def _add(weights: Weights, source: str, target: str, weight: Fraction | int) -> None:
    """Accumulate ``weight`` on the edge source → target of a map under construction."""
    row = weights.setdefault(source, {})
    row[target] = row.get(target, Fraction(0)) + Fraction(weight)


# -- attention heads -------------------------------------------------------------------------------

def position_match(name: str, score: Score, value: LinearMap, pattern: Pattern) -> Head:
    """A head whose query at position t and key at position i (both carrying pos(·)) score
    1/t − 1/i (``negabs``, maximal at |1/t − 1/i| smallest) or 1/t² − (1/t − 1/i)² (``dot``).

    Both pick i = t if it is visible, else the visible i closest to it from below. This is the
    cross-attention of Theorem 1 and, with an identity value, the self-selecting head (an alternative
    form for the ablation's rebuilt runs).
    """
    if score == "negabs":
        query = {"pos:1/i": {"a": 1}, "pos:1": {"b": -1}}
        key = {"pos:1": {"a": 1}, "pos:1/i": {"b": 1}}
    else:
        query = {"pos:1/i": {"a": 2}, "pos:1": {"b": -1}}
        key = {"pos:1/i": {"a": 1}, "pos:1/i^2": {"b": 1}}
    return Head(name, LinearMap.build(query), LinearMap.build(key), value, score, pattern)


def copy_inputs(rnn: RNN) -> LinearMap:
    """The value map copying the one-hot ``x:`` block (used by both cross-attention heads)."""
    return LinearMap.identity(input_coord(a) for a in rnn.inputs)


def start_average(name: str) -> Head:
    """Theorem 2's position head (encoder and decoder self-attention): zero query and key, so under the causal mask it
    averages ``start`` over positions 1..i, which is 1/i because only position 1 carries it."""
    return Head(name, LinearMap.zero(), LinearMap.zero(), LinearMap.build({"start": {"pos:1/i": 1}}),
                "dot", CAUSAL)


def shifted_match(name: str, rnn: RNN) -> Head:
    """Theorem 2's cross-attention: q_t = (1/t, −1 − 1/t), k_i = (1, 1/i), so
    ⟨q_t, k_i⟩ = (i − (t+1))/(t·i) and ``negabs`` picks encoder position min(t+1, m+1), which holds
    x_min(t,m) behind the prepended start marker."""
    query = LinearMap.build({"pos:1/i": {"a": 1, "b": -1}, "one": {"b": -1}})
    key = LinearMap.build({"one": {"a": 1}, "pos:1/i": {"b": 1}})
    return Head(name, query, key, copy_inputs(rnn), "negabs", ALL)


# -- feed-forward blocks ---------------------------------------------------------------------------

def identity_ffn(name: str, coords: tuple[str, ...], *, residual: bool) -> FeedForward:
    """The identity FFN (an alternative form for the ablation's rebuilt runs): id:c = ReLU(v[c]),
    output c = id:c (meant to run without its residual). It is exact on the encoder, whose coordinates
    are all ≥ 0."""
    hidden = [f"id:{c}" for c in coords]
    w1 = LinearMap.build({c: {f"id:{c}": 1} for c in coords})
    w2 = LinearMap.build({f"id:{c}": {c: 1} for c in coords})
    return feed_forward(name, hidden, w1, {}, w2, residual=residual)


def rnn_update_ffn(name: str, rnn: RNN, *, cancel: tuple[str, ...], bias: Mapping[str, Fraction],
                   residual: bool) -> FeedForward:
    """The decoder FFN computing h_t = σ(W_h h_{t−1} + W_x x_t + b) from u_t.

    ``p:j`` = ReLU(ζ_j) and ``n:j`` = ReLU(ζ_j − 1) give h:j = p:j − n:j = σ(ζ_j). Each coordinate in
    ``cancel`` gets a unit ``c:<coord>`` = ReLU(u[coord]) subtracted from that coordinate, so that
    with the residual present the output keeps only what the FFN writes. A unit whose h_0 is
    negative also gets ``c-:h:<unit>`` = ReLU(−u[h:unit]) added back, since ReLU alone cannot
    cancel a negative value (h_t ∈ [0, 1] from t = 1 on; only h_0 can be negative).
    ``bias`` is the output bias b2 (Theorem 2's paper form writes one = 1).
    """
    hidden: list[str] = []
    w1: Weights = {}
    w2: Weights = {}
    b1: dict[str, Fraction] = {}
    for j in rnn.units:
        positive, overflow = f"p:{j}", f"n:{j}"
        hidden += [positive, overflow]
        for k, weight in rnn.w_h.get(j, {}).items():
            _add(w1, hidden_coord(k), positive, weight)
            _add(w1, hidden_coord(k), overflow, weight)
        for a, weight in rnn.w_x.get(j, {}).items():
            _add(w1, input_coord(a), positive, weight)
            _add(w1, input_coord(a), overflow, weight)
        b1[positive] = Fraction(rnn.bias.get(j, 0))
        b1[overflow] = b1[positive] - 1
        _add(w2, positive, hidden_coord(j), 1)
        _add(w2, overflow, hidden_coord(j), -1)
    for coord in cancel:
        unit = f"c:{coord}"
        hidden.append(unit)
        _add(w1, coord, unit, 1)
        _add(w2, unit, coord, -1)
    cancelled = set(cancel)
    for u in (u for u in rnn.units if rnn.h0.get(u, 0) < 0 and hidden_coord(u) in cancelled):
        unit = f"c-:{hidden_coord(u)}"
        hidden.append(unit)
        _add(w1, hidden_coord(u), unit, -1)
        _add(w2, unit, hidden_coord(u), 1)
    return feed_forward(name, hidden, LinearMap.build(w1), b1, LinearMap.build(w2), dict(bias),
                        residual=residual)
