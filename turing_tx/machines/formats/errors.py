"""Located one-line errors for machine-file parsers (``docs/formats.md``, "Rules every file follows")."""

from __future__ import annotations

from turing_tx.errors import MachineFormatError


def located(source: str, problem: str, line: int | None = None, column: int | None = None) -> MachineFormatError:
    """``<source>:<line>:<column>: <problem>`` with the unknown parts left out."""
    where = source
    if line is not None:
        where += f":{line}"
        if column is not None:
            where += f":{column}"
    return MachineFormatError(f"{where}: {problem}")
