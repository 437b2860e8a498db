"""automata-lib DTMs (``docs/formats.md``, "automata-lib DTM (JSON)"), both ways, and their JSON file form.

A DTM is ``DTM(states, input_symbols, tape_symbols, transitions, initial_state, blank_symbol,
final_states)`` with ``transitions[state][symbol] = (next_state, write, move)``, move ``L``/``R``/``N``.
The conversion works on the plain keyword dict, so automata-lib is needed only to build or read a
``DTM`` object (:func:`to_dtm`, or :func:`from_dtm` given one).

*File form (this project's choice)*: a ``.dtm`` or ``.json`` file holds one JSON object with those
seven keys (sets written as lists, each transition as ``[next, write, move]``) and optionally
``"input"`` (a word) and ``"name"``. JSON has no usable positions, so errors name the JSON path:
``m.dtm: /transitions/q0/a: state 'q9' is not in states``.
"""

from __future__ import annotations

import json
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from turing_tx.errors import MachineFormatError, UsageError
from turing_tx.io.strict_json import load_json
from turing_tx.io.textfile import read_text
from turing_tx.machines.formats.errors import located
from turing_tx.machines.formats.stay import Rule, complete_table, source_halts, source_rules
from turing_tx.machines.machine import TuringMachine

REJECT = "reject"
KEYS = ("states", "input_symbols", "tape_symbols", "transitions", "initial_state", "blank_symbol",
        "final_states")
_MOVES = ("L", "R", "N")


@dataclass(frozen=True)
class DtmFile:
    """A DTM read from a file, with its optional input word and name."""

    machine: TuringMachine
    word: tuple[int, ...] = ()
    name: str = ""


def dtm_kwargs(dtm: Any) -> dict[str, Any]:
    """The seven constructor arguments of an automata-lib ``DTM`` object (or of a dict holding them)."""
    if isinstance(dtm, Mapping):
        return {key: dtm[key] for key in KEYS if key in dtm}
    return {key: getattr(dtm, key) for key in KEYS}


def from_dtm(dtm: Any, source: str = "<dtm>", name: str = "") -> TuringMachine:
    """The internal machine of a DTM (object or keyword dict), validated beyond what the library checks."""
    args = dtm_kwargs(dtm)
    for key in KEYS:
        if key not in args:
            raise located(source, f"missing {key!r}")
    states = _collection(args["states"], "/states", source)
    finals = _collection(args["final_states"], "/final_states", source)
    tape = _symbols(args["tape_symbols"], "/tape_symbols", source)
    inputs = _symbols(args["input_symbols"], "/input_symbols", source)
    blank, start = args["blank_symbol"], args["initial_state"]
    names = {str(q) for q in states}
    if len(names) != len(states):
        raise located(source, "/states: two states have the same name")
    if not _hashable(blank) or blank not in tape:
        raise located(source, f"/blank_symbol: blank_symbol {blank!r} is not in tape_symbols")
    if blank in inputs:
        raise located(source, f"/input_symbols: the blank {blank!r} cannot be an input symbol")
    stray = sorted(map(str, set(inputs) - set(tape)))
    if stray:
        raise located(source, f"/input_symbols: {stray[0]!r} is not in tape_symbols")
    if not _hashable(start) or start not in states:
        raise located(source, f"/initial_state: initial_state {str(start)!r} is not in states")
    if start in finals:
        raise located(source, f"/initial_state: initial_state {str(start)!r} cannot be a final state")
    stray = sorted(map(str, set(finals) - set(states)))
    if stray:
        raise located(source, f"/final_states: {stray[0]!r} is not in states")
    transitions = _transitions(args["transitions"], states, finals, tape, source)
    symbols = [blank, *sorted(set(tape) - {blank})]
    running = [start, *sorted(set(states) - set(finals) - {start}, key=str)]
    halts = [str(q) for q in sorted(finals, key=str)]
    def rule_for(state: str, a: int, symbol: str) -> Rule | None:
        result = transitions.get(by_name[state], {}).get(symbol)
        if result is None:
            return None
        goal, write, move = result
        return Rule(symbols.index(write), move, running.index(goal) if goal in running else str(goal))

    by_name = {str(q): q for q in running}
    return complete_table(symbols, [str(q) for q in running], halts, rule_for, REJECT, name or source, source)


def _hashable(value: object) -> bool:
    return isinstance(value, Hashable)


def _collection(value: object, path: str, source: str) -> list[Hashable]:
    if isinstance(value, str | bytes | Mapping) or not isinstance(value, Iterable):
        raise located(source, f"{path}: expected a set or list")
    items = list(value)
    if not all(_hashable(item) for item in items):
        raise located(source, f"{path}: every element must be hashable")
    if len(set(items)) != len(items):
        raise located(source, f"{path}: duplicate element")
    return items


def _symbols(value: object, path: str, source: str) -> list[str]:
    items = _collection(value, path, source)
    for item in items:
        if not isinstance(item, str) or len(item) != 1:
            raise located(source, f"{path}: symbol {item!r} is not a one-character string")
    return items  # type: ignore[return-value]


def _transitions(value: object, states: list[Hashable], finals: list[Hashable], tape: list[str],
                 source: str) -> dict[Hashable, dict[str, tuple[Hashable, str, str]]]:
    """The transition dict, every state, symbol and result checked against the declarations."""
    if not isinstance(value, Mapping):
        raise located(source, "/transitions: expected a mapping state → symbol → (next, write, move)")
    out: dict[Hashable, dict[str, tuple[Hashable, str, str]]] = {}
    for state, paths in value.items():
        where = f"/transitions/{state}"
        if state not in states:
            raise located(source, f"{where}: state {str(state)!r} is not in states")
        if state in finals:
            raise located(source, f"{where}: final state {str(state)!r} has transitions")
        if not isinstance(paths, Mapping):
            raise located(source, f"{where}: expected a mapping symbol → (next, write, move)")
        out[state] = {}
        for symbol, result in paths.items():
            here = f"{where}/{symbol}"
            if symbol not in tape:
                raise located(source, f"{here}: symbol {symbol!r} is not in tape_symbols")
            if isinstance(result, str | bytes) or not isinstance(result, Sequence) or len(result) != 3:
                raise located(source, f"{here}: expected (next_state, write, move)")
            goal, write, move = result
            if not _hashable(goal) or goal not in states:
                raise located(source, f"{here}: state {str(goal)!r} is not in states")
            if not _hashable(write) or write not in tape:
                raise located(source, f"{here}: write symbol {write!r} is not in tape_symbols")
            if move not in _MOVES:
                raise located(source, f"{here}: bad move {move!r} (expected L, R or N)")
            out[state][symbol] = (goal, write, move)
    return out


def to_dtm_kwargs(machine: TuringMachine) -> dict[str, Any]:
    """The DTM keyword arguments of ``machine``: stays as ``'N'``, no rule = no transition."""
    rules = source_rules(machine)
    states = list(machine.states[: len(rules)])
    halts = source_halts(machine)
    transitions: dict[str, dict[str, tuple[str, str, str]]] = {}
    for q, row in enumerate(rules):
        for a, rule in enumerate(row):
            if rule is not None:
                target = states[rule.target] if isinstance(rule.target, int) else rule.target
                transitions.setdefault(states[q], {})[machine.symbols[a]] = (
                    target, machine.symbols[rule.write], rule.move)
    return {
        "states": {*states, *halts},
        "input_symbols": set(machine.symbols[1:]),
        "tape_symbols": set(machine.symbols),
        "transitions": transitions,
        "initial_state": states[0],
        "blank_symbol": machine.symbols[0],
        "final_states": set(halts),
    }


def to_dtm(machine: TuringMachine) -> Any:
    """An automata-lib ``DTM`` of ``machine`` (needs the optional automata-lib package)."""
    try:
        from automata.base.exceptions import AutomatonException
        from automata.tm.dtm import DTM
    except ImportError:
        raise UsageError("automata-lib is not installed (pip install 'turing-tx[automata]')") from None
    try:
        return DTM(**to_dtm_kwargs(machine))
    except AutomatonException as exc:
        raise MachineFormatError(f"cannot make an automata-lib DTM: {exc}") from None


def parse(text: str, source: str = "<string>") -> DtmFile:
    """A DTM JSON document (the seven DTM keys, optional ``input`` and ``name``)."""
    data = load_json(text, source, MachineFormatError)
    if not isinstance(data, dict):
        raise located(source, "a DTM file is a JSON object")
    unknown = sorted(set(data) - {*KEYS, "input", "name"})
    if unknown:
        raise located(source, f"/{unknown[0]}: unknown key (expected {', '.join(KEYS)}, input, name)")
    name = data.get("name", "")
    word_text = data.get("input", "")
    if not isinstance(name, str) or not isinstance(word_text, str):
        raise located(source, "'name' and 'input' must be strings")
    machine = from_dtm(data, source, name or Path(source).name)
    stray = [ch for ch in word_text if ch not in machine.symbols]
    if stray:
        raise located(source, f"/input: input symbol {stray[0]!r} is not in tape_symbols")
    return DtmFile(machine, tuple(machine.symbols.index(ch) for ch in word_text), name)


def load_file(path: str | Path) -> DtmFile:
    """The DTM of a JSON file."""
    return parse(read_text(path), str(path))


def parse_word(text: str, machine: TuringMachine, source: str = "--input") -> tuple[int, ...]:
    """An input word of tape symbols (the blank symbol is a blank cell)."""
    word = []
    for i, ch in enumerate(text):
        if ch not in machine.symbols:
            raise located(source, f"input symbol {ch!r} is not in tape_symbols", 1, i + 1)
        word.append(machine.symbols.index(ch))
    return tuple(word)


def write(machine: TuringMachine, word: Sequence[int] = ()) -> str:
    """The JSON file form of ``machine`` (states and symbols in the machine's order)."""
    args = to_dtm_kwargs(machine)
    halts = source_halts(machine)
    document: dict[str, Any] = {
        "states": [*machine.states[: len(args["states"]) - len(halts)], *halts],
        "input_symbols": list(machine.symbols[1:]),
        "tape_symbols": list(machine.symbols),
        "blank_symbol": args["blank_symbol"],
        "initial_state": args["initial_state"],
        "final_states": halts,
        "transitions": {q: {a: list(result) for a, result in row.items()}
                        for q, row in args["transitions"].items()},
    }
    if word:
        document["input"] = machine.format_symbols(word)
    return _json_text(document)


def _json_text(document: dict[str, Any]) -> str:
    """Pretty JSON with one line per key, and one line per state under ``transitions``."""
    def one(value: object) -> str:
        return json.dumps(value, ensure_ascii=False)

    lines = []
    for key, value in document.items():
        if key == "transitions":
            rows = [f"    {one(q)}: {one(row)}" for q, row in value.items()]
            lines.append('  "transitions": {\n' + ",\n".join(rows) + "\n  }" if rows else '  "transitions": {}')
        else:
            lines.append(f"  {one(key)}: {one(value)}")
    return "{\n" + ",\n".join(lines) + "\n}\n"
