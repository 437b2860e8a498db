"""What a MACHINE argument names: an inline bbchallenge string, a library name or a file.

This sits above both the format loader and the library (the library reads its entries through the
loader, and a name may be a library entry), so neither imports the other. An inline string is
recognised by its syntax before any file-system call, so a long machine string is never taken for a
path.
"""

from __future__ import annotations

from pathlib import Path

from turing_tx.errors import MachineFormatError
from turing_tx.io.textfile import read_text
from turing_tx.machines import library
from turing_tx.machines.formats import bbchallenge
from turing_tx.machines.formats.loader import LoadedMachine, check_format, detect_format, load_text


def load(spec: str, format: str | None = None, input_text: str | None = None) -> list[LoadedMachine]:
    """Every machine named by ``spec``: an inline bbchallenge string, a library name (``bb3``) or a file
    path; ``input_text`` (in the machine's symbols) replaces the source's own input word."""
    check_format(format)
    if format in (None, "bbchallenge") and bbchallenge.looks_like_bbchallenge(spec):
        return load_text(spec, "bbchallenge", "<inline>", input_text)
    if library.exists(spec):
        return [library.load_entry(library.resolve(spec), input_text)]
    if Path(spec).exists():
        return load_text(read_text(spec), format or detect_format(spec), spec, input_text)
    raise MachineFormatError(f"{spec}: no such file, library machine or machine string")
