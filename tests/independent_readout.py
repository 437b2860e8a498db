"""An independent readout of raw network values, for tests of honest verification.

"Verified means read from the network": a construction's decoder must fill every field of a checked
step from the network's values alone. To test that, this module reads the same raw values a second
time, by a route that shares no code with the constructions' decoders: it knows only the documented
layouts (coordinate and unit names, the stack encoding, the tick schedule), never the machine's table.
The machine is used for names only (state, halt and symbol names, the alphabet size that fixes the
stack base), and the simulator only to produce the reference the readout is compared with.

Both readouts produce a list of :class:`StepView` (one per machine step: state, head, symbol read and
written, move, next state or halt name, and the non-blank tape after the step), the same shape
:func:`simulator_steps` gives for the reference run, so a test compares two lists.

- **Pérez** (:func:`perez_steps`): the decoder output at position p is the configuration after p
  steps of the folded machine: one-hot ``state:<q'>`` (live states ``<name>+``/``<name>-``, halting
  states by their halt name, or, where that is a live state's name, by ``halt:<name>`` prefixed
  again while taken), one-hot
  ``sym:<a'>`` (the symbol under the head), one-hot ``wr:<a'>`` (the symbol the last step wrote) and
  ``c:r`` = c_p/(p+1) (the folded head). Step p is read from positions p−1 and p; the tape is the
  input with the decoded writes applied at the decoded heads.
- **Siegelmann–Sontag** (:func:`ss_steps`): at tick n+2+3s (n = word length) the hidden state holds
  configuration s: one control unit ``s:<state or halt name>`` equal to 1, and the stacks ``L`` (cells
  left of the head, top = head−1) and ``R`` (the head cell and to its right), each Σ (2a_i+1)/B^i with
  B = 2k. The move is read from how the tape around the head changed (a shift by one cell, the old
  head cell rewritten), the head from the moves.
- **Bhattamishra** (:func:`bhattamishra_hidden`): decoder position t−1 holds h_t in ``h:<unit>``; the
  hidden states go through the Siegelmann–Sontag readout.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from turing_tx.machines.machine import TuringMachine
from turing_tx.machines.simulator import Tape, simulate


class ReadoutError(AssertionError):
    """The raw values do not hold a configuration in the documented layout."""


@dataclass(frozen=True)
class StepView:
    """One machine step as a list of names and numbers (``next`` is a state or halt name)."""

    number: int
    state: str
    head: int
    read: int
    write: int
    move: str
    next: str
    tape: tuple[tuple[int, int], ...]

    def describe(self) -> str:
        cells = " ".join(f"{cell}:{symbol}" for cell, symbol in self.tape)
        return (f"step {self.number}: {self.state} @{self.head} read {self.read} write {self.write} "
                f"move {self.move} -> {self.next}; tape {{{cells}}}")


def _cells(cells: Mapping[int, int]) -> tuple[tuple[int, int], ...]:
    return tuple(sorted((cell, symbol) for cell, symbol in cells.items() if symbol))


def simulator_steps(machine: TuringMachine, word: Sequence[int], max_steps: int) -> list[StepView]:
    """The reference: the plain simulator's steps, each with the tape after it."""
    tape = Tape()
    views = []
    for step in simulate(machine, word, max_steps, tape=tape):
        following = step.halt if step.halted else machine.states[step.next_state]  # type: ignore[index]
        views.append(StepView(step.number, machine.states[step.state], step.head, step.read, step.write,
                              step.move, following, _cells(tape.cells)))  # type: ignore[arg-type]
    return views


def first_difference(network: Sequence[StepView], machine: Sequence[StepView]) -> str | None:
    """None if the two runs agree step by step, else a line naming the first disagreement."""
    for ours, theirs in zip(network, machine, strict=False):
        if ours != theirs:
            return f"network {ours.describe()}\nmachine {theirs.describe()}"
    if len(network) != len(machine):
        return f"network read {len(network)} steps, the machine took {len(machine)}"
    return None


# -- Pérez ------------------------------------------------------------------------------------------

def perez_state_names(machine: TuringMachine) -> dict[str, tuple[str, bool]]:
    """Folded state coordinate suffix → (original state or halt name, halted?), per the layout."""
    live = {f"{name}{side}": (name, False) for name in machine.states for side in "+-"}
    names = dict(live)
    taken = set(live) | set(machine.halts)
    for halt in machine.halts:
        label = halt
        if halt in live:
            label = f"halt:{halt}"
            while label in taken:
                label = f"halt:{label}"
            taken.add(label)
        names[label] = (halt, True)
    return names


def _one_hot(values: Mapping[str, Fraction], prefix: str, where: str) -> str:
    block = {name[len(prefix):]: value for name, value in values.items() if name.startswith(prefix) and value}
    ones = [name for name, value in block.items() if value == 1]
    if len(ones) != 1 or len(block) != 1:
        shown = ", ".join(f"{prefix}{name}={value}" for name, value in block.items()) or "none"
        raise ReadoutError(f"{where}: the {prefix} block is not one-hot ({shown})")
    return ones[0]


def _folded_symbol(name: str, machine: TuringMachine, where: str) -> int:
    digits = name[:-1] if name.endswith("*") else name
    if not digits.isdigit() or not 0 <= int(digits) < machine.num_symbols:
        raise ReadoutError(f"{where}: {name!r} is not a folded symbol of this machine")
    return int(digits)


def _unfold(folded: int) -> int:
    return folded // 2 if folded % 2 == 0 else -(folded + 1) // 2


@dataclass(frozen=True)
class _PerezConfiguration:
    state: str
    halted: bool
    head: int
    read: int
    written: int | None


def _perez_configuration(position: int, values: Mapping[str, Fraction], machine: TuringMachine,
                         names: Mapping[str, tuple[str, bool]]) -> _PerezConfiguration:
    where = f"position {position}"
    state_coord = _one_hot(values, "state:", where)
    if state_coord not in names:
        raise ReadoutError(f"{where}: state:{state_coord} names no state or halt of this machine")
    state, halted = names[state_coord]
    read = _folded_symbol(_one_hot(values, "sym:", where), machine, where)
    written = None if position == 0 else _folded_symbol(_one_hot(values, "wr:", where), machine, where)
    scaled = values.get("c:r", Fraction(0)) * (position + 1)
    if scaled.denominator != 1 or scaled < 0:
        raise ReadoutError(f"{where}: (p+1)·c:r = {scaled} is not a folded cell")
    return _PerezConfiguration(state, halted, _unfold(int(scaled)), read, written)


def perez_steps(outputs: Iterable[Any], machine: TuringMachine, word: Sequence[int],
                steps: int) -> list[StepView]:
    """Steps 1..``steps`` (or to the halt) read from decoder outputs (``DecoderStep``s, positions 0, 1, …)."""
    names = perez_state_names(machine)
    tape = dict(Tape.from_word(word).cells)
    views: list[StepView] = []
    before: _PerezConfiguration | None = None
    for position, output in enumerate(outputs):
        if position > steps:
            break
        values = {name: output.value(name) for name in output.index}
        config = _perez_configuration(position, values, machine, names)
        if before is not None:
            assert config.written is not None
            tape[before.head] = config.written
            shift = config.head - before.head
            move = {1: "R", -1: "L"}.get(shift, f"by {shift}")
            views.append(StepView(position, before.state, before.head, before.read, config.written, move,
                                  config.state, _cells(tape)))
        if config.halted:
            break
        before = config
    return views


# -- Siegelmann–Sontag --------------------------------------------------------------------------------

def stack(value: Fraction, base: int, limit: int, where: str) -> tuple[int, ...]:
    """The symbols, top first, of a stack value Σ (2a_i+1)/base^i (odd digits only)."""
    if not 0 <= value < 1:
        raise ReadoutError(f"{where}: stack value {value} is outside [0, 1)")
    symbols, rest = [], value
    while rest:
        if len(symbols) == limit:
            raise ReadoutError(f"{where}: stack value {value} has more than {limit} digits")
        rest *= base
        digit = rest.numerator // rest.denominator
        if digit % 2 == 0:
            raise ReadoutError(f"{where}: stack value {value} has the even digit {digit}")
        symbols.append(digit // 2)
        rest -= digit
    return tuple(symbols)


@dataclass(frozen=True)
class _StackConfiguration:
    control: str
    left: tuple[int, ...]
    right: tuple[int, ...]

    def around_head(self) -> dict[int, int]:
        """The tape relative to the head: R[i] at +i, L[i] at −1−i (blank cells left out)."""
        cells = {i: a for i, a in enumerate(self.right) if a}
        cells.update({-1 - i: a for i, a in enumerate(self.left) if a})
        return cells


def _ss_configuration(h: Mapping[str, Fraction], machine: TuringMachine, limit: int,
                      where: str) -> _StackConfiguration:
    controls = {unit[2:]: value for unit, value in h.items() if unit.startswith("s:") and value}
    ones = [name for name, value in controls.items() if value == 1]
    if len(ones) != 1 or len(controls) != 1:
        shown = ", ".join(f"s:{name}={value}" for name, value in controls.items()) or "all zero"
        raise ReadoutError(f"{where}: no unique control unit equal to 1 ({shown})")
    control = ones[0]
    if control not in machine.states and control not in machine.halts:
        raise ReadoutError(f"{where}: s:{control} names no state or halt of this machine")
    base = 2 * machine.num_symbols
    return _StackConfiguration(control, stack(h.get("L", Fraction(0)), base, limit, f"{where}: L"),
                               stack(h.get("R", Fraction(0)), base, limit, f"{where}: R"))


def _shifted(before: Mapping[int, int], after: Mapping[int, int], delta: int) -> bool:
    """Does ``after`` (relative to the new head) equal ``before`` moved by ``delta``, except the old
    head cell (which the step rewrote)?"""
    written = -delta
    cells = ({c - delta for c in before} | set(after)) - {written}
    return all(after.get(c, 0) == before.get(c + delta, 0) for c in cells)


def _move(before: _StackConfiguration, after: _StackConfiguration, where: str) -> str:
    old, new = before.around_head(), after.around_head()
    fits = [move for move, delta in (("R", 1), ("L", -1)) if _shifted(old, new, delta)]
    if len(fits) == 2:  # the tape alone cannot tell (e.g. all blank): a right move pushes onto L
        fits = ["R" if len(after.left) > len(before.left) else "L"]
    if not fits:
        raise ReadoutError(f"{where}: no single move turns L {before.left} R {before.right} "
                           f"into L {after.left} R {after.right}")
    return fits[0]


def ss_steps(states: Iterable[Mapping[str, Fraction]], machine: TuringMachine, word: Sequence[int],
             steps: int) -> list[StepView]:
    """Steps 1..``steps`` (or to the halt) read from hidden states h_1, h_2, … (dicts unit → value)."""
    first = len(word) + 2  # the loader's schedule: configuration s is complete at tick n + 2 + 3s
    limit = 4 * (len(word) + steps) + 8
    views: list[StepView] = []
    head = 0
    before: _StackConfiguration | None = None
    for tick, h in enumerate(states, start=1):
        if tick < first or (tick - first) % 3:
            continue
        number = (tick - first) // 3
        if number > steps:
            break
        config = _ss_configuration(h, machine, limit, f"tick {tick}")
        if before is None:
            if config.control not in machine.states:
                raise ReadoutError(f"tick {tick}: the initial configuration is halted")
        else:
            move = _move(before, config, f"tick {tick}")
            delta = 1 if move == "R" else -1
            written = config.around_head().get(-delta, 0)
            read = before.around_head().get(0, 0)
            head += delta
            tape = {head + cell: symbol for cell, symbol in config.around_head().items()}
            views.append(StepView(number, before.control, head - delta, read, written, move, config.control,
                                  _cells(tape)))
            if config.control in machine.halts:
                break
        before = config
    return views


# -- Bhattamishra -----------------------------------------------------------------------------------

def bhattamishra_hidden(outputs: Iterable[Any]) -> Iterator[dict[str, Fraction]]:
    """h_1, h_2, … read from the decoder outputs (position t−1 holds h_t in ``h:<unit>``)."""
    for output in outputs:
        yield {name[2:]: output.value(name) for name in output.index if name.startswith("h:")}
