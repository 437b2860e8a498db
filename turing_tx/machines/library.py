"""The machine library shipped with turing-tx: named machines, each with an input and its expected result.

The files live in the top-level ``machines/`` directory, installed as the package data
``turing_tx.machine_library``; ``machines/index.yaml`` lists the entries::

    - name: bb3
      file: bb3.txt
      description: BB(3) champion (21 steps, 5 ones)
      input: ''
      expected: {steps: 21, halted: true, state: Z, head: 1, tape: '11111', tape_start: -1, nonblank: 5}

``expected`` uses the keys of ``RunRecord.summary()`` (``internal_steps`` where stays or a no-rule
stop make it differ from ``steps``); ``max_steps`` marks a run cut off after that many steps. The
format is the file's (by extension, as :mod:`turing_tx.machines.formats.loader` detects it) unless ``format``
is given. Names are what ``turing-tx run <name>`` and ``turing_tx.machines.resolve.load`` accept.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING

from turing_tx.errors import UsageError
from turing_tx.io.textfile import decode_text
from turing_tx.machines.formats.errors import located
from turing_tx.machines.formats.loader import FORMATS, LoadedMachine, detect_format, load_text
from turing_tx.machines.formats.yaml_format import load_data

if TYPE_CHECKING:
    from importlib.resources.abc import Traversable

PACKAGE = "turing_tx.machine_library"
INDEX = "index.yaml"
_SUMMARY_KEYS = {"steps": int, "halted": bool, "state": str, "head": int, "tape": str, "tape_start": int,
                 "nonblank": int, "internal_steps": int}
_ENTRY_KEYS = {"name", "file", "format", "description", "input", "expected", "max_steps"}


@dataclass(frozen=True)
class LibraryEntry:
    """One library machine: its file (inside the library), input word and expected result."""

    name: str
    file: str
    format: str
    input: str
    expected: dict[str, object]
    description: str = ""
    max_steps: int | None = None

    def text(self) -> str:
        """The machine file's text."""
        return decode_text(library_root().joinpath(self.file).read_bytes(), self.source)

    @property
    def source(self) -> str:
        """How errors and reports name the file: ``machines/<file>``."""
        return f"machines/{self.file}"


def library_root() -> Traversable:
    """The directory of the machine files (works from a checkout and from an installed wheel)."""
    return resources.files(PACKAGE)


@cache
def entries() -> tuple[LibraryEntry, ...]:
    """Every entry of the index, in its order."""
    source = f"machines/{INDEX}"
    data = load_data(decode_text(library_root().joinpath(INDEX).read_bytes(), source), source)
    if not isinstance(data, list):
        raise located(source, "the index is a list of entries")
    out = [_entry(item, source) for item in data]
    names = [e.name for e in out]
    if len(set(names)) != len(names):
        raise located(source, f"duplicate entry name {next(n for n in names if names.count(n) > 1)!r}")
    return tuple(out)


def _entry(item: object, source: str) -> LibraryEntry:
    """One index entry, its fields checked and converted (the YAML loader keeps every scalar a string)."""
    if not isinstance(item, dict) or not {"name", "file", "expected"} <= set(item):
        raise located(source, f"an entry needs name, file and expected: {item!r}")
    if not all(isinstance(item.get(key, ""), str) for key in ("name", "file", "format", "input", "description")):
        raise located(source, f"entry {item['name']!r}: name, file, format, input and description are strings")
    unknown = set(item) - _ENTRY_KEYS
    if unknown:
        raise located(source, f"entry {item['name']!r}: unknown key {sorted(unknown)[0]!r}")
    name, file = item["name"], item["file"]
    format = item.get("format") or detect_format(file, library_root().joinpath(file).read_text("utf-8"))
    if format not in FORMATS:
        raise located(source, f"entry {name!r}: unknown format {format!r}")
    expected = item["expected"]
    if not isinstance(expected, dict) or not set(expected) <= set(_SUMMARY_KEYS):
        raise located(source, f"entry {name!r}: expected must be a mapping of {', '.join(_SUMMARY_KEYS)}")
    try:
        values = {key: _convert(value, _SUMMARY_KEYS[key]) for key, value in expected.items()}
        max_steps = _convert(item["max_steps"], int) if "max_steps" in item else None
    except ValueError as exc:
        raise located(source, f"entry {name!r}: {exc}") from None
    return LibraryEntry(name, file, format, item.get("input", ""), values, item.get("description", ""),
                        max_steps)


def _convert(value: object, kind: type) -> object:
    if not isinstance(value, str):
        raise ValueError(f"{value!r} is not a scalar")
    if kind is bool:
        if value not in ("true", "false"):
            raise ValueError(f"{value!r} is not true or false")
        return value == "true"
    return kind(value)


def names() -> list[str]:
    """The names of all library machines."""
    return [entry.name for entry in entries()]


def exists(name: str) -> bool:
    """True when ``name`` is a library machine."""
    return name in names()


def resolve(name: str) -> LibraryEntry:
    """The entry called ``name``; an unknown name is a :class:`UsageError` listing the known ones."""
    for entry in entries():
        if entry.name == name:
            return entry
    raise UsageError(f"unknown library machine {name!r} (known: {', '.join(names())})")


def load_entry(entry: LibraryEntry, input_text: str | None = None) -> LoadedMachine:
    """The entry's machine on its input (or on ``input_text``, which drops the expected result)."""
    word = entry.input if input_text is None else input_text
    [loaded] = load_text(entry.text(), entry.format, entry.source, word)
    if input_text is not None and input_text != entry.input:
        return replace(loaded, name=entry.name)
    return replace(loaded, name=entry.name, expected=dict(entry.expected), max_steps=entry.max_steps)


def cases() -> Iterator[LoadedMachine]:
    """Every library machine loaded on its input, with ``expected`` and ``max_steps`` set: the table
    that the simulator and every construction are checked against."""
    for entry in entries():
        yield load_entry(entry)

