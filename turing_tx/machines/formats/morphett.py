"""The morphett.info format (``docs/formats.md``, "Morphett"):
``<state> <symbol> <new symbol> <direction> <new state>``.

One rule per line, ``;`` starts a comment, a trailing ``!`` (breakpoint) is allowed. The start state
is ``0``; entering a state whose name begins with ``halt`` stops the machine. ``_`` is the blank.
``*`` is a wildcard: any symbol or state when read, "unchanged" when written, "no move" as a direction.

Wildcards are expanded into an explicit table over the alphabet known at load time (the rules'
symbols plus the inputs given with the machine), exact rules first: for state q and symbol s the rule
used is the first of (q, s), (q, *), (*, s), (*, *). A pair with no rule becomes an ``implicit`` halt
``no-rule`` (the source just stops). Stays are expanded by :mod:`turing_tx.machines.formats.stay`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from turing_tx.errors import MachineFormatError
from turing_tx.io.textfile import read_text
from turing_tx.machines.formats.errors import located
from turing_tx.machines.formats.stay import Rule, SourceMove, complete_table, fresh_name, source_rules
from turing_tx.machines.machine import TuringMachine

START = "0"
BLANK = "_"
WILD = "*"
NO_RULE = "no-rule"
_DIRECTIONS: dict[str, SourceMove] = {"l": "L", "r": "R", "*": "N", "L": "L", "R": "R"}
_RESERVED = set(";*_")
_FIELD = re.compile(r"\S+")


def is_halt(state: str) -> bool:
    """A state whose name begins with ``halt`` stops the machine when entered."""
    return state.startswith("halt")


@dataclass(frozen=True)
class _Line:
    """One rule as written, with the column of each field (for error messages)."""

    number: int
    state: str
    read: str
    write: str
    direction: str
    target: str
    columns: tuple[int, ...]


def _lines(text: str, source: str) -> Iterator[_Line]:
    for number, raw in enumerate(text.split("\n"), start=1):
        body = raw.split(";", 1)[0]
        matches = list(_FIELD.finditer(body))
        if len(matches) == 6 and matches[5].group() == "!":
            matches.pop()
        if not matches:
            continue
        if len(matches) != 5:
            raise located(source, f"expected 5 fields, found {len(matches)}", number, matches[0].start() + 1)
        fields = [m.group() for m in matches]
        columns = tuple(m.start() + 1 for m in matches)
        for index, what in ((1, "symbol"), (2, "symbol")):
            if len(fields[index]) != 1:
                raise located(source, f"{what} {fields[index]!r} is not one character", number, columns[index])
        if fields[3] not in _DIRECTIONS:
            raise located(source, f"bad direction {fields[3]!r} (expected l, r or *)", number, columns[3])
        if is_halt(fields[0]):
            raise located(source, f"rule for halting state {fields[0]!r} can never run", number, columns[0])
        yield _Line(number, *fields, columns=columns)  # type: ignore[misc]


def parse(text: str, source: str = "<string>", extra_symbols: str = "") -> TuringMachine:
    """The machine of a Morphett program; ``extra_symbols`` (input characters) join the alphabet."""
    rules: dict[tuple[str, str], _Line] = {}
    running, halting = [START], []
    used = set()
    for line in _lines(text, source):
        key = (line.state, line.read)
        if key in rules:
            raise located(source, f"duplicate rule for ({line.state}, {line.read}); first at line "
                                  f"{rules[key].number}", line.number, 1)
        rules[key] = line
        for state in (line.state, line.target):
            if state == WILD or state in running or state in halting:
                continue
            (halting if is_halt(state) else running).append(state)
        used.update(ch for ch in (line.read, line.write) if ch != WILD)
    if not rules:
        raise located(source, "empty program: no rules")
    if not any(state in (START, WILD) for state, _ in rules):
        raise located(source, f"start state {START!r} has no rules", 1, 1)
    for i, ch in enumerate(extra_symbols):
        if ch in _RESERVED - {BLANK} or (ch.isspace() and ch != " "):
            raise located("--input", f"input symbol {ch!r} cannot be a Morphett symbol", 1, i + 1)
    used.update(ch for ch in extra_symbols if ch != " ")
    symbols = [BLANK, *sorted(used - {BLANK})]
    return _machine(symbols, running, halting, rules, source)


def _machine(symbols: list[str], running: list[str], halting: list[str],
             rules: dict[tuple[str, str], _Line], source: str) -> TuringMachine:
    """The explicit table: for each (state, symbol) the first of (q, s), (q, *), (*, s), (*, *)."""
    def rule_for(state: str, a: int, symbol: str) -> Rule | None:
        line = next((rules[k] for k in ((state, symbol), (state, WILD), (WILD, symbol), (WILD, WILD))
                     if k in rules), None)
        if line is None:
            return None
        write = a if line.write == WILD else symbols.index(line.write)
        goal = state if line.target == WILD else line.target
        return Rule(write, _DIRECTIONS[line.direction], running.index(goal) if goal in running else goal)

    return complete_table(symbols, running, halting, rule_for, NO_RULE, Path(source).name, source)


def load_file(path: str | Path, extra_symbols: str = "") -> TuringMachine:
    """The machine of a Morphett file."""
    return parse(read_text(path), str(path), extra_symbols)


def parse_word(text: str, machine: TuringMachine, source: str = "--input") -> tuple[int, ...]:
    """An input word: its characters on cells 0.., ``_`` or space a blank cell."""
    word = []
    for i, ch in enumerate(text):
        if ch in (" ", BLANK):
            word.append(0)
        elif ch == WILD:
            raise located(source, "'*' to place the head in the input is not supported", 1, i + 1)
        elif ch in machine.symbols:
            word.append(machine.symbols.index(ch))
        else:
            raise located(source, f"input symbol {ch!r} is not a symbol of the machine "
                                  f"(give the input with the machine to add it)", 1, i + 1)
    return tuple(word)


def write(machine: TuringMachine) -> str:
    """Morphett text of ``machine``: one explicit rule per (state, symbol), stays as ``*``.

    Lines are ordered so that states and halt names first appear in the machine's order, which makes
    the text parse back to the same machine, unless a symbol or halt name was used only by wildcard
    rules that exact rules shadow everywhere: explicit rules cannot mention it, so it is left out.
    """
    symbols = _morphett_symbols(machine)
    rules = source_rules(machine)
    states = _morphett_states(machine, len(rules))
    targets = {rule.target for row in rules for rule in row if rule is not None}
    halts = [halt for halt in machine.halts if halt in targets]
    for halt in halts:
        if not is_halt(halt) or not _FIELD.fullmatch(halt) or ";" in halt:
            raise MachineFormatError(f"cannot write Morphett: halt name {halt!r} does not begin with 'halt'")
    lines = []
    for q, row in enumerate(rules):
        for a, rule in enumerate(row):
            if rule is not None:
                target = states[rule.target] if isinstance(rule.target, int) else rule.target
                move = {"L": "l", "R": "r", "N": "*"}[rule.move]
                lines.append((states[q], target, f"{states[q]} {symbols[a]} {symbols[rule.write]} {move} {target}"))
    return "".join(text + "\n" for text in _first_appearance_order(lines, states, halts))


def with_halt_names(machine: TuringMachine) -> tuple[TuringMachine, dict[str, str]]:
    """``machine`` with each halt name its rules reach renamed ``halt-<name>`` unless it already begins
    with ``halt`` (Morphett stops only on such states), so that :func:`write` can write it; and the
    renaming (old name → new). A halt name reached only where the source had no rule is never written
    and is kept."""
    written = [h for h in machine.halts if any(e.halt == h and not e.implicit for row in machine.table for e in row)]
    renamed: dict[str, str] = {}
    for halt in written:
        if not is_halt(halt):
            renamed[halt] = fresh_name(f"halt-{halt}", [*machine.states, *machine.halts, *renamed.values()])
    if not renamed:
        return machine, renamed
    table = tuple(tuple(replace(e, halt=renamed[e.halt]) if e.halt in renamed else e for e in row)
                  for row in machine.table)
    halts = tuple(renamed.get(h, h) for h in machine.halts)
    return replace(machine, halts=halts, table=table), renamed


def _morphett_symbols(machine: TuringMachine) -> list[str]:
    symbols = [BLANK, *machine.symbols[1:]]
    for symbol in symbols[1:]:
        if len(symbol) != 1 or symbol in _RESERVED or symbol.isspace():
            raise MachineFormatError(f"cannot write Morphett: symbol {symbol!r} is not a Morphett symbol")
    return symbols


def _morphett_states(machine: TuringMachine, count: int) -> list[str]:
    """The start state is written ``0``; the other names must be usable as they are."""
    states = [START, *machine.states[1:count]]
    for state in states[1:]:
        if state in (START, WILD) or is_halt(state) or not _FIELD.fullmatch(state) or ";" in state:
            raise MachineFormatError(f"cannot write Morphett: state name {state!r} is not usable")
    return states


def _first_appearance_order(lines: Sequence[tuple[str, str, str]], states: Sequence[str],
                            halts: Sequence[str]) -> list[str]:
    """The rule lines reordered so that states and halt names first appear in the machine's order.

    Greedy: take the first pending line that introduces no name out of turn; when none does (no order
    exists), take the first pending line.
    """
    rank = {name: (0, i) for i, name in enumerate(states)} | {name: (1, i) for i, name in enumerate(halts)}
    seen = [1, 0]  # names of each kind seen so far; the start state is known before any line
    pending = list(lines)
    out = []
    while pending:
        index = next((i for i, line in enumerate(pending) if _introduces(line, rank, seen) is not None), 0)
        state, target, text = pending.pop(index)
        for name in (state, target):
            kind, i = rank[name]
            seen[kind] = max(seen[kind], i + 1)
        out.append(text)
    return out


def _introduces(line: tuple[str, str, str], rank: dict[str, tuple[int, int]], seen: list[int]) -> list[int] | None:
    """The counters after ``line`` if it introduces names only in turn, else None."""
    after = list(seen)
    for name in line[:2]:
        kind, i = rank[name]
        if i > after[kind]:
            return None
        after[kind] = max(after[kind], i + 1)
    return after
