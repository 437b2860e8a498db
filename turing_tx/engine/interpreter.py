"""The interpreter: runs a :class:`~turing_tx.engine.model.Model` on an input, one decoder step at a time.

The encoder runs once over the input tokens. The decoder then runs autoregressively: the input at
position p is the output of position p−1 (the model's seed at p = 0) plus the positional encoding.
Each decoder self-attention head keeps a key/value cache, so earlier positions are never recomputed;
decoder–encoder heads precompute their keys and values once. :meth:`Interpreter.run` is an iterator of
:class:`DecoderStep` objects: callers stream it, stop early, or collect it.

Arithmetic uses one number backend (:mod:`turing_tx.engine.numbers`): exact rationals by default, floats only
when a precision ablation asks for them.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np

from turing_tx.engine.attention import AttentionResult, KeyValueCache, make_cache
from turing_tx.engine.lowering import BoundMap, Dense, dense, index_of
from turing_tx.engine.model import Attention, FeedForward, Head, Layer, Model
from turing_tx.engine.numbers import DEFAULT_BACKEND, Backend, Number, get_backend
from turing_tx.errors import ExecutionError


class BitMeter:
    """The largest numerator and denominator bit lengths seen in a run (exact backends only)."""

    def __init__(self, backend: Backend) -> None:
        self.backend = backend
        self.numerator = 0
        self.denominator = 0

    def observe(self, values: Sequence[Number]) -> None:
        ratio = self.backend.ratio
        for value in values:
            if value:
                p, q = ratio(value)
                if abs(p).bit_length() > self.numerator:
                    self.numerator = abs(p).bit_length()
                if q.bit_length() > self.denominator:
                    self.denominator = q.bit_length()

    def observe_fraction(self, value: Fraction) -> None:
        self.numerator = max(self.numerator, abs(value.numerator).bit_length())
        self.denominator = max(self.denominator, value.denominator.bit_length())

    @property
    def bits(self) -> int:
        return max(self.numerator, self.denominator)


@dataclass
class DecoderStep:
    """The decoder's output at one position, readable by coordinate name."""

    position: int
    output: Dense
    index: Mapping[str, int]
    backend: Backend
    sublayers: dict[str, Dense] = field(default_factory=dict)
    attention: dict[str, np.ndarray] = field(default_factory=dict)

    def value(self, name: str) -> Fraction:
        """Exact value of coordinate ``name`` (0 for names outside the basis)."""
        i = self.index.get(name)
        return Fraction(0) if i is None else self.backend.to_fraction(self.output[i])

    def vector(self, which: Dense | None = None) -> dict[str, Fraction]:
        """The non-zero coordinates of the output (or of a recorded sublayer vector)."""
        values = self.output if which is None else which
        names = list(self.index)
        return {names[i]: self.backend.to_fraction(v) for i, v in enumerate(values) if v}

    def nonzero_names(self, prefix: str) -> list[str]:
        names = list(self.index)
        return [names[i] for i, v in enumerate(self.output) if v and names[i].startswith(prefix)]


class _BoundHead:
    def __init__(self, head: Head, index: Mapping[str, int], backend: Backend) -> None:
        self.head = head
        score_space = index_of(sorted(head.query.outputs() | head.key.outputs()))
        self.score_dim = len(score_space)
        self.query = BoundMap(head.query, index, score_space, backend)
        self.key = BoundMap(head.key, index, score_space, backend)
        self.value = BoundMap(head.value, index, index, backend)
        self.inert = head.value.is_zero

    def new_cache(self, backend: Backend, width: int) -> KeyValueCache:
        return make_cache(backend, width, self.score_dim, self.head.score, self.head.normalizer)


class _BoundFeedForward:
    def __init__(self, ffn: FeedForward, index: Mapping[str, int], backend: Backend) -> None:
        hidden = index_of(ffn.hidden)
        self.w1 = BoundMap(ffn.w1, index, hidden, backend)
        self.b1 = dense(ffn.b1, hidden, backend)
        self.w2 = BoundMap(ffn.w2, hidden, index, backend)
        self.b2 = dense(ffn.b2, index, backend)
        self.sigma = ffn.activation == "sigma"
        self.zero, self.one = backend.zero, backend.one

    def __call__(self, x: Dense, out: Dense) -> None:
        """``out += FFN(x)``."""
        pre = self.w1.apply(x)
        zero, one = self.zero, self.one
        hidden = [0] * len(pre)
        for u, (value, bias) in enumerate(zip(pre, self.b1, strict=True)):
            value = value + bias
            if value > zero:
                hidden[u] = one if self.sigma and value > one else value
            else:
                hidden[u] = zero
        self.w2.add_into(hidden, out)
        for i, bias in enumerate(self.b2):
            if bias:
                out[i] += bias


class Interpreter:
    """Binds a model to a number backend; :meth:`run` executes it on an input word."""

    def __init__(self, model: Model, backend: Backend | str | None = None, *,
                 record_sublayers: bool = False, record_attention: bool = False,
                 track_bits: bool = False) -> None:
        self.model = model
        self.backend = backend if isinstance(backend, Backend) else get_backend(backend or DEFAULT_BACKEND)
        if track_bits and not self.backend.exact:
            raise ExecutionError("bit tracking needs an exact backend")
        self.index = index_of(model.coords)
        self.width = len(model.coords)
        self.record_sublayers = record_sublayers
        self.record_attention = record_attention
        self.bits = BitMeter(self.backend) if track_bits else None
        b = self.backend
        self._heads = {h.name: _BoundHead(h, self.index, b) for h in model.heads()}
        self._ffns = {layer.ffn.name: _BoundFeedForward(layer.ffn, self.index, b) for layer in model.layers()}
        self._embedding = {token: dense(vector, self.index, b) for token, vector in model.embedding.items()}
        self._seed = dense(model.decoder_seed, self.index, b)
        self._scales = {r.name: b.convert(r.scale) for r in model.residuals()}

    # -- helpers ---------------------------------------------------------------------------------
    def _positional(self, position: int, x: Dense) -> Dense:
        encoding = self.model.positional_encoding
        if encoding is None:
            return x
        x = list(x)
        for name, value in encoding.vector(position).items():
            x[self.index[name]] += self.backend.convert(value)
        return x

    def _residual_start(self, sublayer: Attention | FeedForward, x: Dense) -> Dense:
        residual = sublayer.residual
        if not residual.enabled:
            return [self.backend.zero] * self.width
        if residual.scale == 1:
            return list(x)
        scale = self._scales[residual.name]
        return [v * scale for v in x]

    def _observe(self, *vectors: Sequence[Number]) -> None:
        if self.bits is not None:
            for vector in vectors:
                self.bits.observe(vector)

    def _attend(self, cache: KeyValueCache, query: Dense, visible: slice | np.ndarray) -> AttentionResult:
        result = cache.attend(query, visible)
        if self.bits is not None and result.score is not None:
            self.bits.observe_fraction(result.score)
        return result

    def _ffn_sublayer(self, ffn: FeedForward, x: Dense) -> Dense:
        out = self._residual_start(ffn, x)
        self._ffns[ffn.name](x, out)
        return out

    # -- encoder ---------------------------------------------------------------------------------
    def encode(self, tokens: Sequence[str]) -> list[Dense]:
        """Encoder outputs for ``tokens`` (embedding + positional encoding, then every encoder layer)."""
        if not tokens:
            raise ExecutionError("the encoder input is empty; every construction needs at least one token")
        unknown = [t for t in tokens if t not in self._embedding]
        if unknown:
            raise ExecutionError(f"token {unknown[0]!r} has no embedding in this model")
        xs = [self._positional(e, self._embedding[t]) for e, t in enumerate(tokens)]
        for layer in self.model.encoder:
            xs = self._encoder_layer(layer, xs)
        return xs

    def _encoder_layer(self, layer: Layer, xs: list[Dense]) -> list[Dense]:
        sub = layer.self_attn
        outs = [self._residual_start(sub, x) for x in xs]
        for head in sub.heads:
            bound = self._heads[head.name]
            if bound.inert:
                continue
            cache = bound.new_cache(self.backend, self.width)
            for x in xs:
                cache.append(bound.key.apply(x), bound.value.apply(x))
            for i, x in enumerate(xs):
                result = self._attend(cache, bound.query.apply(x), head.pattern.visible(i, len(xs)))
                for j, v in enumerate(result.output):
                    if v:
                        outs[i][j] += v
        self._observe(*outs)
        outs = [self._ffn_sublayer(layer.ffn, x) for x in outs]
        self._observe(*outs)
        return outs

    # -- decoder ---------------------------------------------------------------------------------
    def run(self, tokens: Sequence[str], max_positions: int | None = None) -> Iterator[DecoderStep]:
        """Decoder steps p = 0, 1, 2, … (at most ``max_positions`` of them, else unbounded)."""
        with self.backend.context():
            yield from self._run(tokens, max_positions)

    def _run(self, tokens: Sequence[str], max_positions: int | None) -> Iterator[DecoderStep]:
        memory = self.encode(tokens)
        n_memory = len(memory)
        self_caches: dict[str, KeyValueCache] = {}
        cross_caches: dict[str, KeyValueCache] = {}
        for layer in self.model.decoder:
            for head in layer.self_attn.heads:
                self_caches[head.name] = self._heads[head.name].new_cache(self.backend, self.width)
            if layer.cross_attn is not None:
                for head in layer.cross_attn.heads:
                    bound = self._heads[head.name]
                    if bound.inert:
                        continue
                    cache = bound.new_cache(self.backend, self.width)
                    for m in memory:
                        key = bound.key.apply(m)
                        self._observe(key)
                        cache.append(key, bound.value.apply(m))
                    cross_caches[head.name] = cache
        previous = self._seed
        position = 0
        while max_positions is None or position < max_positions:
            step = DecoderStep(position, [], self.index, self.backend)
            x = self._positional(position, previous)
            for layer in self.model.decoder:
                x = self._decoder_attention(layer.self_attn, x, position, self_caches, step, position + 1)
                if layer.cross_attn is not None:
                    x = self._decoder_attention(layer.cross_attn, x, position, cross_caches, step, n_memory)
                x = self._ffn_sublayer(layer.ffn, x)
                self._observe(x)
                if self.record_sublayers:
                    step.sublayers[layer.ffn.name] = x
            step.output = x
            yield step
            previous = x
            position += 1

    def _decoder_attention(self, sub: Attention, x: Dense, position: int, caches: dict[str, KeyValueCache],
                           step: DecoderStep, n_keys: int) -> Dense:
        out = self._residual_start(sub, x)
        for head in sub.heads:
            bound = self._heads[head.name]
            if bound.inert:
                continue
            cache = caches[head.name]
            if sub.source == "self":
                key = bound.key.apply(x)
                self._observe(key)
                cache.append(key, bound.value.apply(x))
            query = bound.query.apply(x)
            self._observe(query)
            result = self._attend(cache, query, head.pattern.visible(position, n_keys))
            if self.record_attention:
                step.attention[head.name] = result.winners
            for j, v in enumerate(result.output):
                if v:
                    out[j] += v
        self._observe(out)
        if self.record_sublayers:
            step.sublayers[sub.name] = out
        return out


def decoder_outputs(model: Model, tokens: Sequence[str], positions: int, backend: Backend | str | None = None,
                    ) -> list[tuple[Fraction, ...]]:
    """The exact values of the decoder outputs at positions 0..positions−1 (no decoding)."""
    interpreter = Interpreter(model, backend)
    to_fraction = interpreter.backend.to_fraction
    return [tuple(to_fraction(v) for v in step.output) for step in interpreter.run(tokens, positions)]
