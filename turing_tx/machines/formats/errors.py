"""Located one-line errors for machine-file parsers (formats.md §6)."""

from __future__ import annotations

from turing_tx.errors import MachineFormatError


def located(source: str, problem: str, line: int | None = None, column: int | None = None) -> MachineFormatError:
    """``<source>:<line>:<column>: <problem>`` with the unknown parts left out (formats.md §6)."""
    where = source
    if line is not None:
        where += f":{line}"
        if column is not None:
            where += f":{column}"
    return MachineFormatError(f"{where}: {problem}")
