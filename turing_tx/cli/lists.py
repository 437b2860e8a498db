"""``turing-tx machines`` and ``turing-tx constructions``: what a MACHINE name and ``-c`` may be."""

from __future__ import annotations

import argparse

from turing_tx.cli.args import constructions
from turing_tx.constructions.registry import get_construction
from turing_tx.constructions.runs import REFERENCE
from turing_tx.machines import library


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    """Add ``machines`` and ``constructions`` to ``subparsers``."""
    machines = "list the machine library (names usable as MACHINE), each with what it computes"
    subparsers.add_parser("machines", help=machines, description=machines).set_defaults(handler=list_machines)
    constructions = "list the constructions (names usable with -c) and their papers"
    subparsers.add_parser("constructions", help=constructions, description=constructions).set_defaults(
        handler=list_constructions)


def list_machines(args: argparse.Namespace) -> int:
    """Print every library machine with its description."""
    entries = library.entries()
    width = max(len(entry.name) for entry in entries)
    for entry in entries:
        print(f"{entry.name:<{width}}  {entry.description}")
    return 0


def list_constructions(args: argparse.Namespace) -> int:
    """Print every construction with its paper, then the reference simulator."""
    for name in constructions():
        print(f"{name:<20} {get_construction(name).paper}")
    print(f"{REFERENCE:<20} the plain reference simulator")
    return 0
