"""Hypothesis strategies for random Turing machines and input words (shared by several test modules)."""

from __future__ import annotations

from hypothesis import strategies as st

from turing_tx.machines.machine import Entry, TuringMachine


@st.composite
def machines(draw: st.DrawFn, max_states: int = 5, max_symbols: int = 4,
             undefined_rate: float = 0.05) -> TuringMachine:
    """A random bbchallenge-style machine: 2..max_states states, 2..max_symbols symbols, some ``---``."""
    n = draw(st.integers(2, max_states))
    k = draw(st.integers(2, max_symbols))
    letters = tuple(chr(ord("A") + i) for i in range(n))
    rows = []
    for _ in range(n):
        row = []
        for _ in range(k):
            if draw(st.floats(0, 1)) < undefined_rate:
                row.append(Entry(1, "R", halt="Z", undefined=True))
                continue
            write = draw(st.integers(0, k - 1))
            move = draw(st.sampled_from("LR"))
            target = draw(st.integers(0, n))  # n = halt
            row.append(Entry(write, move, halt="Z") if target == n else Entry(write, move, next_state=target))
        rows.append(tuple(row))
    return TuringMachine(tuple(str(a) for a in range(k)), letters, ("Z",), tuple(rows))


def words(machine: TuringMachine, max_length: int = 5) -> st.SearchStrategy[tuple[int, ...]]:
    """Input words over all of the machine's symbols (blanks included)."""
    return st.lists(st.integers(0, machine.num_symbols - 1), max_size=max_length).map(tuple)
