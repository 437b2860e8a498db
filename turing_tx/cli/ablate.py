"""The ``ablate`` and ``components`` subcommands: ``add_parser(subparsers)`` and ``run(args) -> int``.

    turing-tx components MACHINE --construction perez
    turing-tx ablate MACHINE [MACHINE ...] --construction X|all [--input WORD] [--pairs]
                     [--precision float32,float64,mpmath:8-40] [--temperature 1/10,1/100]
                     [--window 1-30] [--ablation NAME ...] [--max-steps N] [--no-prove] -o DIR [--quiet]

The ablation machinery (networkx, jinja2, matplotlib) is imported by the handlers and by ``ablate
--help`` (which lists the ablation names the machinery documents), never to build the parser, so
other subcommands start without it.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from turing_tx.cli.args import (
    add_machine_arguments,
    add_max_steps,
    constructions,
    machine_help,
    report_warnings,
    resolve_machine,
)
from turing_tx.cli.output import warn
from turing_tx.errors import UsageError
from turing_tx.machines.formats.loader import parse_input
from turing_tx.machines.resolve import load

if TYPE_CHECKING:
    from turing_tx.machines.machine import TuringMachine

DEFAULT_MAX_STEPS = 10_000


def ablation_names() -> str:
    """The forms of an ablation name, one per line with what it does (:data:`ABLATION_FORMS`, imported
    here, when ``ablate --help`` asks, so that building the parser does not load the ablation module)."""
    from turing_tx.ablation.transforms import ABLATION_FORMS

    width = max(len(name) for name, _ in ABLATION_FORMS)
    return "\n".join(f"  {name:<{width}}  {meaning.replace('``', '')}" for name, meaning in ABLATION_FORMS)


class _HelpWithAblations(argparse.Action):
    """``-h``/``--help`` of ``ablate``: the help, then the ablation names (computed only now)."""

    def __init__(self, option_strings: list[str], dest: str = argparse.SUPPRESS, **kwargs: Any) -> None:
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS,
                         help="show this help, with the ablation names, and exit")

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace, values: Any,
                 option_string: str | None = None) -> None:
        from turing_tx.ablation.sweeps import sweep_bounds

        parser.epilog = ("ablation names for --ablation (join several with + to combine them;\n"
                         "the component names of a model: turing-tx components MACHINE -c CONSTRUCTION):\n"
                         + ablation_names() + "\n\nbounds of the sweeps (a value past one is an error):\n"
                         + sweep_bounds())
        parser.print_help()
        parser.exit()


def add_parser(subparsers: Any) -> None:
    """Register ``ablate`` and ``components`` on an argparse subparsers object."""
    components = subparsers.add_parser("components", help="list a compiled model's named components")
    add_machine_arguments(components)
    components.add_argument("--construction", "-c", default="perez",
                            help=f"{', '.join(constructions())}, or 'all' (default perez)")
    components.set_defaults(command="components", handler=run)

    text = "ablation study: run ablated models, write reports"
    ablate = subparsers.add_parser("ablate", help=text, description=text, add_help=False,
                                   formatter_class=argparse.RawDescriptionHelpFormatter)
    ablate.add_argument("-h", "--help", action=_HelpWithAblations)
    ablate.add_argument("machines", nargs="+", metavar="MACHINE", help=f"one or more machines, each {machine_help()}")
    ablate.add_argument("--construction", "-c", required=True,
                        help=f"{', '.join(constructions())}, or 'all'")
    ablate.add_argument("--input", "-i", default=None, metavar="WORD", help="input word in the machine's symbols")
    ablate.add_argument("--pairs", action="store_true", help="also remove every pair of components")
    ablate.add_argument("--precision", default=None,
                        help="float backends, e.g. float32,float64,mpmath:8-40/2 (bounds below)")
    ablate.add_argument("--temperature", default=None, help="softmax temperatures, e.g. 1/10,1/100 (bounds below)")
    ablate.add_argument("--window", default=None,
                        help="window sizes for the window sweep, e.g. 1-30 (bounds below)")
    ablate.add_argument("--ablation", action="append", default=[], metavar="NAME",
                        help="an extra named ablation (repeatable; the names are listed below)")
    add_max_steps(ablate, DEFAULT_MAX_STEPS, f"step limit of every run (default {DEFAULT_MAX_STEPS})")
    ablate.add_argument("--prove", action=argparse.BooleanOptionalAction, default=True,
                        help="prove each component's verdict with the prover: proved necessary, proved not "
                             "needed or unconfirmed (default: on; about a second per component)")
    ablate.add_argument("-o", "--output", required=True,
                        help="directory for report.json/.md/.html (files of the same name are replaced)")
    ablate.add_argument("--quiet", "-q", action="store_true", help="no progress bar")
    ablate.set_defaults(command="ablate", handler=run)


def _machines(specs: list[str], word: str | None) -> list[tuple[TuringMachine, tuple[int, ...]]]:
    machines = []
    for spec in specs:
        for loaded in load(spec):
            report_warnings(loaded)
            machines.append((loaded.machine, parse_input(loaded, word) if word is not None else loaded.word))
    return machines


def _constructions(name: str) -> list[str]:
    if name == "all":
        return list(constructions())
    if name not in constructions():
        raise UsageError(f"unknown construction {name!r} (available: {', '.join(constructions())}, all)")
    return [name]


def _components(args: argparse.Namespace) -> int:
    from turing_tx.ablation.components import component_table
    from turing_tx.ablation.subjects import make_subject

    loaded, word = resolve_machine(args)
    machine = loaded.machine
    for construction in _constructions(args.construction):
        subject = make_subject(construction, machine, word)
        if subject.model is None:
            print(f"{construction}: an RNN; no transformer components (precision ablations only)")
            continue
        for row in component_table(subject.model):
            flag = "  (inert)" if row["inert"] else ""
            print(f"{row['name']:<28} {row['kind']}{flag}")
    return 0


def check_output_directory(name: str) -> Path:
    """The directory ``-o`` names: an existing one, or a path whose nearest existing ancestor is a
    directory this process may write in (the missing ones are created); checked before any run, so
    that none is lost to it."""
    if not name:
        raise UsageError("the output directory name is empty")
    output = Path(name)
    if output.exists() and not output.is_dir():
        raise UsageError(f"{output}: not a directory (-o names the directory of the report)")
    existing = next((path for path in (output, *output.parents) if path.exists()), None)
    if existing is None:
        raise UsageError(f"{output}: no such directory (the working directory was removed)")
    if not existing.is_dir():
        raise UsageError(f"{output}: {existing} is not a directory")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise UsageError(f"{output}: cannot write in directory {existing} (permission denied)")
    return output


def _ablate(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from turing_tx.ablation.report import write_report
    from turing_tx.ablation.study import StudyOptions, run_study
    from turing_tx.ablation.sweeps import parse_numbers, parse_precisions, parse_windows

    output = check_output_directory(args.output)
    options = StudyOptions(
        pairs=args.pairs,
        precisions=parse_precisions(args.precision) if args.precision else [],
        temperatures=parse_numbers(args.temperature, "--temperature") if args.temperature else [],
        windows=parse_windows(args.window) if args.window else [],
        ablations=list(args.ablation), max_steps=args.max_steps, prove=args.prove)
    machines = _machines(args.machines, args.input)
    quiet = args.quiet or not sys.stderr.isatty()
    with tqdm(desc="ablate", unit="run", file=sys.stderr, disable=quiet) as bar:
        def progress(label: str) -> None:
            bar.set_postfix_str(label[:60], refresh=False)
            bar.update()

        report = run_study(_constructions(args.construction), machines, options, progress)
    before = {path.name for path in output.iterdir()} if output.is_dir() else set()
    written = write_report(report, output)
    replaced = [str(path) for path in written if path.name in before]
    if replaced:
        warn(f"replaced {', '.join(replaced)} (an earlier report in {output})")
    for path in written:
        print(path)
    return 0


def run(args: argparse.Namespace) -> int:
    """Run the ``components`` or ``ablate`` subcommand; errors surface as TuringTxError."""
    return _components(args) if args.command == "components" else _ablate(args)
