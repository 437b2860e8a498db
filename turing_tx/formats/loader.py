"""Load a machine from a file, an inline string or a library name, in any supported format."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from turing_tx.errors import MachineFormatError
from turing_tx.formats import bbchallenge
from turing_tx.machine import TuringMachine


@dataclass(frozen=True)
class LoadedMachine:
    """A machine with the input word its source gives (if any) and where it came from."""

    machine: TuringMachine
    word: tuple[int, ...]
    source: str
    format: str
    line: int | None = None


def load(spec: str, format: str | None = None, input_text: str | None = None) -> list[LoadedMachine]:
    """Every machine named by ``spec``: a file path or an inline bbchallenge string."""
    del input_text
    if Path(spec).exists():
        return [LoadedMachine(m.machine, m.word, spec, "bbchallenge", m.line)
                for m in bbchallenge.load_file(spec)]
    if format in (None, "bbchallenge") and bbchallenge.looks_like_bbchallenge(spec):
        return [LoadedMachine(bbchallenge.parse_machine(spec, "<inline>"), (), "<inline>", "bbchallenge")]
    raise MachineFormatError(f"{spec}: no such file, and not a machine string")


def parse_input(loaded: LoadedMachine, text: str) -> tuple[int, ...]:
    """An input word written in the machine's own symbols."""
    if loaded.format == "bbchallenge":
        return bbchallenge.parse_word(text, loaded.machine, "--input")
    return loaded.machine.parse_word(text)
