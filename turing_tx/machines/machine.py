"""The internal Turing machine: what every importer produces and every construction compiles.

- Symbols ``0..k−1`` (k ≥ 2) with display names; **symbol 0 is the blank**.
- States ``0..n−1`` (n ≥ 1) with display names; **state 0 is the start state**.
- Halt names, separate from states (at least one).
- A total table δ(q, a) = (write, move, next) with move ∈ {L, R} and next either a state or a halt
  name. Entries carry two flags: ``undefined`` (bbchallenge ``---``) and ``implicit`` (filled in by an
  importer where the source had no rule).
- ``added_states``: states an importer added to expand stay moves (``docs/formats.md``, "What every
  format becomes"); a step taken from one of them is internal bookkeeping and is not a step of the
  source machine.

A machine is immutable and validated when built; a malformed one raises :class:`MachineError` naming
the culprit.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from turing_tx.errors import MachineError

Move = Literal["L", "R"]


@dataclass(frozen=True)
class Entry:
    """δ(q, a): write ``write``, move ``move``, then go to ``next_state`` or halt as ``halt``."""

    write: int
    move: Move
    next_state: int | None = None
    halt: str | None = None
    undefined: bool = False
    implicit: bool = False

    @property
    def halts(self) -> bool:
        return self.next_state is None

    @property
    def delta(self) -> int:
        return 1 if self.move == "R" else -1


@dataclass(frozen=True)
class TuringMachine:
    """A deterministic single-tape Turing machine over a two-way infinite tape."""

    symbols: tuple[str, ...]
    states: tuple[str, ...]
    halts: tuple[str, ...]
    table: tuple[tuple[Entry, ...], ...]
    name: str = ""
    added_states: frozenset[int] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        k, n = len(self.symbols), len(self.states)
        if k < 2:
            raise MachineError(f"k = {k}; at least 2 symbols are needed")
        if n < 1:
            raise MachineError("a machine needs at least one state")
        if not self.halts:
            raise MachineError("a machine needs at least one halt name")
        for kind, names in (("symbol", self.symbols), ("state", self.states), ("halt", self.halts)):
            if len(set(names)) != len(names):
                dup = next(x for x in names if names.count(x) > 1)
                raise MachineError(f"duplicate {kind} name {dup!r}")
        clash = set(self.states) & set(self.halts)
        if clash:
            raise MachineError(f"{sorted(clash)[0]!r} is both a state and a halt name")
        if len(self.table) != n:
            raise MachineError(f"table has {len(self.table)} rows for {n} states")
        for q, row in enumerate(self.table):
            if len(row) != k:
                raise MachineError(f"state {self.states[q]} has {len(row)} entries, expected {k}")
            for a, entry in enumerate(row):
                where = f"{self.states[q]}/{self.symbols[a]}"
                if not 0 <= entry.write < k:
                    raise MachineError(f"{where}: write symbol {entry.write} is not in 0..{k - 1}")
                if entry.move not in ("L", "R"):
                    raise MachineError(f"{where}: bad move {entry.move!r} (expected L or R)")
                if (entry.next_state is None) == (entry.halt is None):
                    raise MachineError(f"{where}: an entry goes to exactly one state or halt name")
                if entry.next_state is not None and not 0 <= entry.next_state < n:
                    raise MachineError(f"{where}: next state {entry.next_state} is not in 0..{n - 1}")
                if entry.halt is not None and entry.halt not in self.halts:
                    raise MachineError(f"{where}: unknown halt name {entry.halt!r}")
        bad = [s for s in self.added_states if not 0 <= s < n]
        if bad:
            raise MachineError(f"added state {bad[0]} is not a state")

    @property
    def num_symbols(self) -> int:
        return len(self.symbols)

    @property
    def num_states(self) -> int:
        return len(self.states)

    def entry(self, state: int, symbol: int) -> Entry:
        return self.table[state][symbol]

    def symbol_index(self, name: str) -> int:
        try:
            return self.symbols.index(name)
        except ValueError:
            raise MachineError(f"unknown symbol {name!r} (symbols: {' '.join(self.symbols)})") from None

    def parse_word(self, word: str | Sequence[int] | None) -> tuple[int, ...]:
        """An input word as symbol indices: a string of symbol names (one character each) or indices."""
        if word is None:
            return ()
        if isinstance(word, str):
            single = all(len(s) == 1 for s in self.symbols)
            if not single:
                raise MachineError("symbol names are longer than one character; give the word as indices")
            return tuple(self.symbol_index(ch) for ch in word)
        for a in word:
            if not 0 <= a < self.num_symbols:
                raise MachineError(f"input symbol {a} is not in 0..{self.num_symbols - 1}")
        return tuple(word)

    def format_symbols(self, word: Sequence[int]) -> str:
        return "".join(self.symbols[a] for a in word)
