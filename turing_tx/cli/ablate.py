"""The ``ablate`` and ``components`` subcommands: ``add_parser(subparsers)`` and ``run(args) -> int``.

    turing-tx components MACHINE --construction perez
    turing-tx ablate MACHINE [MACHINE ...] --construction X|all [--input WORD] [--pairs]
                     [--precision float32,float64,mpmath:8-40] [--temperature 1/10,1/100]
                     [--window 1-30] [--ablation NAME ...] [--steps N] -o DIR [--quiet]
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from tqdm import tqdm

from turing_tx.ablation.components import component_table
from turing_tx.ablation.report import write_report
from turing_tx.ablation.study import StudyOptions, run_study
from turing_tx.ablation.subjects import make_subject
from turing_tx.ablation.sweeps import parse_numbers, parse_precisions, parse_windows
from turing_tx.ablation.transforms import AblationError
from turing_tx.cli.args import add_machine_arguments, resolve_machine
from turing_tx.constructions.registry import construction_names
from turing_tx.machines.formats.loader import parse_input
from turing_tx.machines.machine import TuringMachine
from turing_tx.machines.resolve import load


def add_parser(subparsers: Any) -> None:
    """Register ``ablate`` and ``components`` on an argparse subparsers object."""
    components = subparsers.add_parser("components", help="list a compiled model's named components")
    add_machine_arguments(components)
    components.add_argument("--construction", "-c", default="perez",
                            help="a construction name, or 'all' (default perez)")
    components.set_defaults(command="components", handler=run)

    ablate = subparsers.add_parser("ablate", help="ablation study: run ablated models, write reports")
    ablate.add_argument("machines", nargs="+", metavar="MACHINE", help="machine files or bbchallenge strings")
    ablate.add_argument("--construction", "-c", required=True, help="a construction name, or 'all'")
    ablate.add_argument("--input", default=None, help="input word in the machine's symbols")
    ablate.add_argument("--pairs", action="store_true", help="also remove every pair of components")
    ablate.add_argument("--precision", default=None, help="float backends, e.g. float32,float64,mpmath:8-40/2")
    ablate.add_argument("--temperature", default=None, help="softmax temperatures, e.g. 1/10,1/100")
    ablate.add_argument("--window", default=None, help="window sizes for the window sweep, e.g. 1-30")
    ablate.add_argument("--ablation", action="append", default=[], help="an extra named ablation (repeatable)")
    ablate.add_argument("--steps", type=int, default=10_000, help="step limit of every run (default 10000)")
    ablate.add_argument("-o", "--output", required=True, help="directory for report.json/.md/.html")
    ablate.add_argument("--quiet", action="store_true", help="no progress bar")
    ablate.set_defaults(command="ablate", handler=run)


def _machines(specs: list[str], word: str | None) -> list[tuple[TuringMachine, tuple[int, ...]]]:
    machines = []
    for spec in specs:
        for loaded in load(spec):
            machines.append((loaded.machine, parse_input(loaded, word) if word is not None else loaded.word))
    return machines


def _constructions(name: str) -> list[str]:
    if name == "all":
        return construction_names()
    if name not in construction_names():
        raise AblationError(f"unknown construction {name!r} (available: {', '.join(construction_names())}, all)")
    return [name]


def _components(args: argparse.Namespace) -> int:
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


def _ablate(args: argparse.Namespace) -> int:
    if args.steps < 0:
        raise AblationError(f"--steps must be non-negative, got {args.steps}")
    options = StudyOptions(
        pairs=args.pairs,
        precisions=parse_precisions(args.precision) if args.precision else [],
        temperatures=parse_numbers(args.temperature, "--temperature") if args.temperature else [],
        windows=parse_windows(args.window) if args.window else [],
        ablations=list(args.ablation), max_steps=args.steps)
    machines = _machines(args.machines, args.input)
    quiet = args.quiet or not sys.stderr.isatty()
    with tqdm(desc="ablate", unit="run", file=sys.stderr, disable=quiet) as bar:
        def progress(label: str) -> None:
            bar.set_postfix_str(label[:60], refresh=False)
            bar.update()

        report = run_study(_constructions(args.construction), machines, options, progress)
    for path in write_report(report, args.output):
        print(path)
    return 0


def run(args: argparse.Namespace) -> int:
    """Run the ``components`` or ``ablate`` subcommand; errors surface as TuringTxError."""
    return _components(args) if args.command == "components" else _ablate(args)
