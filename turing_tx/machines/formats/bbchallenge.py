"""The bbchallenge standard text format (``docs/formats.md``, "bbchallenge text"): ``1RB1LB_1LA1RZ``.

Rows separated by ``_``, one per state A, B, …; per read symbol a triple *write symbol, move L/R,
next letter*. A letter naming no row halts; ``---`` is undefined and, by this project's convention,
writes 1, moves R and halts (a counted step). Files hold one machine per line, ``<machine> [<input>]
[# …]``. Symbols are the digits 0–9; beyond ten symbols this project writes symbols 10–35 as the
lowercase letters a–z (an extension: the standard stops at 9; states stay uppercase, so a triple such
as ``aRB`` is unambiguous).
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterator
from dataclasses import dataclass

from turing_tx.io.textfile import read_text
from turing_tx.machines.formats.errors import located
from turing_tx.machines.machine import Entry, TuringMachine

MAX_ROWS = 25
UNDEFINED_HALT = "Z"
_ALPHABET = set(string.ascii_uppercase)
_MACHINE_CHARS = set(string.ascii_uppercase + string.digits + "_-")
#: the symbols in the order of their numbers: the digits, then (an extension) the lowercase letters
SYMBOL_CHARS = string.digits + string.ascii_lowercase
#: a whole machine string whose symbols go past 9: rows of triples (or ``---``) separated by ``_``
_EXTENDED = re.compile(r"(?:---|[0-9a-z][LR][A-Z])+(?:_(?:---|[0-9a-z][LR][A-Z])+)*")


@dataclass(frozen=True)
class MachineLine:
    """One machine of a file, with its optional input word and where it was written."""

    machine: TuringMachine
    word: tuple[int, ...]
    line: int
    comment: str = ""


def looks_like_bbchallenge(text: str) -> bool:
    """True for an inline machine string such as ``1RB1LB_1LA1RZ`` (as opposed to a path or a name)."""
    if bool(text) and set(text) <= _MACHINE_CHARS:
        return any(ch in text for ch in "LR-") and len(text.split("_")[0]) % 3 == 0
    return bool(_EXTENDED.fullmatch(text))


def parse_machine(code: str, source: str = "<string>", line: int = 1, column: int = 1) -> TuringMachine:
    """The machine written as ``code`` (errors located at ``source:line:column`` + offset)."""
    if not code:
        raise located(source, "empty machine", line, column)
    rows = code.split("_")
    if len(rows) > MAX_ROWS:
        raise located(source, f"{len(rows)} rows; at most {MAX_ROWS} states (Z must stay free)", line, column)
    starts, offset = [], column
    for row in rows:
        starts.append(offset)
        offset += len(row) + 1
    width = len(rows[0])
    if width % 3:
        raise located(source, f"row A has {width} characters, not a multiple of 3", line, column)
    k = width // 3
    if k < 2:
        raise located(source, f"k = {k}; at least 2 symbols are needed", line, column)
    if k > len(SYMBOL_CHARS):
        raise located(source, f"k = {k}; the digits and the letters a–z allow at most {len(SYMBOL_CHARS)} "
                              "symbols", line, column)
    n = len(rows)
    letters = [chr(ord("A") + i) for i in range(n)]
    halts: list[str] = []
    table = []
    for q, (row, start) in enumerate(zip(rows, starts, strict=True)):
        if len(row) != width:
            problem = f"row {letters[q]} has {len(row)} characters, expected {width} (k = {k} from row A)"
            raise located(source, problem, line, start)
        entries = []
        for a in range(k):
            triple = row[3 * a: 3 * a + 3]
            col = start + 3 * a
            where = f"{letters[q]}/{a}"
            if triple == "---":
                if UNDEFINED_HALT not in halts:
                    halts.append(UNDEFINED_HALT)
                entries.append(Entry(1, "R", halt=UNDEFINED_HALT, undefined=True))
                continue
            write, move, target = triple
            if write not in SYMBOL_CHARS:
                raise located(source, f"write symbol {write!r} in {where} is not a digit (or a letter a–z)",
                              line, col)
            if SYMBOL_CHARS.index(write) >= k:
                raise located(source, f"write symbol {write} in {where}, but k = {k} (symbols "
                                      f"{SYMBOL_CHARS[0]}..{SYMBOL_CHARS[k - 1]})", line, col)
            if move not in ("L", "R"):
                raise located(source, f"bad move {move!r} in {where} (expected L or R)", line, col + 1)
            if target not in _ALPHABET:
                raise located(source, f"next state {target!r} in {where} is not a letter A–Z", line, col + 2)
            symbol = SYMBOL_CHARS.index(write)
            if target in letters:
                entries.append(Entry(symbol, move, next_state=letters.index(target)))
            else:
                if target not in halts:
                    halts.append(target)
                entries.append(Entry(symbol, move, halt=target))
        table.append(tuple(entries))
    return TuringMachine(
        symbols=tuple(SYMBOL_CHARS[:k]),
        states=tuple(letters),
        halts=tuple(halts) or (UNDEFINED_HALT,),
        table=tuple(table),
        name=code,
    )


def parse_word(text: str, machine: TuringMachine, source: str = "<input>", line: int = 1,
               column: int = 1) -> tuple[int, ...]:
    """An input word of the machine's symbols 0..k−1 (digits, then a–z; a ``0`` is a blank cell)."""
    k = machine.num_symbols
    word = []
    for i, ch in enumerate(text):
        if ch not in SYMBOL_CHARS:
            raise located(source, f"input character {ch!r} is not a digit (or a letter a–z)", line, column + i)
        if SYMBOL_CHARS.index(ch) >= k:
            raise located(source, f"input symbol {ch} is not a symbol of the machine "
                                  f"({SYMBOL_CHARS[0]}..{SYMBOL_CHARS[k - 1]})", line, column + i)
        word.append(SYMBOL_CHARS.index(ch))
    return tuple(word)


def parse_lines(text: str, source: str) -> Iterator[MachineLine]:
    """Every machine of a bbchallenge file, with its input word and line number."""
    for number, raw in enumerate(text.split("\n"), start=1):
        body, _, comment = raw.partition("#")
        stripped = body.strip()
        if not stripped:
            continue
        column = raw.index(stripped[0]) + 1
        fields = stripped.split()
        if len(fields) > 2:
            extra_col = column + stripped.index(fields[2], len(fields[0]) + len(fields[1]) + 1)
            raise located(source, f"unexpected text {fields[2]!r} after the input word", number, extra_col)
        machine = parse_machine(fields[0], source, number, column)
        word: tuple[int, ...] = ()
        if len(fields) == 2:
            word_col = column + stripped.index(fields[1], len(fields[0]))
            word = parse_word(fields[1], machine, source, number, word_col)
        yield MachineLine(machine, word, number, comment.strip())


def load_file(path: str, text: str | None = None) -> list[MachineLine]:
    """All machines of a bbchallenge file (at least one)."""
    content = read_text(path) if text is None else text
    machines = list(parse_lines(content, str(path)))
    if not machines:
        raise located(str(path), "empty file: no machine")
    return machines


def halt_letters(machine: TuringMachine) -> dict[str, str]:
    """The letter :func:`write_machine` writes for each halt name: Z, Y, … in order of first use
    (a halt reached only through ``---`` entries needs none)."""
    used: list[str] = []
    for row in machine.table:
        for entry in row:
            if entry.halt is not None and not entry.undefined and entry.halt not in used:
                used.append(entry.halt)
    return {name: chr(ord("Z") - i) for i, name in enumerate(used)}


def write_machine(machine: TuringMachine) -> str:
    """bbchallenge text of ``machine``."""
    from turing_tx.errors import MachineFormatError

    k, n = machine.num_symbols, machine.num_states
    letters = halt_letters(machine)
    if k > len(SYMBOL_CHARS) or n + len(letters) > 26:
        raise MachineFormatError(f"cannot write bbchallenge text: {n} states + {len(letters)} halts exceed "
                                 f"the 26 letters" if k <= len(SYMBOL_CHARS) else
                                 f"cannot write bbchallenge text: k = {k} exceeds the {len(SYMBOL_CHARS)} "
                                 "symbols 0–9, a–z")
    rows = []
    for row in machine.table:
        parts = []
        for entry in row:
            if entry.undefined:
                parts.append("---")
                continue
            target = chr(ord("A") + entry.next_state) if entry.next_state is not None else letters[entry.halt]
            parts.append(f"{SYMBOL_CHARS[entry.write]}{entry.move}{target}")
        rows.append("".join(parts))
    return "_".join(rows)
