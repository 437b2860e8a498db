"""``turing-tx run``: a machine (or a user's RNN) through a compiled construction, verified step by step.

    turing-tx run MACHINE [--input WORD] [-c CONSTRUCTION] [--max-steps N] [--trace] [--tape] [--json]
    turing-tx run --rnn RNN_JSON --input WORD [-c bhattamishra-pe|bhattamishra-mask] [--max-steps N]

The human summary abbreviates a long tape (``--tape`` prints it whole; ``--json`` always has it whole)
and, for a library machine, says whether the run reached the library's result. Exit 1 when
verification fails.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from typing import Any

from turing_tx.cli.args import add_machine_arguments, add_run_options, forbid
from turing_tx.cli.output import EXIT_MISMATCH, abbreviate_tape
from turing_tx.cli.running import DEFAULT_CONSTRUCTION, DEFAULT_MAX_STEPS, Expectation, run_from_args
from turing_tx.constructions.rnn_runs import run_rnn, split_rnn_word
from turing_tx.constructions.runs import RunReport
from turing_tx.errors import UsageError
from turing_tx.machines.simulator import Step
from turing_tx.rnn import rnn_json

DEFAULT_RNN_CONSTRUCTION = "bhattamishra-pe"
SUMMARY_KEYS = ("construction", "steps", "halted", "state", "head", "tape", "nonblank", "verified", "dimension",
                "max_bits", "stop_reason", "mismatch")


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    """Add ``run`` to ``subparsers``."""
    text = "run a machine (or an RNN) through a compiled construction, every step verified"
    run = subparsers.add_parser("run", help=text, description=text)
    add_machine_arguments(run, optional=True, model_json=True)
    add_run_options(run, f"default {DEFAULT_CONSTRUCTION} (with --rnn: {DEFAULT_RNN_CONSTRUCTION})",
                    f"stop after N steps (default {DEFAULT_MAX_STEPS}; for a library machine that does not halt, "
                    "the step count of its stored result; with --rnn: N ticks)")
    run.add_argument("--rnn", default=None, metavar="RNN_JSON",
                     help="run a user's RNN (an RNN JSON, e.g. machines/rnn/counter.json) through "
                          f"{DEFAULT_RNN_CONSTRUCTION} (default) or bhattamishra-mask instead of a MACHINE")
    run.add_argument("--trace", action="store_true", help="print the decoded steps as a table")
    run.add_argument("--tape", action="store_true",
                     help="print the whole tape (the summary shortens a tape longer than 80 cells)")
    run.add_argument("--json", action="store_true", help="print one JSON object (with the whole tape)")
    run.set_defaults(handler=command)


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


def format_summary(summary: dict[str, Any], whole_tape: bool = False) -> str:
    """One ``key: value`` line per summary field; a long tape shortened unless ``whole_tape``."""
    values = dict(summary)
    if not whole_tape:
        values["tape"] = abbreviate_tape(values["tape"])
    return "\n".join(f"{key:>12}: {values[key]}" for key in SUMMARY_KEYS if key in values)


def format_expectation(expectation: Expectation, run_limit: int, whole_tape: bool = False) -> str:
    """The library's result (tape shortened unless ``whole_tape``) and whether the run reached it."""
    result = dict(expectation.result)
    if not whole_tape and isinstance(result.get("tape"), str):
        result["tape"] = abbreviate_tape(result["tape"])
    described = ", ".join(f"{key} {value}" for key, value in result.items())
    return (f"{'expected':>12}: {described} (library: {expectation.name})\n"
            f"{'matches':>12}: {expectation.verdict(run_limit)}")


def command_run_rnn(args: argparse.Namespace) -> int:
    """``run --rnn rnn.json --input WORD``: a user's RNN through a Bhattamishra et al. transformer."""
    if args.machine is not None:
        raise UsageError("give either a MACHINE or --rnn, not both")
    forbid({"--format": args.format is not None, "--line": args.line is not None, "--tape": args.tape,
            "--time-limit": args.time_limit is not None}, "to run --rnn")
    if args.input_word is None:
        raise UsageError("--rnn needs --input WORD (the RNN's input symbols)")
    rnn = rnn_json.load(args.rnn)
    word = split_rnn_word(rnn, args.input_word)
    ticks = DEFAULT_MAX_STEPS if args.max_steps is None else args.max_steps
    report = run_rnn(rnn, word, args.construction or DEFAULT_RNN_CONSTRUCTION, ticks, backend=args.backend,
                     keep=args.trace)
    summary = report.summary()
    if args.json:
        print(json.dumps(summary, sort_keys=True))
    else:
        for tick, hidden in enumerate(report.states if args.trace else [], start=1):
            print(f"h_{tick} = " + ", ".join(f"{u}={v}" for u, v in hidden.items()))
        print("\n".join(f"{key:>12}: {value}" for key, value in summary.items()))
    return 0 if report.verified else EXIT_MISMATCH


def command(args: argparse.Namespace) -> int:
    """Run the machine (or RNN) and print its summary, its trace or one JSON object."""
    if args.rnn is not None:
        return command_run_rnn(args)
    if args.machine is None:
        raise UsageError("run needs a MACHINE (or --rnn RNN_JSON)")
    run = run_from_args(args, keep_steps=args.trace)
    report, expectation = run.report, run.expectation()
    summary = report.summary()
    if args.json:
        summary.pop("sizes", None)
        summary["expected"] = None if expectation is None else expectation.result
        summary["expected_match"] = None if expectation is None else expectation.matched
        print(json.dumps(summary, sort_keys=True))
    else:
        if args.trace:
            print(format_trace(report.steps, report))
            print()
        print(format_summary(summary, args.tape))
        if expectation is not None:
            print(format_expectation(expectation, run.max_steps, args.tape))
    return EXIT_MISMATCH if report.verification.verified is False else 0
