"""The plain reference simulator, and the run record every construction's decoded trace is checked against.

A run is an iterator of :class:`Step` events (one per executed transition, the halting one included);
a :class:`Tape` applies them. The compiled constructions decode their outputs into the same events,
so verification is a lockstep comparison of two iterators, and every report (trace table, JSON
summary, space-time diagram) consumes events the same way whatever produced them.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from turing_tx.errors import UsageError
from turing_tx.machines.machine import Move, TuringMachine


@dataclass(frozen=True)
class Step:
    """One executed transition: from (state, head, read) it wrote, moved and went to next/halt.

    ``tape`` is the tape after the step *as a network represents it*: its non-blank cells only, by
    absolute cell, in a dict the decoder does not change afterwards (a run record keeps it). Decoders
    whose construction holds the tape itself set it (Pérez: the input and the decoded writes;
    Siegelmann–Sontag: the two stacks around the head); it is None for the simulator, whose tape lives
    in :class:`Tape`. It takes no part in equality: :func:`turing_tx.constructions.lockstep.lockstep`
    compares it cell by cell with the simulator's tape.
    """

    number: int
    state: int
    head: int
    read: int
    write: int
    move: Move
    next_state: int | None
    halt: str | None
    tape: dict[int, int] | None = field(default=None, compare=False, repr=False)

    @property
    def head_after(self) -> int:
        return self.head + (1 if self.move == "R" else -1)

    @property
    def halted(self) -> bool:
        return self.next_state is None


@dataclass
class Tape:
    """A two-way infinite tape holding only its non-blank cells."""

    cells: dict[int, int] = field(default_factory=dict)

    @classmethod
    def from_word(cls, word: Sequence[int]) -> Tape:
        return cls({i: a for i, a in enumerate(word) if a})

    def read(self, cell: int) -> int:
        return self.cells.get(cell, 0)

    def write(self, cell: int, symbol: int) -> None:
        if symbol:
            self.cells[cell] = symbol
        else:
            self.cells.pop(cell, None)

    @property
    def nonblank(self) -> int:
        return len(self.cells)

    def span(self) -> tuple[int, list[int]]:
        """(first non-blank cell, symbols from it to the last non-blank cell); (0, []) if blank."""
        if not self.cells:
            return 0, []
        low, high = min(self.cells), max(self.cells)
        return low, [self.cells.get(c, 0) for c in range(low, high + 1)]


def check_step_limit(max_steps: int | None) -> None:
    if max_steps is not None and (not isinstance(max_steps, int) or max_steps < 0):
        raise UsageError(f"step limit must be a non-negative integer, got {max_steps}")


def simulate(machine: TuringMachine, word: Sequence[int] = (), max_steps: int | None = None, *,
             tape: Tape | None = None) -> Iterator[Step]:
    """Steps of ``machine`` on ``word`` (head on cell 0, state 0) until it halts or ``max_steps``.

    ``tape`` (an empty :class:`Tape`) lets the caller watch the tape: it holds the word at the start
    and each step's write by the time that step is yielded.
    """
    check_step_limit(max_steps)
    tape = tape if tape is not None else Tape()
    tape.cells.update(Tape.from_word(word).cells)
    state, head, number = 0, 0, 0
    while max_steps is None or number < max_steps:
        read = tape.read(head)
        entry = machine.entry(state, read)
        number += 1
        step = Step(number, state, head, read, entry.write, entry.move, entry.next_state, entry.halt)
        tape.write(head, entry.write)
        head = step.head_after
        yield step
        if step.halted:
            return
        state = entry.next_state  # type: ignore[assignment]


@dataclass
class RunRecord:
    """What a run came to: the configuration after its last step, in the machine's own terms."""

    machine: TuringMachine
    tape: Tape
    steps: int = 0
    head: int = 0
    state: int | None = 0
    halt: str | None = None
    source_steps: int = 0
    last_implicit: bool = False
    head_before: int = 0

    @classmethod
    def start(cls, machine: TuringMachine, word: Sequence[int] = ()) -> RunRecord:
        return cls(machine, Tape.from_word(word))

    def apply(self, step: Step) -> None:
        """Advance by ``step``; a step that carries the network's own tape replaces the tape with it."""
        entry = self.machine.entry(step.state, step.read)
        if step.tape is not None:
            self.tape = Tape(step.tape)  # the decoder's own dict: it never changes it afterwards
        else:
            self.tape.write(step.head, step.write)
        self.head_before = step.head
        self.head = step.head_after
        self.steps = step.number
        self.state, self.halt = step.next_state, step.halt
        if step.state not in self.machine.added_states:
            self.source_steps += 1
        self.last_implicit = entry.implicit

    def consume(self, steps: Iterable[Step]) -> RunRecord:
        for step in steps:
            self.apply(step)
        return self

    @property
    def halted(self) -> bool:
        return self.state is None

    @property
    def reported_steps(self) -> int:
        """Steps of the source machine: added (stay) steps and a final implicit no-rule step excluded."""
        return self.source_steps - (1 if self.halted and self.last_implicit else 0)

    @property
    def reported_head(self) -> int:
        """The source machine's head: a final implicit no-rule step is not the source's, nor is its move."""
        return self.head_before if self.halted and self.last_implicit else self.head

    @property
    def state_name(self) -> str:
        if self.state is None:
            return self.halt or ""
        return self.machine.states[self.state]

    def tape_text(self) -> tuple[int, str]:
        """(first cell, non-blank span in the machine's symbol names)."""
        low, symbols = self.tape.span()
        return low, self.machine.format_symbols(symbols)

    def summary(self) -> dict[str, object]:
        low, text = self.tape_text()
        summary: dict[str, object] = {
            "steps": self.reported_steps,
            "halted": self.halted,
            "state": self.state_name,
            "head": self.reported_head,
            "tape": text,
            "tape_start": low,
            "nonblank": self.tape.nonblank,
        }
        if self.reported_steps != self.steps:
            summary["internal_steps"] = self.steps
        return summary
