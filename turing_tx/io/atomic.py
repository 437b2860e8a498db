"""Atomic file output: a reader (or a crash) never sees a partial or corrupt output file.

A regular file is written through a temporary file in the same directory and renamed over the
target, so the target holds the old content or the new, never a mix, even when two processes write
it at once or a signal arrives. A path that names something other than a regular file is written
differently: a symbolic link is followed (the link stays, its target is replaced), and a device or a
FIFO (``/dev/null``, ``/dev/stdout``, a named pipe) is written in place, since renaming over it would
replace the device by a file. Every error names the path the caller gave.
"""

from __future__ import annotations

import errno
import fcntl
import os
import stat
import tempfile
from pathlib import Path


def _encoded(data: str | bytes) -> bytes:
    return data if isinstance(data, bytes) else data.encode("utf-8")


def _write_in_place(target: Path, data: bytes, name: str) -> None:
    """Write ``data`` to the device or FIFO ``target``; a FIFO nobody reads is an error, not a hang."""
    try:
        fd = os.open(target, os.O_WRONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as exc:
        if exc.errno == errno.ENXIO:
            raise OSError(errno.ENXIO, "a FIFO that no process reads", name) from None
        raise OSError(exc.errno, exc.strerror, name) from None
    try:
        fcntl.fcntl(fd, fcntl.F_SETFL, fcntl.fcntl(fd, fcntl.F_GETFL) & ~os.O_NONBLOCK)
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
    except OSError as exc:
        raise OSError(exc.errno, exc.strerror, name) from None
    finally:
        os.close(fd)


def write_atomic(path: str | Path, data: str | bytes) -> None:
    """Write ``data`` (text as UTF-8) to ``path`` atomically: through a temporary file in the same
    directory and ``os.replace``, or in place for a device or FIFO. An OSError names ``path``."""
    name = str(path)
    try:
        mode = os.stat(path).st_mode  # of what a symbolic link points to
    except FileNotFoundError:
        mode = None
    except OSError as exc:
        raise OSError(exc.errno, exc.strerror, name) from None
    if mode is not None and stat.S_ISDIR(mode):
        raise IsADirectoryError(errno.EISDIR, "is a directory; give a file name", name)
    if mode is not None and not stat.S_ISREG(mode):
        _write_in_place(Path(path), _encoded(data), name)
        return
    target = Path(os.path.realpath(path)) if os.path.islink(path) else Path(path)
    directory = target.parent if str(target.parent) else Path(".")
    try:
        fd, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=directory)
    except OSError as exc:
        raise OSError(exc.errno, f"cannot write in {directory} ({exc.strerror})", name) from None
    umask = os.umask(0)
    os.umask(umask)
    try:
        os.fchmod(fd, 0o666 & ~umask)  # mkstemp creates 0600; give the file the usual permissions
        with os.fdopen(fd, "wb") as handle:
            handle.write(_encoded(data))
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, target)
    except OSError as exc:
        Path(temporary).unlink(missing_ok=True)
        raise OSError(exc.errno, exc.strerror, name) from None
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
