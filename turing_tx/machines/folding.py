"""Folding a two-way tape onto a one-way tape, one step for one step.

Constructions that address the tape by a non-negative position (Pérez et al.) need a machine whose
head never goes left of cell 0. Folding gives one without adding steps:

- cells: original cell c ↦ φ(c) = 2c (c ≥ 0) or −2c−1 (c < 0), i.e. 0, −1, 1, −2, … ↦ 0, 1, 2, 3, …;
- states: q+ / q− record the side of the head (+ for c ≥ 0), plus one halting state per halt name of
  the original machine, so that the verdict (``accept``/``reject``) is a state the network represents.
  A halting state is named by its halt name (a bbchallenge machine keeps ``Z``), except where that
  name is also a live folded state name (halt ``A+`` beside state ``A``): then ``halt:<name>``,
  prefixed again until unique;
- symbols: a (plain) and a* (marked); cells 0 and 1 (original 0 and −1) carry the mark from the start
  and keep it on every write, so the machine knows when it is at the fold;
- moves are −2, −1, +1, +2 in folded cells (crossing the fold is ±1, every other move ±2).

The folded initial tape is u_0 … u_{N−1}, N = 2·max(n,1) + 1: input symbols on even cells, blanks on
odd ones, marks on cells 0 and 1, and a final plain blank *pad* cell that stands for every cell
beyond the input (a construction may clamp reads past the end to it). Documented in
``docs/constructions/perez.md``, "The normal form: folding the tape".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from turing_tx.errors import DecodingError
from turing_tx.machines.machine import TuringMachine


def fold_cell(cell: int) -> int:
    """φ: original cell → folded cell."""
    return 2 * cell if cell >= 0 else -2 * cell - 1


def unfold_cell(folded: int) -> int:
    """φ⁻¹: folded cell → original cell."""
    return folded // 2 if folded % 2 == 0 else -(folded + 1) // 2


@dataclass(frozen=True)
class FoldedTransition:
    """δ'(q', a') = (next state r', written symbol w', folded move)."""

    next_state: str
    write: str
    move: int


@dataclass(frozen=True)
class FoldedMachine:
    """The one-way normal form of a :class:`TuringMachine` (see the module docstring).

    ``halt_names`` maps each halting folded state to the original machine's halt name.
    """

    original: TuringMachine
    states: tuple[str, ...]
    symbols: tuple[str, ...]
    delta: dict[tuple[str, str], FoldedTransition]
    halt_names: dict[str, str]

    @property
    def start(self) -> str:
        return state_name(self.original, 0, "+")

    @property
    def live_states(self) -> tuple[str, ...]:
        return tuple(s for s in self.states if s not in self.halt_names)

    def halt_of(self, folded_state: str) -> str | None:
        """The original halt name of a halting folded state; None for a live one."""
        return self.halt_names.get(folded_state)

    def initial_tape(self, word: Sequence[int]) -> list[str]:
        """u_0 … u_{N−1}: the folded input with marks on cells 0 and 1 and a final plain blank pad."""
        cells = []
        for k in range(max(len(word), 1)):
            mark = "*" if k == 0 else ""
            symbol = word[k] if k < len(word) else 0
            cells.append(f"{symbol}{mark}")
            cells.append(f"0{mark}")
        cells.append("0")
        return cells

    def split_symbol(self, folded_symbol: str) -> tuple[int, bool]:
        """(original symbol index, marked?) of a folded symbol name such as ``1*``.

        A name outside this folded alphabet (read from another machine's network) is a DecodingError.
        """
        if folded_symbol not in self.symbols:
            raise DecodingError(f"{folded_symbol!r} is not a symbol of the folded machine")
        return int(folded_symbol.rstrip("*")), folded_symbol.endswith("*")

    def split_state(self, folded_state: str) -> tuple[int | None, str]:
        """(original state index, side ``+``/``-``), or (None, ``''``) for a halting state.

        A name outside this folded machine (read from another machine's network) is a DecodingError.
        """
        if folded_state in self.halt_names:
            return None, ""
        if folded_state not in self.states:
            raise DecodingError(f"{folded_state!r} is not a state of the folded machine")
        return self.original.states.index(folded_state[:-1]), folded_state[-1]


def state_name(machine: TuringMachine, state: int, side: str) -> str:
    return f"{machine.states[state]}{side}"


def halting_states(machine: TuringMachine, live: Sequence[str]) -> dict[str, str]:
    """Halt name → its folded halting state: the halt name itself, unless a live folded state has
    that name; then ``halt:<name>``, prefixed again while it is still taken (by a live state, a halt
    name or an earlier prefixed name)."""
    taken = set(live) | set(machine.halts)
    folded: dict[str, str] = {}
    for halt in machine.halts:
        name = halt
        if halt in live:
            name = f"halt:{halt}"
            while name in taken:
                name = f"halt:{name}"
            taken.add(name)
        folded[halt] = name
    return folded


def fold(machine: TuringMachine) -> FoldedMachine:
    """The folded machine of ``machine`` (formats: states ``A+``, ``A-``, …, then one halting state per
    halt name; symbols ``1``, ``1*``)."""
    k = machine.num_symbols
    live = tuple(state_name(machine, q, side) for q in range(machine.num_states) for side in "+-")
    halting = halting_states(machine, live)
    symbols = tuple(str(a) for a in range(k)) + tuple(f"{a}*" for a in range(k))
    delta: dict[tuple[str, str], FoldedTransition] = {}
    for q in range(machine.num_states):
        for side in "+-":
            for a in range(k):
                entry = machine.entry(q, a)
                for marked in (False, True):
                    move, new_side = _folded_move(side, entry.move, marked)
                    target = (halting[entry.halt] if entry.halt is not None
                              else state_name(machine, entry.next_state, new_side))  # type: ignore[arg-type]
                    mark = "*" if marked else ""
                    delta[(f"{machine.states[q]}{side}", f"{a}{mark}")] = FoldedTransition(
                        target, f"{entry.write}{mark}", move)
    halt_names = {name: halt for halt, name in halting.items()}
    return FoldedMachine(machine, live + tuple(halting.values()), symbols, delta, halt_names)


def _folded_move(side: str, move: str, marked: bool) -> tuple[int, str]:
    """Folded move and new side for an original move from a cell on ``side`` (the moves rule above)."""
    outward = (side == "+" and move == "R") or (side == "-" and move == "L")
    if outward:
        return 2, side
    if not marked:
        return -2, side
    # at the fold: original cell 0 moving L goes to −1 (+1 folded); cell −1 moving R goes to 0 (−1)
    return (1, "-") if side == "+" else (-1, "+")
