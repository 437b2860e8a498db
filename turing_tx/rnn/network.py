"""Rational σ-RNNs as first-class machines, with a plain exact reference runner.

    h_t = σ(W_h h_{t−1} + W_x x_t + b),   σ(x) = min(max(x, 0), 1),   t = 1, 2, …

Units and input symbols are named; x_t is one-hot over the input alphabet. The input is
x_1..x_m (m ≥ 1); for t > m the input **stays x_m** (by convention the last symbol is an end marker
``$``, so the network sees ``$`` forever once the word is consumed). Weights are exact rationals.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction

from turing_tx.engine.numbers import Backend
from turing_tx.errors import ExecutionError, ModelError, UsageError

State = dict[str, Fraction]


def sigma(x: Fraction) -> Fraction:
    """The clipped-linear activation min(max(x, 0), 1)."""
    return Fraction(0) if x <= 0 else Fraction(1) if x >= 1 else x


@dataclass(frozen=True)
class RNN:
    """``w_h[j][k]`` is the weight from unit k into unit j; ``w_x[j][a]`` from input symbol a into j."""

    units: tuple[str, ...]
    inputs: tuple[str, ...]
    w_h: Mapping[str, Mapping[str, Fraction]]
    w_x: Mapping[str, Mapping[str, Fraction]]
    bias: Mapping[str, Fraction]
    h0: Mapping[str, Fraction]
    name: str = ""
    metadata: Mapping[str, object] = field(default_factory=dict)

    def __post_init__(self) -> None:
        units, inputs = set(self.units), set(self.inputs)
        if not self.units:
            raise ModelError("an RNN needs at least one unit")
        if not self.inputs:
            raise ModelError("an RNN needs at least one input symbol")
        if len(units) != len(self.units) or len(inputs) != len(self.inputs):
            raise ModelError("duplicate unit or input symbol names")
        for j, row in self.w_h.items():
            if j not in units or not set(row) <= units:
                bad = j if j not in units else sorted(set(row) - units)[0]
                raise ModelError(f"W_h: unknown unit {bad!r}")
        for j, row in self.w_x.items():
            if j not in units:
                raise ModelError(f"W_x: unknown unit {j!r}")
            if not set(row) <= inputs:
                raise ModelError(f"W_x: unknown input symbol {sorted(set(row) - inputs)[0]!r}")
        for where, vector in (("b", self.bias), ("h0", self.h0)):
            if not set(vector) <= units:
                raise ModelError(f"{where}: unknown unit {sorted(set(vector) - units)[0]!r}")

    @property
    def size(self) -> int:
        return len(self.units)

    def initial_state(self) -> State:
        return {u: Fraction(self.h0.get(u, 0)) for u in self.units}

    def step(self, h: Mapping[str, Fraction], symbol: str) -> State:
        """One tick: σ(W_h h + W_x x + b) for the one-hot input ``symbol``."""
        if symbol not in self.inputs:
            raise ExecutionError(f"input symbol {symbol!r} is not in the RNN's alphabet {' '.join(self.inputs)}")
        out: State = {}
        for j in self.units:
            total = Fraction(self.bias.get(j, 0)) + Fraction(self.w_x.get(j, {}).get(symbol, 0))
            for k, w in self.w_h.get(j, {}).items():
                value = h[k]
                if value:
                    total += w * value
            out[j] = sigma(total)
        return out

    def run(self, word: Sequence[str], ticks: int | None = None,
            backend: Backend | None = None) -> Iterator[State]:
        """h_1, h_2, … (``ticks`` of them, else forever); the input stays at its last symbol.

        Exact backends (and the default) run this reference in Fractions. A float ``backend`` (float64,
        float32, mpmath:<bits>) runs the same update in its arithmetic, for precision ablations; its
        states are reported as the exact rationals the floats hold.
        """
        if not word:
            raise UsageError("an RNN input needs at least one symbol")
        if backend is not None and not backend.exact:
            yield from self._float_run(word, ticks, backend)
            return
        h = self.initial_state()
        t = 0
        while ticks is None or t < ticks:
            h = self.step(h, word[min(t, len(word) - 1)])
            t += 1
            yield h

    def _float_run(self, word: Sequence[str], ticks: int | None, numbers: Backend) -> Iterator[State]:
        with numbers.context():
            zero, one = numbers.zero, numbers.one
            w_h = {j: {k: numbers.convert(w) for k, w in row.items()} for j, row in self.w_h.items()}
            w_x = {j: {a: numbers.convert(w) for a, w in row.items()} for j, row in self.w_x.items()}
            bias = {j: numbers.convert(Fraction(self.bias.get(j, 0))) for j in self.units}
            h = {j: numbers.convert(Fraction(self.h0.get(j, 0))) for j in self.units}
        t = 0
        while ticks is None or t < ticks:
            symbol = word[min(t, len(word) - 1)]
            with numbers.context():
                pre = {j: bias[j] + w_x.get(j, {}).get(symbol, zero)
                       + sum((w * h[k] for k, w in w_h.get(j, {}).items()), zero) for j in self.units}
                h = {j: zero if v <= zero else one if v >= one else v for j, v in pre.items()}
            t += 1
            yield {j: numbers.to_fraction(v) for j, v in h.items()}
