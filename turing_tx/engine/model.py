"""The transformer as data: named residual coordinates and explicit, named, removable parts.

A :class:`Model` is an encoder–decoder transformer with hard attention and no layer norm, written
entirely in terms of named coordinates (``state:A+``, ``sym:1``, ``pos:1/i``). Every part a proof
relies on is a first-class object with a stable name:

- each attention head (``dec2.self_attn.head0``): query/key maps into a small score space, a value
  map back into the residual stream (output projection folded in), a score function (``dot`` or
  ``negabs`` = −|⟨q,k⟩|), an attention :class:`~turing_tx.engine.patterns.Pattern` (mask) and a normaliser
  (hardmax with ties averaged, or softmax with a temperature for ablations);
- each feed-forward block (``dec0.ffn``): W1, b1, activation (``relu`` or ``sigma`` = clip to [0,1]),
  W2, b2;
- each residual connection (``dec0.cross_attn.residual``), with a scale ω (1 in every construction;
  other values model Admin-style residual scaling);
- the positional encoding (``pos_encoding``), a function of the position.

Sublayer semantics: ``out = ω·x + block(x)`` if the residual is enabled, else ``block(x)``.
Ablations are transformations that return a new model (zeroing a head, removing a residual); the
interpreter has no ablation flags.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, Literal

from turing_tx.engine.linear import LinearMap, SparseVector
from turing_tx.engine.patterns import ALL, CAUSAL, Pattern
from turing_tx.engine.positional import PositionalEncoding
from turing_tx.errors import ModelError

Score = Literal["dot", "negabs"]
Activation = Literal["relu", "sigma"]
SCORES = ("dot", "negabs")
ACTIVATIONS = ("relu", "sigma")


@dataclass(frozen=True)
class Normalizer:
    """How scores become attention weights: ``hardmax`` (uniform over all maxima, ties averaged),
    ``softmax`` with ``temperature`` τ, or ``favor`` (Performer random features, seeded)."""

    kind: str = "hardmax"
    temperature: Fraction = Fraction(1)
    features: int = 0
    seed: int = 0

    KINDS = ("hardmax", "softmax", "favor")

    def __post_init__(self) -> None:
        if self.kind not in self.KINDS:
            raise ModelError(f"unknown normalizer {self.kind!r} (expected {', '.join(self.KINDS)})")
        if self.temperature <= 0:
            raise ModelError(f"softmax temperature must be positive, got {self.temperature}")

    def label(self) -> str:
        if self.kind == "hardmax":
            return "hardmax"
        if self.kind == "softmax":
            return f"softmax(tau={self.temperature})"
        return f"favor(tau={self.temperature},m={self.features},seed={self.seed})"


HARDMAX = Normalizer()


@dataclass(frozen=True)
class Head:
    """One attention head. ``query``/``key`` map residual names to score-space names."""

    name: str
    query: LinearMap
    key: LinearMap
    value: LinearMap
    score: Score = "negabs"
    pattern: Pattern = ALL
    normalizer: Normalizer = HARDMAX

    def __post_init__(self) -> None:
        if self.score not in SCORES:
            raise ModelError(f"{self.name}: unknown score {self.score!r} (expected dot or negabs)")

    @property
    def is_inert(self) -> bool:
        """A head whose value map is zero contributes nothing, whatever it attends to."""
        return self.value.is_zero


@dataclass(frozen=True)
class Residual:
    """A residual connection: adds ``scale`` times the sublayer input to the block's output."""

    name: str
    enabled: bool = True
    scale: Fraction = Fraction(1)


@dataclass(frozen=True)
class Attention:
    """An attention sublayer: heads over the decoder prefix (``self``) or the encoder (``encoder``)."""

    name: str
    source: Literal["self", "encoder"]
    heads: tuple[Head, ...]
    residual: Residual


@dataclass(frozen=True)
class FeedForward:
    """A two-layer block ``W2 · act(W1 · x + b1) + b2`` with named hidden units."""

    name: str
    hidden: tuple[str, ...]
    w1: LinearMap
    b1: Mapping[str, Fraction]
    w2: LinearMap
    b2: Mapping[str, Fraction]
    activation: Activation = "relu"
    residual: Residual = field(default_factory=lambda: Residual("ffn.residual"))

    def __post_init__(self) -> None:
        if self.activation not in ACTIVATIONS:
            raise ModelError(f"{self.name}: unknown activation {self.activation!r} (expected relu or sigma)")

    @property
    def is_inert(self) -> bool:
        return not self.hidden and not self.b2


@dataclass(frozen=True)
class Layer:
    """Self-attention, then (decoder only) decoder–encoder attention, then the feed-forward block."""

    name: str
    self_attn: Attention
    ffn: FeedForward
    cross_attn: Attention | None = None

    def sublayers(self) -> tuple[Attention | FeedForward, ...]:
        parts: list[Attention | FeedForward] = [self.self_attn]
        if self.cross_attn is not None:
            parts.append(self.cross_attn)
        parts.append(self.ffn)
        return tuple(parts)


@dataclass(frozen=True)
class Model:
    """An encoder–decoder transformer over a named residual basis ``coords``.

    Encoder input at position e: ``embedding[token_e] + PE(e)``. Decoder input at position p:
    ``o_{p-1} + PE(p)`` with ``o_{-1} = decoder_seed``. Positions are 0-based (PE evaluated at p+1).
    """

    construction: str
    coords: tuple[str, ...]
    embedding: Mapping[str, SparseVector]
    encoder: tuple[Layer, ...]
    decoder: tuple[Layer, ...]
    decoder_seed: SparseVector
    positional_encoding: PositionalEncoding | None
    metadata: Mapping[str, Any] = field(default_factory=dict)
    ablations: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        self.validate()

    @property
    def width(self) -> int:
        return len(self.coords)

    def layers(self) -> Iterator[Layer]:
        yield from self.encoder
        yield from self.decoder

    def heads(self) -> Iterator[Head]:
        for layer in self.layers():
            for attention in (layer.self_attn, layer.cross_attn):
                if attention is not None:
                    yield from attention.heads

    def residuals(self) -> Iterator[Residual]:
        for layer in self.layers():
            for part in layer.sublayers():
                yield part.residual

    def validate(self) -> None:
        """Every name a weight refers to must be a residual coordinate (raises :class:`ModelError`)."""
        known = set(self.coords)
        if len(known) != len(self.coords):
            raise ModelError("duplicate coordinate names in the residual basis")

        def check(names: set[str] | Any, where: str) -> None:
            unknown = sorted(set(names) - known)
            if unknown:
                raise ModelError(f"{where}: unknown coordinate {unknown[0]!r}")

        for token, vector in self.embedding.items():
            check(vector.keys(), f"embedding of {token!r}")
        check(self.decoder_seed.keys(), "decoder seed")
        if self.positional_encoding is not None:
            check(self.positional_encoding.coords, "positional encoding")
        for head in self.heads():
            check(head.query.inputs(), f"{head.name}.query")
            check(head.key.inputs(), f"{head.name}.key")
            check(head.value.inputs() | head.value.outputs(), f"{head.name}.value")
        for layer in self.layers():
            ffn = layer.ffn
            hidden = set(ffn.hidden)
            check(ffn.w1.inputs(), f"{ffn.name}.W1")
            check(ffn.w2.outputs() | set(ffn.b2), f"{ffn.name}.W2")
            stray = (ffn.w1.outputs() | set(ffn.b1) | ffn.w2.inputs()) - hidden
            if stray:
                raise ModelError(f"{ffn.name}: unknown hidden unit {sorted(stray)[0]!r}")


def attention(name: str, source: Literal["self", "encoder"], heads: list[Head] | tuple[Head, ...],
              residual: bool = True) -> Attention:
    """An attention sublayer named ``name`` whose residual is ``<name>.residual``."""
    return Attention(name, source, tuple(heads), Residual(f"{name}.residual", residual))


def inert_head(name: str, pattern: Pattern = CAUSAL) -> Head:
    """A head with zero maps: present in the architecture, contributing nothing."""
    return Head(name, LinearMap.zero(), LinearMap.zero(), LinearMap.zero(), "dot", pattern)


def feed_forward(name: str, hidden: list[str] | tuple[str, ...], w1: LinearMap, b1: Mapping[str, Fraction],
                 w2: LinearMap, b2: Mapping[str, Fraction] | None = None, activation: Activation = "relu",
                 residual: bool = True) -> FeedForward:
    """A feed-forward block named ``name`` whose residual is ``<name>.residual``."""
    return FeedForward(name, tuple(hidden), w1, {k: Fraction(v) for k, v in b1.items() if v},
                       w2, {k: Fraction(v) for k, v in (b2 or {}).items() if v}, activation,
                       Residual(f"{name}.residual", residual))


def inert_ffn(name: str, residual: bool = True) -> FeedForward:
    """An FFN with no hidden units: contributes 0."""
    return feed_forward(name, (), LinearMap.zero(), {}, LinearMap.zero(), residual=residual)


class FeedForwardBuilder:
    """Builds a :class:`FeedForward` one named hidden unit at a time.

    ``unit(name, reads, bias, writes)`` adds hidden unit ``name = act(Σ reads[c]·x[c] + bias)`` whose
    value is added to the residual coordinates with the weights ``writes``.
    """

    def __init__(self) -> None:
        self.hidden: list[str] = []
        self.w1: dict[str, dict[str, Fraction]] = {}
        self.b1: dict[str, Fraction] = {}
        self.w2: dict[str, dict[str, Fraction]] = {}

    def unit(self, name: str, reads: Mapping[str, Fraction | int], bias: Fraction | int,
             writes: Mapping[str, Fraction | int]) -> None:
        if name in self.b1 or name in self.w2:
            raise ModelError(f"duplicate hidden unit {name!r}")
        self.hidden.append(name)
        for coord, weight in reads.items():
            self.w1.setdefault(coord, {})[name] = Fraction(weight)
        self.b1[name] = Fraction(bias)
        self.w2[name] = {coord: Fraction(w) for coord, w in writes.items()}

    def cancel_signed(self, prefix: str, coord: str, also: Mapping[str, Fraction | int] | None = None) -> None:
        """Units ``<prefix>+``/``<prefix>-`` = ReLU(±x[coord]) that remove a signed scalar from the stream
        (and add it, with the weights ``also``, elsewhere)."""
        for sign, suffix in ((1, "+"), (-1, "-")):
            writes = {coord: -sign} | {c: Fraction(w) * sign for c, w in (also or {}).items()}
            self.unit(f"{prefix}{suffix}", {coord: sign}, 0, writes)

    def build(self, name: str, activation: Activation = "relu", residual: bool = True,
              b2: Mapping[str, Fraction] | None = None) -> FeedForward:
        return feed_forward(name, self.hidden, LinearMap.build(self.w1), self.b1, LinearMap.build(self.w2),
                            b2, activation, residual)
