"""The ``turing-tx`` command line.

    turing-tx run MACHINE [--input WORD] [--construction NAME] [--max-steps N] [--trace] [--json]
    turing-tx compile MACHINE [-c CONSTRUCTION] -o model.json    (siegelmann-sontag: an RNN JSON)
    turing-tx verify MACHINE [--model FILE] [-c CONSTRUCTION] --max-steps N
    turing-tx machines | constructions

MACHINE is a machine file (bbchallenge text, turingmachine.io YAML, Morphett, automata-lib DTM JSON),
an inline bbchallenge string such as ``1RB1LB_1LA1RZ``, a library name such as ``bb3``, or (for run and
verify) a model JSON written by ``compile``. ``verify --model FILE`` checks a given network (a model
JSON, or an RNN JSON run as Siegelmann–Sontag's or compiled into a Bhattamishra et al. transformer)
against MACHINE, read with the construction's decoder. Every user error is one line on stderr and exit
status 2; a run that fails verification exits 1.
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NoReturn

from turing_tx.cli.args import add_machine_arguments, non_negative_int, positive_float, resolve_machine
from turing_tx.constructions.protocol import CompiledMachine
from turing_tx.constructions.registry import construction_names, get_construction
from turing_tx.constructions.rnn_runs import run_rnn, split_rnn_word
from turing_tx.constructions.runs import REFERENCE, RunReport, run_machine
from turing_tx.engine import model_json
from turing_tx.engine.model import Model
from turing_tx.engine.numbers import DEFAULT_BACKEND
from turing_tx.errors import ModelFormatError, TuringTxError, UsageError
from turing_tx.io.strict_json import load_json
from turing_tx.io.textfile import read_text
from turing_tx.machines import machine_json
from turing_tx.machines.simulator import Step
from turing_tx.rnn import rnn_json
from turing_tx.rnn.network import RNN

DEFAULT_MAX_STEPS = 10_000
DEFAULT_CONSTRUCTION = "perez"
EXIT_USAGE, EXIT_MISMATCH = 2, 1
#: the construction whose network is an RNN; an RNN file is verified with it unless -c names another
RNN_CONSTRUCTION = "siegelmann-sontag"

#: subcommand modules contributed by other parts of the package: each has add_parser() and run()
PLUGIN_COMMANDS = ("turing_tx.cli.ablate", "turing_tx.cli.pictures")


class _Parser(argparse.ArgumentParser):
    """argparse with one-line errors (no usage block), exit status 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"{self.prog}: {message}\n")


def _model_file(spec: str) -> bool:
    path = Path(spec)
    return path.suffix == ".json" and path.is_file() and '"turing-tx-model"' in path.read_text(
        encoding="utf-8", errors="replace")[:200]


# -- a network given with verify --model ------------------------------------------------------------
def load_network(path: str) -> Model | RNN:
    """The model JSON or RNN JSON at ``path``, told apart by its ``format`` field, not its name."""
    text = read_text(path, model_json.MAX_MODEL_BYTES, ModelFormatError)
    document = load_json(text, path, ModelFormatError)
    kind = document.get("format") if isinstance(document, dict) else None
    if kind == model_json.FORMAT:
        return model_json.model_from_json(document, path)
    if kind == rnn_json.FORMAT:
        return rnn_json.loads(text, path)
    raise ModelFormatError(f"{path}: not a model JSON or an RNN JSON "
                           f"(expected \"format\": \"{model_json.FORMAT}\" or \"{rnn_json.FORMAT}\")")


def _rnn_compilers() -> list[str]:
    """Constructions that compile a user's RNN into their transformer (``compile_rnn``)."""
    return [name for name in construction_names() if hasattr(get_construction(name), "compile_rnn")]


def network_for(network: Model | RNN, requested: str | None, source: str) -> tuple[str, Model | RNN]:
    """The construction whose decoder reads ``network`` (from ``source``), and the network it runs.

    A model JSON is read by the construction it was built by; ``requested`` (``-c``, None if not
    given) may only repeat it, since another decoder would read coordinates the model does not have.
    An RNN runs as the Siegelmann–Sontag network (the default), or is first compiled into the
    transformer of a construction that compiles RNNs (Bhattamishra et al.).
    """
    if isinstance(network, Model):
        if requested not in (None, network.construction):
            raise UsageError(f"{source} is a {network.construction} model; it cannot be verified as {requested}")
        return network.construction, network
    construction = requested or RNN_CONSTRUCTION
    if construction == RNN_CONSTRUCTION:
        return construction, network
    compile_rnn = getattr(get_construction(construction), "compile_rnn", None)
    if compile_rnn is None:
        choices = ", ".join([RNN_CONSTRUCTION, *_rnn_compilers()])
        raise UsageError(f"{source} is an RNN; {construction} cannot run it (choose {choices})")
    return construction, compile_rnn(network)


# -- run / verify -----------------------------------------------------------------------------------
def _run_from_args(args: argparse.Namespace, keep_steps: bool, model: Model | RNN | None = None) -> RunReport:
    """Run MACHINE through ``args.construction`` with ``model`` (if any) in place of the compiled
    network; without one, a model file given as MACHINE runs against the machine in its metadata."""
    construction = args.construction
    if model is None and _model_file(args.machine):
        model = model_json.load(args.machine)
        machine = machine_json.machine_from_json(model.metadata.get("machine"), args.machine)
        construction = model.construction
        word = () if args.input_word is None else machine.parse_word(args.input_word)
    else:
        loaded, word = resolve_machine(args)
        machine = loaded.machine
    return run_machine(machine, word, construction, max_steps=args.max_steps, time_limit=args.time_limit,
                       backend=args.backend, keep_steps=keep_steps, progress=not args.quiet and sys.stderr.isatty(),
                       model=model)


def format_trace(steps: Sequence[Step], report: RunReport) -> str:
    """A readable table of decoded steps in the machine's own names."""
    machine = report.record.machine
    rows = [("step", "state", "head", "read", "write", "move", "next")]
    for s in steps:
        target = machine.states[s.next_state] if s.next_state is not None else f"{s.halt} (halt)"
        rows.append((str(s.number), machine.states[s.state], str(s.head), machine.symbols[s.read],
                     machine.symbols[s.write], s.move, target))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return "\n".join("  ".join(cell.rjust(w) for cell, w in zip(row, widths, strict=True)) for row in rows)


def format_summary(summary: dict[str, Any]) -> str:
    keys = ("construction", "steps", "halted", "state", "head", "tape", "nonblank", "verified", "dimension",
            "max_bits", "stop_reason")
    lines = [f"{key:>12}: {summary[key]}" for key in keys if key in summary]
    if "mismatch" in summary:
        lines.append(f"{'mismatch':>12}: {summary['mismatch']}")
    return "\n".join(lines)


def command_run_rnn(args: argparse.Namespace) -> int:
    """``run --rnn rnn.json --input WORD``: a user's RNN through a Bhattamishra et al. transformer."""
    if args.machine is not None:
        raise UsageError("give either a MACHINE or --rnn, not both")
    if args.input_word is None:
        raise UsageError("--rnn needs --input WORD (the RNN's input symbols)")
    rnn = rnn_json.load(args.rnn)
    word = split_rnn_word(rnn, args.input_word)
    construction = args.construction or "bhattamishra-pe"
    report = run_rnn(rnn, word, construction, args.max_steps, backend=args.backend, keep=args.trace)
    summary = report.summary()
    if args.json:
        print(json.dumps(summary, sort_keys=True))
    else:
        for tick, hidden in enumerate(report.states if args.trace else [], start=1):
            print(f"h_{tick} = " + ", ".join(f"{u}={v}" for u, v in hidden.items()))
        print("\n".join(f"{key:>12}: {value}" for key, value in summary.items()))
    return 0 if report.verified else EXIT_MISMATCH


def command_run(args: argparse.Namespace) -> int:
    if args.rnn is not None:
        return command_run_rnn(args)
    if args.machine is None:
        raise UsageError("run needs a MACHINE (or --rnn rnn.json)")
    args.construction = args.construction or DEFAULT_CONSTRUCTION
    report = _run_from_args(args, keep_steps=args.trace)
    summary = report.summary()
    if args.json:
        summary.pop("sizes", None)
        print(json.dumps(summary, sort_keys=True))
    else:
        if args.trace:
            print(format_trace(report.steps, report))
            print()
        print(format_summary(summary))
    return EXIT_MISMATCH if report.verification.verified is False else 0


def command_verify(args: argparse.Namespace) -> int:
    """``verify MACHINE [--model FILE]``: the compiled construction, or the network in FILE read with
    the construction's decoder, in lockstep with the reference simulator."""
    if args.construction == REFERENCE:
        raise UsageError("the reference simulator has nothing to verify; choose a construction")
    network = None
    if args.model is not None:
        args.construction, network = network_for(load_network(args.model), args.construction, args.model)
    else:
        args.construction = args.construction or DEFAULT_CONSTRUCTION
    report = _run_from_args(args, keep_steps=False, model=network)
    verification = report.verification
    if verification.verified:
        subject = report.construction if args.model is None else f"{args.model} ({report.construction})"
        print(f"verified: {subject} agrees with the reference simulator on all "
              f"{verification.steps} steps ({report.stop_reason})")
        return 0
    print(f"MISMATCH: {verification.detail}")
    return EXIT_MISMATCH


# -- compile / lists ------------------------------------------------------------------------------
def save_network(compiled: CompiledMachine, path: str) -> str:
    """Write ``compiled``'s network to ``path`` atomically, a transformer as model JSON and an RNN
    (Siegelmann–Sontag) as RNN JSON, so ``verify --model`` reads it back; its size, in words."""
    network = getattr(compiled, "model", None) or getattr(compiled, "rnn", None)
    if isinstance(network, Model):
        model_json.save(network, path)
        return f"residual width {compiled.dimension}"
    if isinstance(network, RNN):
        rnn_json.save(network, path)
        return f"{compiled.dimension} hidden units"
    raise UsageError(f"construction {compiled.construction} has no network to write")


def command_compile(args: argparse.Namespace) -> int:
    loaded, word = resolve_machine(args)
    if args.construction == REFERENCE:
        raise UsageError("the reference simulator has no model to compile; choose a construction")
    compiled = get_construction(args.construction).compile(loaded.machine, word)
    size = save_network(compiled, args.output)
    description = compiled.describe()
    print(f"wrote {args.output}: {args.construction}, {size}"
          + (f" (paper's formula: {description['paper_width']})" if "paper_width" in description else ""))
    for key, value in description.items():
        print(f"{key:>20}: {value}")
    return 0


def command_machines(args: argparse.Namespace) -> int:
    from turing_tx.machines import library

    entries = library.entries()
    width = max(len(entry.name) for entry in entries)
    for entry in entries:
        print(f"{entry.name:<{width}}  {entry.description}")
    return 0


def command_constructions(args: argparse.Namespace) -> int:
    for name in construction_names():
        print(f"{name:<20} {get_construction(name).paper}")
    print(f"{REFERENCE:<20} the plain reference simulator")
    return 0


def _add_run_options(parser: argparse.ArgumentParser, default_steps: int | None, construction_help: str) -> None:
    """-c (None when not given: the handler picks the default), --max-steps, --time-limit, --backend, -q."""
    parser.add_argument("--construction", "-c", default=None,
                        help=f"{', '.join(construction_names())} or {REFERENCE}; {construction_help}")
    parser.add_argument("--max-steps", type=non_negative_int, default=default_steps,
                        help=f"stop after N steps (default {default_steps})")
    parser.add_argument("--time-limit", type=positive_float, default=None, help="stop after S seconds")
    parser.add_argument("--backend", default=DEFAULT_BACKEND,
                        help="number backend: gmpy2 (default), fraction, flint, float64, float32, mpmath:<bits>")
    parser.add_argument("--quiet", "-q", action="store_true", help="no progress bar")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="turing-tx", description="Run the Turing-completeness proofs of transformers.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    run = sub.add_parser("run", help="run a machine (or an RNN) through a compiled construction")
    add_machine_arguments(run, optional=True)
    _add_run_options(run, DEFAULT_MAX_STEPS, f"default {DEFAULT_CONSTRUCTION} (with --rnn: bhattamishra-pe)")
    run.add_argument("--rnn", default=None, metavar="RNN_JSON",
                     help="run a user's RNN (JSON) through bhattamishra-pe (default) or bhattamishra-mask; "
                          "--max-steps counts ticks")
    run.add_argument("--trace", action="store_true", help="print the decoded steps as a table")
    run.add_argument("--json", action="store_true", help="print one JSON object")
    run.set_defaults(handler=command_run)

    verify = sub.add_parser("verify", help="check a construction (or a given network) against the reference "
                                           "simulator, step by step")
    add_machine_arguments(verify)
    _add_run_options(verify, DEFAULT_MAX_STEPS,
                     f"default {DEFAULT_CONSTRUCTION}; with --model, the construction the model names, "
                     f"or {RNN_CONSTRUCTION} for an RNN")
    verify.add_argument("--model", default=None, metavar="FILE",
                        help="check this network instead of the compiled one, read with the construction's "
                             "decoder: a model JSON written by compile (perez, bhattamishra-pe or "
                             "bhattamishra-mask; verified as the construction it names) or an RNN JSON "
                             f"(run as {RNN_CONSTRUCTION}, the default, or compiled into the transformer of "
                             "-c bhattamishra-pe or bhattamishra-mask); the file kind is read from its content")
    verify.set_defaults(handler=command_verify)

    comp = sub.add_parser("compile", help="compile a machine to a model JSON file (an RNN JSON for "
                                          f"{RNN_CONSTRUCTION})")
    add_machine_arguments(comp)
    comp.add_argument("--construction", "-c", default=DEFAULT_CONSTRUCTION,
                      help=f"one of {', '.join(construction_names())} (default {DEFAULT_CONSTRUCTION})")
    comp.add_argument("-o", "--output", required=True,
                      help=f"model JSON ({RNN_CONSTRUCTION}: RNN JSON) to write (atomically)")
    comp.set_defaults(handler=command_compile)

    sub.add_parser("machines", help="list the machine library").set_defaults(handler=command_machines)
    sub.add_parser("constructions", help="list the constructions").set_defaults(handler=command_constructions)

    for module_name in PLUGIN_COMMANDS:
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name is None or not module_name.startswith(exc.name):
                raise  # a real import error inside an existing module
            continue
        module.add_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    handler: Callable[[argparse.Namespace], int] = args.handler
    try:
        return handler(args)
    except TuringTxError as exc:
        print(f"turing-tx: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("turing-tx: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
