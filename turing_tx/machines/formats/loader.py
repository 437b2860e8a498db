"""Load machines from a text in any supported format, and detect a file's format.

(Which text a MACHINE argument names, a file, a library entry or an inline string, is decided by
:mod:`turing_tx.machines.resolve`, above this module and the library.)

Formats (each a section of ``docs/formats.md``): ``bbchallenge``, ``yaml`` (turingmachine.io),
``morphett`` and ``automata`` (automata-lib DTM as JSON). The format of a file is, unless ``format``
says otherwise (``docs/formats.md``, "How a MACHINE argument is resolved"):

- by extension: ``.bb`` bbchallenge; ``.yaml``/``.yml`` yaml; ``.morphett``/``.tm`` morphett;
  ``.dtm``/``.json`` automata;
- otherwise (``.txt`` included, since morphett.info programs are often saved as text) by content: a
  JSON object is automata, a document with ``table:``/``start state:``/``source code:`` is yaml, a
  first line that is a bbchallenge machine is bbchallenge, a first line of five fields is morphett,
  and anything else is read as bbchallenge (whose parser then says what is wrong).

An input word is always written in the machine's own symbols (:func:`parse_input`). Given to
:func:`load_text` as ``input_text``, it replaces the file's own input, and for YAML and Morphett its
characters join the alphabet (wildcard rules are expanded over it).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from turing_tx.errors import UsageError
from turing_tx.io.textfile import read_text
from turing_tx.machines.formats import automata, bbchallenge, morphett, yaml_format
from turing_tx.machines.machine import TuringMachine

FORMATS = ("bbchallenge", "yaml", "morphett", "automata")
EXTENSIONS = {".bb": "bbchallenge", ".yaml": "yaml", ".yml": "yaml", ".morphett": "morphett",
              ".tm": "morphett", ".dtm": "automata", ".json": "automata"}
_YAML_KEY = re.compile(r"^(table|start state|source code|blank)\s*:", re.MULTILINE)


@dataclass(frozen=True)
class LoadedMachine:
    """A machine with the input word its source gives (if any) and where it came from.

    ``expected`` is the stored result of a library machine on ``word`` (keys of
    ``RunRecord.summary()``), with ``max_steps`` the step limit it was computed with (None: run to the
    halt). ``warnings`` are the defaults a parser filled in (e.g. a missing YAML blank).
    """

    machine: TuringMachine
    word: tuple[int, ...]
    source: str
    format: str
    line: int | None = None
    name: str = ""
    expected: dict[str, object] | None = None
    max_steps: int | None = None
    warnings: tuple[str, ...] = field(default=())


def check_format(format: str | None) -> None:
    if format is not None and format not in FORMATS:
        raise UsageError(f"unknown format {format!r} (expected one of {', '.join(FORMATS)})")


def detect_format(path: str, text: str | None = None) -> str:
    """The format of a file, by its extension or else by its content (see the module docstring)."""
    known = EXTENSIONS.get(Path(path).suffix.lower())
    if known is not None:
        return known
    content = read_text(path) if text is None else text
    if content.lstrip().startswith("{"):
        return "automata"
    if _YAML_KEY.search(content):
        return "yaml"
    first = next((line for line in content.split("\n") if line.split(";")[0].split("#")[0].strip()), "")
    fields = first.split(";")[0].split()
    if len(fields) >= 5 and not bbchallenge.looks_like_bbchallenge(fields[0]):
        return "morphett"
    return "bbchallenge"


def load_text(text: str, format: str, source: str = "<string>",
              input_text: str | None = None) -> list[LoadedMachine]:
    """Every machine of ``text`` in ``format``; errors are located at ``source``."""
    check_format(format)
    extra = input_text or ""
    if format == "bbchallenge":
        loaded = [LoadedMachine(m.machine, m.word, source, format, m.line)
                  for m in bbchallenge.load_file(source, text)]
    elif format == "yaml":
        doc = yaml_format.parse(text, source, extra)
        loaded = [LoadedMachine(doc.machine, doc.word, source, format, name=doc.name, warnings=doc.warnings)]
    elif format == "morphett":
        loaded = [LoadedMachine(morphett.parse(text, source, extra), (), source, format)]
    else:
        dtm = automata.parse(text, source)
        loaded = [LoadedMachine(dtm.machine, dtm.word, source, format, name=dtm.name)]
    if input_text is None:
        return loaded
    return [replace(m, word=parse_input(m, input_text)) for m in loaded]


def parse_input(loaded: LoadedMachine, text: str) -> tuple[int, ...]:
    """An input word written in the machine's own symbols (digits for bbchallenge, characters for
    the others; for Morphett ``_`` or a space is a blank cell)."""
    if loaded.format == "bbchallenge":
        return bbchallenge.parse_word(text, loaded.machine, "--input")
    if loaded.format == "yaml":
        return yaml_format.parse_word(text, loaded.machine)
    if loaded.format == "morphett":
        return morphett.parse_word(text, loaded.machine)
    return automata.parse_word(text, loaded.machine)


def write(machine: TuringMachine, format: str, word: Sequence[int] = ()) -> str:
    """``machine`` as the text of a file in ``format`` (with ``word`` as its input where the format
    has one; Morphett has none)."""
    check_format(format)
    if format == "bbchallenge":
        code = bbchallenge.write_machine(machine)
        return (f"{code} {''.join(map(str, word))}" if word else code) + "\n"
    if format == "yaml":
        return yaml_format.write(machine, word)
    if format == "morphett":
        return morphett.write(machine)
    return automata.write(machine, word)
