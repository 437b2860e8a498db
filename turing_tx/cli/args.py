"""Command-line arguments shared by every subcommand that takes a machine or a step count.

``turing-tx run``, ``verify``, ``compile``, ``components``, ``diagram`` and ``attention`` name a
machine the same way (a file in any format, an inline bbchallenge string or a library name, with
``--input``, ``--format`` and ``--line``) and resolve it with :func:`resolve_machine`.
"""

from __future__ import annotations

import argparse

from turing_tx.errors import UsageError
from turing_tx.machines.formats.loader import FORMATS, LoadedMachine, parse_input
from turing_tx.machines.resolve import load


def non_negative_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a non-negative integer, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"step limit must be non-negative, got {value}")
    return value


def positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of seconds, got {text!r}") from None
    if not value > 0:
        raise argparse.ArgumentTypeError(f"time limit must be positive, got {text}")
    return value


def add_machine_arguments(parser: argparse.ArgumentParser, optional: bool = False) -> None:
    """MACHINE, --input, --format and --line: shared by every command that takes a machine."""
    parser.add_argument("machine", metavar="MACHINE", nargs="?" if optional else None,
                        help="machine file, inline bbchallenge string (1RB1LB_1LA1RZ) or library name (bb3)")
    parser.add_argument("--input", "-i", dest="input_word", default=None,
                        help="input word in the machine's own symbols (default: the file's input, else blank)")
    parser.add_argument("--format", choices=FORMATS, default=None,
                        help="machine format (default: detected from the file)")
    parser.add_argument("--line", type=int, default=None,
                        help="for a file with several machines: the line of the one to use")


def resolve_machine(args: argparse.Namespace) -> tuple[LoadedMachine, tuple[int, ...]]:
    """The machine and input word the arguments name (one-line errors for everything else)."""
    machines = load(args.machine, args.format, args.input_word)
    if args.line is not None:
        chosen = [m for m in machines if m.line == args.line]
        if not chosen:
            lines = ", ".join(str(m.line) for m in machines)
            raise UsageError(f"{args.machine}: no machine on line {args.line} (machines on lines {lines})")
        loaded = chosen[0]
    elif len(machines) > 1:
        lines = ", ".join(str(m.line) for m in machines)
        raise UsageError(f"{args.machine} holds {len(machines)} machines (lines {lines}); choose one with --line")
    else:
        loaded = machines[0]
    word = loaded.word if args.input_word is None else parse_input(loaded, args.input_word)
    return loaded, word
