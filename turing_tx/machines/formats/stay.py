"""Stay moves: the shared step from a source table with ``N`` moves to a machine (``docs/formats.md``,
"What every format becomes", **Steps**).

Every construction needs a head move at every step, but YAML (``N``), Morphett (``*``) and automata-lib
(``'N'``) let a step keep the head where it is. An importer describes its table with :class:`Rule`
objects whose move may be ``"N"``; :func:`build_machine` replaces each stay (w, N, p) by (w, R, p~back)
and adds one state ``p~back`` per distinct target p (halt names included) that moves back: every symbol
x ↦ (x, L, p). The added states come after the source states and are listed in ``added_states``, so a
run record counts the pair as one source step.

Writers go the other way with :func:`source_rules`, which folds each pair back into one stay rule and
leaves out ``implicit`` entries (the source had no rule there).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from typing import Literal

from turing_tx.errors import MachineFormatError
from turing_tx.machines.formats.errors import located
from turing_tx.machines.machine import Entry, TuringMachine

SourceMove = Literal["L", "R", "N"]
BACK_SUFFIX = "~back"


@dataclass(frozen=True)
class Rule:
    """One source rule: write ``write``, move L/R/N, go to state index or halt name ``target``."""

    write: int
    move: SourceMove
    target: int | str
    implicit: bool = False
    undefined: bool = False


def fresh_name(base: str, taken: Collection[str]) -> str:
    """``base``, or ``base`` with ``~`` appended until it clashes with no name in ``taken``."""
    name = base
    while name in taken:
        name += "~"
    return name


def build_machine(symbols: Sequence[str], states: Sequence[str], halts: Sequence[str],
                  rules: Sequence[Sequence[Rule]], name: str = "", source: str = "<string>") -> TuringMachine:
    """The machine of a source table, every stay expanded into a right move and a step back.

    A table the internal model cannot hold (one symbol only) is a MachineFormatError at ``source``.
    """
    if len(symbols) < 2:
        raise located(source, f"only the blank {symbols[0]!r} is used; a machine needs at least 2 symbols")
    all_states = list(states)
    back_state: dict[int | str, int] = {}
    table: list[tuple[Entry, ...]] = []
    for row in rules:
        entries = []
        for rule in row:
            move, target = rule.move, rule.target
            if move == "N":
                if target not in back_state:
                    label = states[target] if isinstance(target, int) else target
                    back_state[target] = len(all_states)
                    all_states.append(fresh_name(label + BACK_SUFFIX, [*all_states, *halts]))
                move, target = "R", back_state[target]
            entries.append(_entry(rule.write, move, target, rule.implicit, rule.undefined))
        table.append(tuple(entries))
    for target in back_state:
        table.append(tuple(_entry(x, "L", target) for x in range(len(symbols))))
    return TuringMachine(symbols=tuple(symbols), states=tuple(all_states), halts=tuple(halts),
                         table=tuple(table), name=name,
                         added_states=frozenset(range(len(states), len(all_states))))


def complete_table(symbols: Sequence[str], running: Sequence[str], halting: Sequence[str],
                   rule_for: Callable[[str, int, str], Rule | None], missing: str, name: str,
                   source: str) -> TuringMachine:
    """The machine of a partial source table (YAML, Morphett after wildcard expansion, automata-lib DTM).

    ``rule_for(state, symbol index, symbol)`` gives the source's rule or None; a missing rule becomes
    the ``implicit`` entry (read symbol, R, halt ``missing``), a step the run record does not count.
    The halt name ``missing`` is made fresh against the source's names and added only when used (or
    when the source has no halting state at all).
    """
    filler = fresh_name(missing, [*running, *halting])
    table = [[rule_for(state, a, symbol) or Rule(a, "R", filler, implicit=True) for a, symbol in enumerate(symbols)]
             for state in running]
    used = any(rule.implicit for row in table for rule in row)
    halts = [*halting, filler] if used or not halting else list(halting)
    return build_machine(symbols, running, halts, table, name, source)


def _entry(write: int, move: Literal["L", "R"], target: int | str, implicit: bool = False,
           undefined: bool = False) -> Entry:
    if isinstance(target, int):
        return Entry(write, move, next_state=target, implicit=implicit, undefined=undefined)
    return Entry(write, move, halt=target, implicit=implicit, undefined=undefined)


def source_rules(machine: TuringMachine) -> list[list[Rule | None]]:
    """The source table of ``machine``: one row per source state, stays folded back, no rule = None.

    The rows are those of the states not in ``added_states``; an added state must be a step back
    (every symbol x ↦ (x, L, p)), which is what :func:`build_machine` makes.
    """
    sources = machine.num_states - len(machine.added_states)
    if any(q < sources for q in machine.added_states):
        raise MachineFormatError("added states must come after the source states")
    back_target = {q: _back_target(machine, q) for q in machine.added_states}
    rows: list[list[Rule | None]] = []
    for row in machine.table[:sources]:
        out: list[Rule | None] = []
        for entry in row:
            if entry.implicit:
                out.append(None)
            elif entry.next_state in back_target:
                if entry.move != "R":
                    raise MachineFormatError("a step into an added state must move R (a stay)")
                out.append(Rule(entry.write, "N", back_target[entry.next_state], undefined=entry.undefined))
            else:
                out.append(Rule(entry.write, entry.move, _target(entry), undefined=entry.undefined))
        rows.append(out)
    return rows


def source_halts(machine: TuringMachine) -> list[str]:
    """The halt names a source states: all but those that only ``implicit`` (no-rule) entries use."""
    explicit = {e.halt for row in machine.table for e in row if not e.implicit}
    implicit = {e.halt for row in machine.table for e in row if e.implicit}
    return [h for h in machine.halts if h in explicit or h not in implicit]


def _target(entry: Entry) -> int | str:
    return entry.next_state if entry.next_state is not None else entry.halt  # type: ignore[return-value]


def _back_target(machine: TuringMachine, q: int) -> int | str:
    """The p of an added state that maps every symbol x to (x, L, p); an error for any other row."""
    row = machine.table[q]
    targets = {_target(e) for e in row}
    is_back = len(targets) == 1 and all(e.write == x and e.move == "L" for x, e in enumerate(row))
    target = targets.pop()
    if not is_back or target in machine.added_states:
        raise MachineFormatError(f"added state {machine.states[q]} is not a step back to one state")
    return target
