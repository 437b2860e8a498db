"""Running a user's RNN through a transformer construction, checked tick by tick against the RNN itself.

``turing-tx run --rnn rnn.json --input WORD -c bhattamishra-pe|bhattamishra-mask`` compiles the RNN with
the construction's RNN interface (:class:`~turing_tx.constructions.protocol.RNNConstruction`), runs the
transformer in the exact interpreter, decodes h_t from every decoder output, and compares it exactly
with the reference runner's h_t.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from turing_tx.constructions.protocol import RNNConstruction
from turing_tx.constructions.registry import get_construction
from turing_tx.engine.interpreter import Interpreter
from turing_tx.engine.model import Model
from turing_tx.engine.numbers import DEFAULT_BACKEND, get_backend
from turing_tx.errors import DecodingError, UsageError
from turing_tx.io.rationals import format_rational
from turing_tx.machines.simulator import check_step_limit
from turing_tx.rnn.network import RNN, State


def split_rnn_word(rnn: RNN, text: str) -> list[str]:
    """An RNN input word: characters when every input symbol is one character, else whitespace/commas."""
    if all(len(symbol) == 1 for symbol in rnn.inputs) and not any(c in text for c in " ,"):
        word = list(text)
    else:
        word = text.replace(",", " ").split()
    unknown = [a for a in word if a not in rnn.inputs]
    if unknown:
        raise UsageError(f"input symbol {unknown[0]!r} is not in the RNN's alphabet {' '.join(rnn.inputs)}")
    if not word:
        raise UsageError("an RNN input needs at least one symbol")
    return word


@dataclass
class RNNRunReport:
    """Ticks run, whether every decoded h_t equalled the RNN's (else the first tick that did not, and
    why), and the last state."""

    construction: str
    ticks: int = 0
    verified: bool = True
    mismatch: str = ""
    mismatch_tick: int | None = None
    dimension: int = 0
    max_bits: int | None = None
    states: list[State] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        last = self.states[-1] if self.states else {}
        out: dict[str, Any] = {"construction": self.construction, "ticks": self.ticks, "verified": self.verified,
                               "dimension": self.dimension, "max_bits": self.max_bits,
                               "hidden": {u: format_rational(v) for u, v in last.items()}}
        if not self.verified:
            out["mismatch"] = self.mismatch
        return out


def run_rnn(rnn: RNN, word: Sequence[str], construction_name: str, ticks: int, *,
            backend: str = DEFAULT_BACKEND, keep: bool = False, model: Model | None = None) -> RNNRunReport:
    """``ticks`` ticks of ``rnn`` on ``word`` through the construction's transformer (or ``model`` in
    its place: an edited or ablated one), checked exactly."""
    check_step_limit(ticks)
    construction = get_construction(construction_name)
    if not hasattr(construction, "compile_rnn"):
        raise UsageError(f"construction {construction_name} does not compile RNNs "
                         "(use bhattamishra-pe or bhattamishra-mask)")
    rnn_construction: RNNConstruction = construction  # type: ignore[assignment]
    model = model or rnn_construction.compile_rnn(rnn)
    exact = get_backend(backend).exact
    interpreter = Interpreter(model, backend, track_bits=exact)
    report = RNNRunReport(construction_name, dimension=model.width)
    reference = rnn.run(word, ticks)
    for step, expected in zip(interpreter.run(rnn_construction.rnn_tokens(word), ticks), reference, strict=True):
        try:
            hidden = rnn_construction.decode_hidden(step)
        except DecodingError as exc:
            report.verified, report.mismatch, report.mismatch_tick = False, str(exc), step.position + 1
            break
        report.ticks = step.position + 1
        if keep or step.position + 1 == ticks:
            report.states.append(hidden)
        if hidden != expected:
            unit = next(u for u in rnn.units if hidden.get(u) != expected[u])
            report.verified, report.mismatch_tick = False, report.ticks
            report.mismatch = (f"tick {report.ticks}: unit {unit} is {hidden.get(unit)} in the transformer, "
                               f"{expected[unit]} in the RNN")
            break
    if interpreter.bits is not None:
        report.max_bits = interpreter.bits.bits
    return report
