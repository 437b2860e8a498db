"""What every construction provides, how the engine finds them, and lockstep verification.

A construction is a compiler from a Turing machine (and its input word) to a :class:`CompiledMachine`:
an executable object (a transformer :class:`~turing_tx.model.Model`, or an RNN) that can be run and
whose outputs decode back to the machine's steps. Constructions live in the ``constructions``
package and depend on this engine; the engine never imports them directly. It finds them through
the ``turing_tx.constructions`` entry-point group declared in ``pyproject.toml``, so a third-party
package can add its own.

Every compiled machine yields the same :class:`~turing_tx.simulator.Step` events as the reference
simulator, so verification is one lockstep comparison for all of them (:func:`verify`).
"""

from __future__ import annotations

import abc
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from importlib.resources import files
from typing import Any, Protocol

import yaml

from turing_tx.errors import DecodingError, UsageError
from turing_tx.interpreter import DecoderStep
from turing_tx.machine import TuringMachine
from turing_tx.model import Model
from turing_tx.numbers import DEFAULT_BACKEND
from turing_tx.rnn import RNN, State
from turing_tx.simulator import Step, Tape, check_step_limit, simulate


@dataclass
class Observation:
    """A run of a (possibly ablated) model that does not stop at the first wrong step.

    ``steps``: the machine steps decoded until the first decoding failure (``error``, at configuration
    ``error_configuration``); ``outputs``: the decoder outputs (exact values) of every position run, so
    ablation studies can count how many distinct outputs a model can emit; ``first_divergence_tick``:
    for RNN-based constructions, the first tick whose hidden state differs from the RNN's.
    """

    steps: list[Step]
    error: str | None = None
    error_configuration: int | None = None
    distinct_outputs: int = 0
    positions: int = 0
    first_divergence_tick: int | None = None
    outputs: list[tuple[Any, ...]] = field(default_factory=list, repr=False)

    def record_outputs(self, outputs: list[tuple[Any, ...]]) -> None:
        self.outputs = outputs
        self.distinct_outputs, self.positions = len(set(outputs)), len(outputs)


class CompiledMachine(abc.ABC):
    """A machine compiled by one construction, ready to run on its input word."""

    construction: str
    machine: TuringMachine
    word: tuple[int, ...]

    #: largest numerator/denominator bit length seen by the last traced run (exact backends)
    max_bits: int | None = None

    @property
    @abc.abstractmethod
    def dimension(self) -> int:
        """The residual width (transformers) or the number of hidden units (RNNs)."""

    def ticks_for(self, steps: int) -> int | None:
        """Network ticks needed for ``steps`` machine steps (RNN-based constructions), else None."""
        del steps
        return None

    @abc.abstractmethod
    def describe(self) -> dict[str, Any]:
        """Sizes and counts worth reporting (width, paper's formula, layers, heads, hidden units)."""

    def observe(self, model: Model | None, backend: str, steps: int) -> Observation:
        """Run ``model`` (None: the compiled one) for ``steps`` machine steps, collecting what it
        decodes and emits (see :class:`Observation`); what ablation studies compare."""
        raise UsageError(f"{self.construction} does not support ablation runs")

    @abc.abstractmethod
    def trace(self, max_steps: int | None = None, *, backend: str = DEFAULT_BACKEND,
              model: Model | RNN | None = None, track_bits: bool = False) -> Iterator[Step]:
        """The machine's steps decoded from the compiled object, in the original machine's terms.

        ``model`` replaces the compiled network (an ablated copy, a model read from a file, the
        model of another machine) for this run; it is read with this construction's decoder, which
        fills every field of a step from the network's values alone. Decoding failures raise
        :class:`~turing_tx.errors.DecodingError`.
        """


class Construction(Protocol):
    """A published construction: its CLI name, the paper, the compiler, and the paper's claims about
    the construction's components (data: ``claims/<name>.yaml`` beside the construction's module)."""

    name: str
    paper: str

    def compile(self, machine: TuringMachine, word: tuple[int, ...] = ()) -> CompiledMachine: ...

    def claims(self) -> Mapping[str, Any]: ...


class ShippedClaims:
    """Mixin for construction objects: ``claims()`` reads ``claims/<name>.yaml`` from the package that
    defines the construction (see turing_tx.ablation.claims for the table's columns)."""

    name: str

    def claims(self) -> dict[str, Any]:
        package = type(self).__module__.rpartition(".")[0] or type(self).__module__
        text = files(package).joinpath("claims", f"{self.name}.yaml").read_text(encoding="utf-8")
        return yaml.safe_load(text)


class RNNConstruction(Protocol):
    """A construction that also compiles a user's own RNN (Bhattamishra et al.): decoder step t = tick t."""

    name: str

    def compile_rnn(self, rnn: RNN, **options: Any) -> Model: ...

    def rnn_tokens(self, rnn_word: Sequence[str]) -> list[str]: ...

    def decode_hidden(self, step: DecoderStep) -> State: ...


def construction_names() -> list[str]:
    """Names of every registered construction (entry-point group ``turing_tx.constructions``)."""
    return sorted({point.name for point in entry_points(group="turing_tx.constructions")})


def get_construction(name: str) -> Construction:
    """The construction registered as ``name`` (loaded on demand)."""
    for point in entry_points(group="turing_tx.constructions"):
        if point.name == name:
            return point.load()
    raise UsageError(f"unknown construction {name!r} (available: {', '.join(construction_names())})")


@dataclass
class Verification:
    """Outcome of a lockstep run against the reference simulator (``verified`` None: nothing was
    checked, as for a run of the simulator itself)."""

    steps: int = 0
    verified: bool | None = True
    first_mismatch: int | None = None
    detail: str = ""
    decoded: list[Step] = field(default_factory=list)


def _state_text(machine: TuringMachine, state: int | None, halt: str | None) -> str:
    return f"halt {halt}" if state is None else machine.states[state]


def _symbol_text(machine: TuringMachine, symbol: int) -> str:
    return machine.symbols[symbol] if 0 <= symbol < machine.num_symbols else f"#{symbol}"


def _field_texts(machine: TuringMachine, step: Step) -> dict[str, str]:
    """The fields of a step, in the order they are compared, as the machine names them."""
    return {
        "state": _state_text(machine, step.state, None),
        "head": str(step.head),
        "read": _symbol_text(machine, step.read),
        "write": _symbol_text(machine, step.write),
        "move": step.move,
        "next state": _state_text(machine, step.next_state, step.halt),
    }


def _tape_difference(machine: TuringMachine, network: Mapping[int, int], simulator: Tape) -> str | None:
    """The first cell (by position) where the network's tape and the simulator's differ, if any."""
    if network == simulator.cells:  # the fast path: both hold non-blank cells only
        return None
    cells = network.keys() | simulator.cells.keys()
    differing = [cell for cell in cells if network.get(cell, 0) != simulator.read(cell)]
    if not differing:  # only explicitly blank cells differ
        return None
    cell = min(differing)
    return (f"tape cell {cell} {_symbol_text(machine, network.get(cell, 0))} (network) vs "
            f"{_symbol_text(machine, simulator.read(cell))} (machine)")


def describe_mismatch(machine: TuringMachine, expected: Step | None, actual: Step | None,
                      tape: Tape | None = None) -> str | None:
    """``step N: FIELD VALUE (network) vs VALUE (machine)`` for the first field in which the decoded
    step ``actual`` differs from the simulator's ``expected`` (after which the simulator's tape is
    ``tape``); None if they agree."""
    if expected is None:
        return f"step {actual.number}: the network ran on after the machine halted"  # type: ignore[union-attr]
    if actual is None:
        return f"step {expected.number}: the network stopped before the machine did"
    theirs, ours = _field_texts(machine, expected), _field_texts(machine, actual)
    for name, value in ours.items():
        if value != theirs[name]:
            return f"step {expected.number}: {name} {value} (network) vs {theirs[name]} (machine)"
    if actual.tape is not None and tape is not None:
        difference = _tape_difference(machine, actual.tape, tape)
        if difference is not None:
            return f"step {expected.number}: {difference}"
    return None


def lockstep(machine: TuringMachine, word: tuple[int, ...], decoded: Iterator[Step],
             max_steps: int | None, state: Verification) -> Iterator[Step]:
    """Decoded steps that agree with the reference simulator; ``state`` records the first mismatch.

    Every field of each decoded step is compared: state, head, symbol read and written, move, next
    state or halting state, and, where the construction represents the tape itself, the whole tape
    (non-blank cells). The iterator stops at the first mismatch (or decoding error), leaving
    ``state.verified`` false and ``state.detail`` a one-line account.
    """
    check_step_limit(max_steps)
    tape = Tape()
    reference = simulate(machine, word, max_steps, tape=tape)
    while True:
        expected = next(reference, None)
        try:
            actual = next(decoded, None)
        except DecodingError as exc:
            state.verified = False
            state.first_mismatch = expected.number if expected else state.steps + 1
            state.detail = f"step {state.first_mismatch}: {exc}"
            return
        if expected is None and actual is None:
            return
        detail = describe_mismatch(machine, expected, actual, tape)
        if detail is not None:
            state.verified = False
            state.first_mismatch = (expected or actual).number  # type: ignore[union-attr]
            state.detail = detail
            return
        state.steps = actual.number  # type: ignore[union-attr]
        yield actual  # type: ignore[misc]


def verify(compiled: CompiledMachine, max_steps: int | None, *, backend: str = DEFAULT_BACKEND,
           keep: bool = False, model: Model | RNN | None = None) -> Verification:
    """Run ``compiled`` (or ``model`` in its place, read with ``compiled``'s decoder) in lockstep
    with the reference simulator; the first mismatch, if any."""
    result = Verification()
    for step in lockstep(compiled.machine, compiled.word, compiled.trace(max_steps, backend=backend, model=model),
                         max_steps, result):
        if keep:
            result.decoded.append(step)
    return result
