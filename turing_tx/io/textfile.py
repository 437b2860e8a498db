"""Reading user files: bounded, strict UTF-8, and one-line errors of the caller's error class.

Machine files, model JSON and RNN JSON all go through :func:`read_text`, so every file a user hands
to turing-tx is read the same way: at most ``limit`` bytes are read (a huge file is never loaded
whole), a UTF-8 BOM is skipped, CRLF becomes LF, and the first invalid byte is reported with its
line and column.
"""

from __future__ import annotations

from pathlib import Path

from turing_tx.errors import MachineFormatError, TuringTxError

MAX_FILE_BYTES = 1 << 20


def read_text(path: str | Path, limit: int = MAX_FILE_BYTES,
              error: type[TuringTxError] = MachineFormatError) -> str:
    """The file's text, or ``error`` with a one-line message naming the file and the problem."""
    name = str(path)
    try:
        with open(path, "rb") as handle:
            data = handle.read(limit + 1)
            size = handle.seek(0, 2)
    except FileNotFoundError:
        raise error(f"{name}: no such file") from None
    except IsADirectoryError:
        raise error(f"{name}: is a directory, not a file") from None
    except OSError as exc:
        raise error(f"{name}: cannot read ({exc.strerror})") from None
    if len(data) > limit:
        raise error(f"{name}: file is {size} bytes; the limit is {limit}")
    return decode_text(data, name, error)


def decode_text(data: bytes, name: str, error: type[TuringTxError] = MachineFormatError) -> str:
    """``data`` as strict UTF-8 text (BOM skipped, CRLF accepted); errors give line:column."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = data[: exc.start]
        line = before.count(b"\n") + 1
        line_start = before.rfind(b"\n") + 1
        column = len(data[line_start: exc.start].decode("utf-8", errors="replace")) + 1
        raise error(f"{name}:{line}:{column}: invalid UTF-8 (byte 0x{data[exc.start]:02x})") from None
    return text.replace("\r\n", "\n")
