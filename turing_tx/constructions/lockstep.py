"""Lockstep verification: a construction's decoded steps against the reference simulator, field by
field, with the first difference as one line (``step 3: move L (network) vs R (machine)``)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

from turing_tx.constructions.protocol import CompiledMachine
from turing_tx.engine.model import Model
from turing_tx.engine.numbers import DEFAULT_BACKEND
from turing_tx.errors import DecodingError
from turing_tx.machines.machine import TuringMachine
from turing_tx.machines.simulator import Step, Tape, check_step_limit, simulate
from turing_tx.rnn.network import RNN


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
    if actual != expected:  # the fields (the tape takes no part in equality); texts only when they differ
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
