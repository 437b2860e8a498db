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

#: the characters of a MACHINE argument an error shows before shortening it
SHOWN = 80


def load(spec: str, format: str | None = None, input_text: str | None = None) -> list[LoadedMachine]:
    """Every machine named by ``spec``: an inline bbchallenge string, a library name (``bb3``) or a file
    path; ``input_text`` (in the machine's symbols) replaces the source's own input word."""
    check_format(format)
    if format in (None, "bbchallenge") and bbchallenge.looks_like_bbchallenge(spec):
        return load_text(spec, "bbchallenge", "<inline>", input_text)
    if library.exists(spec):
        return [library.load_entry(library.resolve(spec), input_text)]
    try:
        exists = Path(spec).exists()
    except (OSError, ValueError) as exc:  # a name too long for a path, or with a NUL byte
        reason = exc.strerror if isinstance(exc, OSError) else str(exc)
        raise MachineFormatError(f"{shorten(spec)}: not a machine string or a library machine, and not a "
                                 f"file name ({reason})") from None
    if exists:
        return load_text(read_text(spec), format or detect_format(spec), spec, input_text)
    raise MachineFormatError(f"{shorten(spec)}: no such file, library machine or machine string")


def shorten(spec: str, keep: int = SHOWN) -> str:
    """``spec`` itself, or its first ``keep`` characters and its length when it is longer, so that an
    error about a very long argument stays readable on one line."""
    return spec if len(spec) <= keep else f"{spec[:keep]}… ({len(spec)} characters)"
