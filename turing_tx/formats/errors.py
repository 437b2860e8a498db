"""Shared helpers for machine-file parsers: bounded, strict reading and one-line located errors."""

from __future__ import annotations

from pathlib import Path

from turing_tx.errors import MachineFormatError

MAX_FILE_BYTES = 1 << 20


def located(source: str, problem: str, line: int | None = None, column: int | None = None) -> MachineFormatError:
    """``<source>:<line>:<column>: <problem>`` with the unknown parts left out (formats.md §6)."""
    where = source
    if line is not None:
        where += f":{line}"
        if column is not None:
            where += f":{column}"
    return MachineFormatError(f"{where}: {problem}")


def read_text(path: str | Path, limit: int = MAX_FILE_BYTES) -> str:
    """The file's text: at most ``limit`` bytes read, strict UTF-8 (BOM skipped), CRLF accepted."""
    name = str(path)
    try:
        with open(path, "rb") as handle:
            data = handle.read(limit + 1)
            size = handle.seek(0, 2)
    except FileNotFoundError:
        raise MachineFormatError(f"{name}: no such file") from None
    except IsADirectoryError:
        raise MachineFormatError(f"{name}: is a directory, not a machine file") from None
    except OSError as exc:
        raise MachineFormatError(f"{name}: cannot read ({exc.strerror})") from None
    if len(data) > limit:
        raise MachineFormatError(f"{name}: file is {size} bytes; the limit is {limit}")
    return decode_text(data, name)


def decode_text(data: bytes, name: str) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = data[: exc.start]
        line = before.count(b"\n") + 1
        line_start = before.rfind(b"\n") + 1
        column = len(data[line_start: exc.start].decode("utf-8", errors="replace")) + 1
        raise located(name, f"invalid UTF-8 (byte 0x{data[exc.start]:02x})", line, column) from None
    return text.replace("\r\n", "\n")
