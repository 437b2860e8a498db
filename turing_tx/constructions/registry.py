"""How constructions are found: by name, through the ``turing_tx.constructions`` entry-point group
declared in ``pyproject.toml``, so a third-party package can add its own (loaded on demand)."""

from __future__ import annotations

from importlib.metadata import entry_points
from typing import TYPE_CHECKING

from turing_tx.errors import UsageError

if TYPE_CHECKING:  # the protocol pulls in the interpreter; listing names needs none of it
    from turing_tx.constructions.protocol import Construction


def construction_names() -> list[str]:
    """Names of every registered construction (entry-point group ``turing_tx.constructions``)."""
    return sorted({point.name for point in entry_points(group="turing_tx.constructions")})


def get_construction(name: str) -> Construction:
    """The construction registered as ``name`` (loaded on demand)."""
    for point in entry_points(group="turing_tx.constructions"):
        if point.name == name:
            return point.load()
    raise UsageError(f"unknown construction {name!r} (available: {', '.join(construction_names())})")
