"""``turing-tx convert``: a machine written in another of the four formats.

    turing-tx convert MACHINE --to bbchallenge|yaml|morphett|automata [-o FILE]

The text goes to stdout, or atomically to FILE. Where the target format forces names the machine does
not have (Morphett's blank ``_``, start state ``0`` and halting states ``halt…``; bbchallenge's letters
and digits) the names are mapped and a warning says how; a warning also says when the text counts
steps differently from the source or cannot hold its input word. A machine the format cannot express
is a one-line error.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Iterable, Sequence

from turing_tx.cli.args import add_machine_arguments, check_output_file, resolve_machine
from turing_tx.cli.output import warn
from turing_tx.io.atomic import write_atomic
from turing_tx.machines.formats import bbchallenge, morphett
from turing_tx.machines.formats.loader import FORMATS, write
from turing_tx.machines.machine import TuringMachine


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    """Add ``convert`` to ``subparsers``."""
    text = "write a machine in another format (to stdout, or atomically to -o FILE)"
    convert = subparsers.add_parser("convert", help=text, description=text)
    add_machine_arguments(convert)
    convert.add_argument("--to", required=True, choices=FORMATS, help="the format to write")
    convert.add_argument("-o", "--output", default=None, metavar="FILE", help="file to write (default: stdout)")
    convert.set_defaults(handler=command)


def _renames(kind: str, pairs: Iterable[tuple[str, str]], show: Callable[[str], str] = str) -> list[str]:
    """``kind a → b, c → d`` for the pairs whose names differ (nothing when none does); names shown with
    ``show`` (``repr`` for symbols, whose names may be blanks)."""
    changed = [f"{show(old)} → {show(new)}" for old, new in pairs if old != new]
    return [f"{kind} {', '.join(changed)}"] if changed else []


def for_morphett(machine: TuringMachine, word: Sequence[int]) -> tuple[TuringMachine, list[str]]:
    """The machine with Morphett's halting names, and warnings for every name the text changes and
    for the input word it cannot hold."""
    renamed, halts = morphett.with_halt_names(machine)
    names = (_renames("blank", [(machine.symbols[0], morphett.BLANK)], repr)
             + _renames("start state", [(machine.states[0], morphett.START)])
             + _renames("halting states", halts.items()))
    notes = [f"Morphett names: {'; '.join(names)}"] if names else []
    if word:
        text = "".join(morphett.BLANK if a == 0 else machine.symbols[a] for a in word)
        notes.append(f"a Morphett file has no input word; run it with --input '{text}'")
    return renamed, notes


def for_bbchallenge(machine: TuringMachine) -> list[str]:
    """Warnings for the names bbchallenge text replaces by digits and letters, and for the steps it
    counts that the source did not (the step back of a stay, the stop where the source had no rule)."""
    letters = bbchallenge.halt_letters(machine)
    names = (_renames("symbols", zip(machine.symbols, bbchallenge.SYMBOL_CHARS, strict=False), repr)
             + _renames("states", ((name, chr(ord("A") + q)) for q, name in enumerate(machine.states)))
             + _renames("halting states", letters.items()))
    notes = [f"bbchallenge has digits and letters only: {'; '.join(names)}"] if names else []
    if machine.added_states:
        notes.append("a stay is written as a move right and a step back, which bbchallenge counts as 2 steps")
    implicit = sorted({letters[e.halt] for row in machine.table for e in row if e.implicit and e.halt})
    if implicit:
        notes.append(f"where the source has no rule, the text takes one more step and halts in {', '.join(implicit)}")
    return notes


def command(args: argparse.Namespace) -> int:
    """Write MACHINE (on its input word, where the format has one) in the ``--to`` format."""
    if args.output is not None:
        check_output_file(args.output)
    loaded, word = resolve_machine(args)
    machine, notes = loaded.machine, []
    if args.to == "morphett":
        machine, notes = for_morphett(machine, word)
    elif args.to == "bbchallenge":
        notes = for_bbchallenge(machine)
    text = write(machine, args.to, word)
    for note in notes:
        warn(note)
    if args.output is None:
        sys.stdout.write(text)
    else:
        write_atomic(args.output, text)
        print(f"wrote {args.output}: {args.to}")
    return 0
