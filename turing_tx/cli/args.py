"""Command-line arguments shared by the subcommands, so the same thing has the same flag everywhere.

Every subcommand that takes a machine names it the same way (MACHINE, ``--input``/``-i``,
``--format``, ``--line``: :func:`add_machine_arguments`) and reads it with :func:`resolve_machine`,
which prints the parser's warnings. A step limit is ``--max-steps N`` everywhere
(:func:`add_max_steps`; the older ``--steps`` stays as a hidden alias). ``run`` and ``verify`` share
their run options (:func:`add_run_options`).
"""

from __future__ import annotations

import argparse
import os
import re
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

from turing_tx.cli.output import warn
from turing_tx.constructions.registry import construction_names
from turing_tx.constructions.runs import REFERENCE
from turing_tx.engine.numbers import DEFAULT_BACKEND, MPMATH_MAX_BITS
from turing_tx.errors import UsageError
from turing_tx.machines import library
from turing_tx.machines.formats.bbchallenge import looks_like_bbchallenge
from turing_tx.machines.formats.loader import FORMATS, LoadedMachine, parse_input
from turing_tx.machines.resolve import load

#: what a MACHINE argument may be (a model JSON only where a command runs one), for every command's help
MACHINE_FILE = ("a machine file in any of four formats (bbchallenge text, turingmachine.io YAML, Morphett, "
                "automata-lib DTM JSON; detected from the file, or --format)")
INLINE_MACHINE = "an inline bbchallenge string such as 1RB1LB_1LA1RZ"
LIBRARY_MACHINE = "a library name such as bb3 (turing-tx machines lists them)"
MODEL_JSON = "a model JSON written by turing-tx compile"


@cache
def constructions() -> tuple[str, ...]:
    """The registered construction names, looked up once: each lookup scans the entry points of every
    installed distribution, and the help of several subcommands lists them."""
    return tuple(construction_names())


#: the largest step limit accepted: beyond any run that can finish (10^15 steps at a million steps a
#: second take thirty years), and small enough for every count to stay a machine-sized integer
MAX_STEPS = 10 ** 15
#: the longest time limit accepted, in seconds (about thirty years): a typo's bound, not a resource's
MAX_SECONDS = 10 ** 9
_COUNT = re.compile(r"[0-9][0-9_]*(?:[eE][0-9]+)?")


def bounded_count(text: str, what: str, bound: int) -> int:
    """An integer 0 ≤ n ≤ ``bound`` written as digits (``1_000_000``) or in e-notation (``5e7``);
    anything else, or a value past the bound, is an argparse error naming it."""
    if not _COUNT.fullmatch(text.strip()):
        raise argparse.ArgumentTypeError(f"expected a non-negative integer {what}, got {text!r}")
    mantissa, _, exponent = text.strip().lower().replace("_", "").partition("e")
    if exponent and int(exponent) > 30:
        raise argparse.ArgumentTypeError(f"{what} {text} is past the bound {bound:,}")
    value = int(mantissa) * 10 ** int(exponent or 0)
    if value > bound:
        raise argparse.ArgumentTypeError(f"{what} {text} is past the bound {bound:,}")
    return value


def non_negative_int(text: str) -> int:
    """A step limit (argparse type): an integer 0 ≤ n ≤ MAX_STEPS, digits or e-notation (``5e7``)."""
    return bounded_count(text, "step limit", MAX_STEPS)


def positive_float(text: str) -> float:
    """A time limit in seconds (argparse type): a finite number 0 < s ≤ MAX_SECONDS."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of seconds, got {text!r}") from None
    if not 0 < value <= MAX_SECONDS:
        raise argparse.ArgumentTypeError(f"time limit must be positive and at most {MAX_SECONDS:,} s, got {text}")
    return value


def machine_help(model_json: bool = False) -> str:
    """What a MACHINE argument may be: a file, an inline string, a library name (or a model JSON)."""
    kinds = [MACHINE_FILE, INLINE_MACHINE, LIBRARY_MACHINE, *([MODEL_JSON] if model_json else [])]
    return ", ".join(kinds[:-1]) + ", or " + kinds[-1]


def add_machine_arguments(parser: argparse.ArgumentParser, optional: bool = False, model_json: bool = False) -> None:
    """MACHINE, --input, --format and --line: shared by every command that takes one machine."""
    parser.add_argument("machine", metavar="MACHINE", nargs="?" if optional else None,
                        help=machine_help(model_json))
    parser.add_argument("--input", "-i", dest="input_word", default=None, metavar="WORD",
                        help="input word in the machine's own symbols (default: the file's input, else blank)")
    parser.add_argument("--format", choices=FORMATS, default=None,
                        help="format of a machine file (default: detected from its extension or content); "
                             "an error for an inline string or a library name")
    parser.add_argument("--line", type=int, default=None, metavar="N",
                        help="for a file with several machines: the line of the one to use")


class _StepLimit(argparse.Action):
    """Stores a step limit and the flag it was given with (``--max-steps`` or the older ``--steps``),
    so that a later error names the flag the user typed."""

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace, values: Any,
                 option_string: str | None = None) -> None:
        setattr(namespace, self.dest, values)
        namespace.max_steps_flag = option_string


def add_max_steps(parser: argparse.ArgumentParser, default: int | None, help_text: str,
                  parse: Callable[[str], int] = non_negative_int) -> None:
    """``--max-steps N`` into ``args.max_steps`` (read with ``parse``), with ``--steps N`` as a hidden
    alias; the flag used is ``args.max_steps_flag``."""
    if parse is non_negative_int:
        help_text += "; digits or e-notation such as 5e7, at most 10^15 (beyond any run that can finish)"
    parser.add_argument("--max-steps", metavar="N", type=parse, default=default, action=_StepLimit, help=help_text)
    parser.add_argument("--steps", dest="max_steps", metavar="N", type=parse, default=argparse.SUPPRESS,
                        action=_StepLimit, help=argparse.SUPPRESS)
    parser.set_defaults(max_steps_flag="--max-steps")


def add_run_options(parser: argparse.ArgumentParser, construction_help: str, steps_help: str) -> None:
    """-c (None when not given: the handler picks the default), --max-steps (None likewise),
    --time-limit, --backend and -q: the options of ``run`` and ``verify``."""
    parser.add_argument("--construction", "-c", default=None,
                        help=f"{', '.join(constructions())} or {REFERENCE}; {construction_help}")
    add_max_steps(parser, None, steps_help)
    parser.add_argument("--time-limit", type=positive_float, default=None, metavar="S",
                        help="stop after S seconds (at most 10^9, about thirty years)")
    parser.add_argument("--backend", default=DEFAULT_BACKEND, metavar="NAME",
                        help="number backend: gmpy2 (default), fraction, flint, float64, float32, mpmath:<bits> "
                             f"(2 to {MPMATH_MAX_BITS:,} bits: past that an exact backend is faster)")
    parser.add_argument("--quiet", "-q", action="store_true", help="no progress bar")


def forbid(given: dict[str, bool], where: str) -> None:
    """A usage error for the first option of ``given`` (flag → whether the user gave it) that was given:
    it does not apply ``where`` and would otherwise be silently ignored."""
    for flag, present in given.items():
        if present:
            raise UsageError(f"{flag} does not apply {where}")


def check_format_applies(spec: str, format: str | None) -> None:
    """``--format`` names the format of a machine file; with an inline string or a library name (which
    :func:`~turing_tx.machines.resolve.load` reads before any file) it would be ignored: an error."""
    if format is None:
        return
    kind = ("an inline bbchallenge string" if looks_like_bbchallenge(spec)
            else "a library machine" if library.exists(spec) else None)
    if kind is not None:
        raise UsageError(f"--format does not apply to {kind} ({spec}; write ./{spec} for a file of that name)")


def check_output_file(path: str) -> None:
    """An output file's path must name a file in an existing directory this process may write in:
    checked before any work, so no run is lost to it (the write itself is atomic)."""
    if not path:
        raise UsageError("the output file name is empty")
    target = Path(path)
    directory = target.parent
    if target.is_dir():
        raise UsageError(f"{path}: is a directory; give a file name")
    if not directory.is_dir():
        problem = f"{directory} is not a directory" if directory.exists() else f"no such directory {directory}"
        raise UsageError(f"{path}: {problem}")
    if not os.access(directory, os.W_OK | os.X_OK):
        raise UsageError(f"{path}: cannot write in directory {directory} (permission denied)")


def report_warnings(loaded: LoadedMachine) -> None:
    """Print what the parser of ``loaded`` assumed (e.g. a YAML file without ``blank:``)."""
    for message in loaded.warnings:
        warn(f"{loaded.source}: {message}")


def resolve_machine(args: argparse.Namespace) -> tuple[LoadedMachine, tuple[int, ...]]:
    """The machine and input word the arguments name (one-line errors for everything else); the
    parser's warnings are printed."""
    check_format_applies(args.machine, args.format)
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
    report_warnings(loaded)
    word = loaded.word if args.input_word is None else parse_input(loaded, args.input_word)
    return loaded, word


def check_model_construction(construction: str, path: str) -> None:
    """A model file names the construction whose decoder reads it: one this installation has."""
    if construction not in constructions():
        raise UsageError(f"{path}: the model names an unknown construction {construction!r} "
                         f"(available: {', '.join(constructions())})")
