"""turingmachine.io YAML (``docs/formats.md``, "turingmachine.io YAML"): ``blank``, ``start state``,
``table`` and optional ``input``.

The document is composed with a loader derived from ``yaml.BaseLoader``, so every scalar stays the
string written (no YAML 1.1 booleans or octals), and interpreted node by node, so that list keys such
as ``[1,0]`` work and every problem — a duplicate key included, which ``safe_load`` would silently
drop — is reported at its line and column. Documents exported by the site (``name``, ``source code``,
``positions``) are read through their ``source code`` string, with error positions mapped back into
the outer file.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import yaml

from turing_tx.errors import MachineFormatError
from turing_tx.io.textfile import read_text
from turing_tx.machines.formats.errors import located
from turing_tx.machines.formats.stay import Rule, SourceMove, complete_table, source_halts, source_rules
from turing_tx.machines.machine import TuringMachine

T = TypeVar("T")
NO_RULE = "no-rule"
DEFAULT_BLANK = " "
_NULLS = ("", "~", "null", "Null", "NULL")
_MOVES = ("L", "R", "N")


@dataclass(frozen=True)
class YamlMachine:
    """A parsed document: the machine, its ``input`` word, the site's ``name``, and any warnings."""

    machine: TuringMachine
    word: tuple[int, ...]
    name: str = ""
    warnings: tuple[str, ...] = ()


class StrictLoader(yaml.BaseLoader):
    """BaseLoader whose mappings allow list keys (as tuples) and reject duplicate keys with line:col."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict:  # type: ignore[override]
        if not isinstance(node, yaml.MappingNode):
            raise yaml.constructor.ConstructorError(None, None, "expected a mapping", node.start_mark)
        mapping: dict = {}
        for key_node, value_node in node.value:
            key = self.construct_object(key_node, deep=True)
            if isinstance(key, list):
                key = tuple(key)
            if not isinstance(key, str | tuple) or not all(isinstance(k, str) for k in key):
                raise yaml.constructor.ConstructorError(None, None, "a key must be a string or a list of "
                                                        "strings", key_node.start_mark)
            if key in mapping:
                raise yaml.constructor.ConstructorError(None, None, f"duplicate key {key!r}",
                                                        key_node.start_mark)
            mapping[key] = self.construct_object(value_node, deep=deep)
        return mapping


StrictLoader.add_constructor("tag:yaml.org,2002:map", StrictLoader.construct_mapping)


def load_data(text: str, source: str) -> object:
    """Plain data (strings, lists, dicts) of a YAML document, every error as a located one-liner."""
    try:
        return _run_loader(text, lambda loader: loader.get_single_data())
    except yaml.YAMLError as exc:
        raise _yaml_error(exc, text, source, 0, 0) from None
    except RecursionError:
        raise located(source, "YAML nesting too deep") from None


def _compose(text: str, where: _Where) -> yaml.Node | None:
    try:
        return _run_loader(text, lambda loader: loader.get_single_node())
    except yaml.YAMLError as exc:
        raise _yaml_error(exc, text, where.source, where.line_offset, where.column_offset) from None
    except RecursionError:
        raise located(where.source, "YAML nesting too deep") from None


def _run_loader(text: str, read: Callable[[StrictLoader], T]) -> T:
    """``read`` applied to a StrictLoader of ``text`` (whose constructor may already raise)."""
    loader = StrictLoader(text)
    try:
        return read(loader)
    finally:
        loader.dispose()


def _yaml_error(exc: yaml.YAMLError, text: str, source: str, line_offset: int,
                column_offset: int) -> MachineFormatError:
    """A PyYAML exception as one located line."""
    if isinstance(exc, yaml.MarkedYAMLError) and exc.problem_mark is not None:
        mark = exc.problem_mark
        parts = [str(part) for part in (exc.context, exc.problem) if part]
        problem = " ".join(": ".join(parts or ["invalid YAML"]).split())
        return located(source, problem, mark.line + 1 + line_offset, mark.column + 1 + column_offset)
    if isinstance(exc, yaml.reader.ReaderError):
        before = text[: exc.position]
        line = before.count("\n") + 1
        column = exc.position - (before.rfind("\n") + 1) + 1
        return located(source, f"character {chr(exc.character)!r} is not allowed in YAML",
                       line + line_offset, column + column_offset)
    return located(source, " ".join(str(exc).split()) or "invalid YAML")


@dataclass(frozen=True)
class _Where:
    """Maps node marks of the (possibly embedded) document to positions in the file."""

    source: str
    line_offset: int = 0
    column_offset: int = 0

    def error(self, problem: str, node: yaml.Node | None = None) -> MachineFormatError:
        if node is None:
            return located(self.source, problem)
        mark = node.start_mark
        return located(self.source, problem, mark.line + 1 + self.line_offset,
                       mark.column + 1 + self.column_offset)


def _items(node: yaml.MappingNode, where: _Where, what: str) -> list[tuple[yaml.Node, yaml.Node]]:
    """The (key, value) pairs of a mapping whose keys are scalars, duplicates rejected."""
    seen: set[str] = set()
    for key, _ in node.value:
        if not isinstance(key, yaml.ScalarNode):
            raise where.error(f"{what} keys must be plain strings", key)
        if key.value in seen:
            raise where.error(f"duplicate key {key.value!r} in {what}", key)
        seen.add(key.value)
    return list(node.value)


def _is_null(node: yaml.Node) -> bool:
    return isinstance(node, yaml.ScalarNode) and node.style is None and node.value in _NULLS


def _char(node: yaml.Node, where: _Where, what: str) -> str:
    if not isinstance(node, yaml.ScalarNode):
        raise where.error(f"{what} must be one character", node)
    if len(node.value) != 1:
        raise where.error(f"{what} {node.value!r} is not one character", node)
    return node.value


@dataclass(frozen=True)
class _Instruction:
    """A parsed instruction: ``write`` None keeps the symbol, ``target`` None keeps the state."""

    move: SourceMove
    write: str | None = None
    target: str | None = None


def parse(text: str, source: str = "<string>", extra_symbols: str = "") -> YamlMachine:
    """The machine of a turingmachine.io document (plain or site-exported).

    ``extra_symbols`` are characters of inputs given with the machine: they join the alphabet.
    """
    where = _Where(source)
    root = _compose(text, where)
    if isinstance(root, yaml.MappingNode):
        fields = {key.value: value for key, value in _items(root, where, "the document")}
        code = fields.get("source code")
        if code is not None:
            if not isinstance(code, yaml.ScalarNode):
                raise where.error("'source code' must be a string", code)
            name = fields.get("name")
            inner = _embedded_where(code, text, source)
            result = _parse_spec(_compose(code.value, inner), inner, extra_symbols)
            if isinstance(name, yaml.ScalarNode) and not _is_null(name):
                return YamlMachine(_renamed(result.machine, name.value), result.word, name.value,
                                   result.warnings)
            return result
    return _parse_spec(root, where, extra_symbols)


def _renamed(machine: TuringMachine, name: str) -> TuringMachine:
    return TuringMachine(machine.symbols, machine.states, machine.halts, machine.table, name,
                         machine.added_states)


def _embedded_where(code: yaml.ScalarNode, text: str, source: str) -> _Where:
    """Positions inside a ``source code: |`` block: lines below the ``|``, columns after the indent."""
    if code.style not in ("|", ">"):
        mark = code.start_mark
        return _Where(source, mark.line, mark.column)
    lines = text.split("\n")[code.start_mark.line + 1:]
    indent = next((len(line) - len(line.lstrip(" ")) for line in lines if line.strip()), 0)
    return _Where(source, code.start_mark.line + 1, indent)


def _parse_spec(root: yaml.Node | None, where: _Where, extra_symbols: str) -> YamlMachine:
    if root is None or _is_null(root):
        raise where.error("empty document: no machine")
    if not isinstance(root, yaml.MappingNode):
        raise where.error("a machine is a mapping with blank, start state and table", root)
    fields = {key.value: (key, value) for key, value in _items(root, where, "the document")}
    warnings: list[str] = []
    if "blank" in fields:
        blank = _char(fields["blank"][1], where, "blank")
    else:
        blank = DEFAULT_BLANK
        warnings.append("no 'blank' given; using ' '")
    if "table" not in fields:
        raise where.error("missing 'table'", root)
    if "start state" not in fields:
        raise where.error("missing 'start state'", root)
    table = fields["table"][1]
    if _is_null(table) or (isinstance(table, yaml.MappingNode) and not table.value):
        raise where.error("empty table", table)
    if not isinstance(table, yaml.MappingNode):
        raise where.error("'table' must map states to their rules", table)
    bodies = {key.value: (key, body) for key, body in _items(table, where, "the table")}
    synonyms = _synonyms(fields.get("synonyms", (None, None))[1], bodies, where)
    start_node = fields["start state"][1]
    start = start_node.value if isinstance(start_node, yaml.ScalarNode) else None
    if start not in bodies:
        raise where.error(f"start state {start!r} is not a state of the table", start_node)
    halting = [name for name, (_, body) in bodies.items() if _is_halting(body)]
    if start in halting:
        raise where.error(f"start state {start!r} has no rules; there is nothing to run", start_node)
    running = [start] + [name for name in bodies if name != start and name not in halting]
    rows = {name: _state_rules(name, bodies[name][1], bodies, synonyms, where) for name in running}
    word_text = ""
    if "input" in fields and not _is_null(fields["input"][1]):
        node = fields["input"][1]
        if not isinstance(node, yaml.ScalarNode):
            raise where.error("'input' must be a string", node)
        word_text = node.value
    used = {blank, *word_text, *extra_symbols}
    for rules in rows.values():
        for symbol, instruction in rules.items():
            used.add(symbol)
            if instruction.write is not None:
                used.add(instruction.write)
    for instruction in synonyms.values():
        if instruction.write is not None:
            used.add(instruction.write)
    symbols = [blank, *sorted(used - {blank})]
    machine = _machine(symbols, running, halting, rows, Path(where.source).name, where.source)
    word = tuple(symbols.index(ch) for ch in word_text)
    return YamlMachine(machine, word, warnings=tuple(warnings))


def _is_halting(body: yaml.Node) -> bool:
    return _is_null(body) or (isinstance(body, yaml.MappingNode) and not body.value)


def _synonyms(node: yaml.Node | None, bodies: dict, where: _Where) -> dict[str, _Instruction]:
    if node is None or _is_null(node):
        return {}
    if not isinstance(node, yaml.MappingNode):
        raise where.error("'synonyms' must map names to instructions", node)
    return {key.value: _instruction(value, bodies, {}, where)
            for key, value in _items(node, where, "synonyms")}


def _state_rules(state: str, body: yaml.Node, bodies: dict, synonyms: dict[str, _Instruction],
                 where: _Where) -> dict[str, _Instruction]:
    """symbol → instruction for one non-halting state, list keys spread over their symbols."""
    if not isinstance(body, yaml.MappingNode):
        raise where.error(f"state {state} must map symbols to instructions (or be empty to halt)", body)
    rules: dict[str, _Instruction] = {}
    for key, value in body.value:
        if isinstance(key, yaml.SequenceNode):
            if not key.value:
                raise where.error("empty list of symbols", key)
            symbols = [(_char(item, where, "symbol"), item) for item in key.value]
        elif isinstance(key, yaml.ScalarNode):
            symbols = [(_char(key, where, "symbol"), key)]
        else:
            raise where.error("a symbol key must be a character or a list of characters", key)
        instruction = _instruction(value, bodies, synonyms, where)
        for symbol, node in symbols:
            if symbol in rules:
                raise where.error(f"duplicate rule for state {state}, symbol {symbol!r}", node)
            rules[symbol] = instruction
    return rules


def _instruction(node: yaml.Node, bodies: dict, synonyms: dict[str, _Instruction],
                 where: _Where) -> _Instruction:
    if _is_null(node):
        raise where.error("missing instruction", node)
    if isinstance(node, yaml.ScalarNode):
        if node.value in _MOVES:
            return _Instruction(node.value)  # type: ignore[arg-type]
        if node.value in synonyms:
            return synonyms[node.value]
        expected = "L, R, N or a synonym" if synonyms else "L, R or N"
        raise where.error(f"unknown move {node.value!r} (expected {expected})", node)
    if not isinstance(node, yaml.MappingNode):
        raise where.error("an instruction is L, R, N, a synonym or a mapping like {write: 1, L: next}", node)
    move: SourceMove | None = None
    write = target = None
    for key, value in _items(node, where, "the instruction"):
        if key.value == "write":
            write = _char(value, where, "write")
        elif key.value in _MOVES:
            if move is not None:
                raise where.error(f"instruction has both {move} and {key.value}", key)
            move = key.value  # type: ignore[assignment]
            target = _target(value, bodies, where)
        else:
            raise where.error(f"unknown key {key.value!r} in instruction (expected L, R, N or write)", key)
    if move is None:
        raise where.error("instruction has no move (L, R or N)", node)
    return _Instruction(move, write, target)


def _target(node: yaml.Node, bodies: dict, where: _Where) -> str | None:
    if _is_null(node):
        return None
    if not isinstance(node, yaml.ScalarNode):
        raise where.error("a target state must be a name", node)
    if node.value not in bodies:
        raise where.error(f"state {node.value!r} is not in the table", node)
    return node.value


def _machine(symbols: list[str], running: list[str], halting: list[str],
             rows: dict[str, dict[str, _Instruction]], name: str, source: str) -> TuringMachine:
    """The internal machine: missing rules become implicit halts named ``no-rule``."""
    def rule_for(state: str, a: int, symbol: str) -> Rule | None:
        instruction = rows[state].get(symbol)
        if instruction is None:
            return None
        write = a if instruction.write is None else symbols.index(instruction.write)
        goal = instruction.target or state
        return Rule(write, instruction.move, running.index(goal) if goal in running else goal)

    return complete_table(symbols, running, halting, rule_for, NO_RULE, name, source)


def parse_word(text: str, machine: TuringMachine, source: str = "--input") -> tuple[int, ...]:
    """An input word of the machine's characters; the blank character is a blank cell."""
    word = []
    for i, ch in enumerate(text):
        if ch not in machine.symbols:
            raise located(source, f"input symbol {ch!r} is not a symbol of the machine "
                                  f"(give the input with the machine to add it)", 1, i + 1)
        word.append(machine.symbols.index(ch))
    return tuple(word)


def load_file(path: str | Path, extra_symbols: str = "") -> YamlMachine:
    """The machine of a YAML file."""
    return parse(read_text(path), str(path), extra_symbols)


def quote(text: str) -> str:
    """``text`` as a YAML double-quoted scalar that any YAML parser reads back unchanged."""
    out = []
    for ch in text:
        if ch in '"\\':
            out.append("\\" + ch)
        elif " " <= ch <= "~":
            out.append(ch)
        elif ord(ch) <= 0xFFFF:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(f"\\U{ord(ch):08x}")
    return '"' + "".join(out) + '"'


def write(machine: TuringMachine, word: Sequence[int] = ()) -> str:
    """turingmachine.io YAML of ``machine`` (and ``word`` as ``input``); stays are written as N."""
    for symbol in machine.symbols:
        if len(symbol) != 1:
            raise MachineFormatError(f"cannot write YAML: symbol {symbol!r} is not one character")
    rules = source_rules(machine)
    states = machine.states[: len(rules)]
    lines = ["# turingmachine.io machine, written by turing-tx"]
    if word:
        lines.append(f"input: {quote(machine.format_symbols(word))}")
    lines += [f"blank: {quote(machine.symbols[0])}", f"start state: {quote(states[0])}", "table:"]
    for q, row in enumerate(rules):
        groups: dict[str, list[str]] = {}
        for a, rule in enumerate(row):
            if rule is not None:
                groups.setdefault(_write_instruction(machine, states, q, a, rule), []).append(
                    machine.symbols[a])
        lines.append(f"  {quote(states[q])}:" + ("" if groups else " {}"))
        for text, symbols in groups.items():
            key = quote(symbols[0]) if len(symbols) == 1 else "[" + ", ".join(map(quote, symbols)) + "]"
            lines.append(f"    {key}: {text}")
    lines += [f"  {quote(halt)}:" for halt in source_halts(machine)]
    return "\n".join(lines) + "\n"


def _write_instruction(machine: TuringMachine, states: Sequence[str], q: int, a: int, rule: Rule) -> str:
    target = states[rule.target] if isinstance(rule.target, int) else rule.target
    if rule.write == a and rule.target == q:
        return rule.move
    parts = [] if rule.write == a else [f"write: {quote(machine.symbols[rule.write])}"]
    parts.append(f"{rule.move}: {quote(target)}")
    return "{" + ", ".join(parts) + "}"
