"""Reading user files: bounded, strict UTF-8, and one-line errors of the caller's error class.

Machine files, model JSON and RNN JSON all go through :func:`read_text`, so every file a user hands
to turing-tx is read the same way: at most ``limit`` bytes are read (a huge file, or an endless
device such as ``/dev/zero``, is never loaded whole; a pipe such as ``/dev/stdin`` is read like a
file), a UTF-8 BOM is skipped, CRLF becomes LF, and the first invalid byte is reported with its
line and column.
"""

from __future__ import annotations

import os
from pathlib import Path

from turing_tx.errors import MachineFormatError, TuringTxError

MAX_FILE_BYTES = 1 << 20


def read_text(path: str | Path, limit: int = MAX_FILE_BYTES,
              error: type[TuringTxError] = MachineFormatError) -> str:
    """The file's text, or ``error`` with a one-line message naming the file and the problem."""
    name = str(path)
    try:
        # O_NONBLOCK: a FIFO no process writes reads as empty instead of waiting for ever (it is
        # cleared at once, so a pipe with a writer is read to its end)
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
        os.set_blocking(fd, True)
        with open(fd, "rb") as handle:
            data = handle.read(limit + 1)
            size = os.fstat(handle.fileno()).st_size
    except FileNotFoundError:
        raise error(f"{name}: no such file") from None
    except IsADirectoryError:
        raise error(f"{name}: is a directory, not a file") from None
    except NotADirectoryError:
        raise error(f"{name}: a component of the path is not a directory") from None
    except OSError as exc:
        raise error(f"{name}: cannot read ({exc.strerror or exc})") from None
    if len(data) > limit:
        # a pipe or a device has no size: only what was read is known
        found = f"file is {size} bytes" if size > limit else f"more than {limit} bytes"
        raise error(f"{name}: {found}; the limit is {limit}")
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
