"""``turing-tx prove``: prove that a compiled network simulates its machine at every step, for every input.

    turing-tx prove MACHINE [-c CONSTRUCTION] [--model FILE] [--ablate NAME] [--json] [-o REPORT]
    turing-tx prove --rnn RNN_JSON -c bhattamishra-pe|bhattamishra-mask [--model FILE] [--ablate NAME]

The construction's proof obligations are stated from the network's own weights and discharged by the
prover's trusted core (``docs/proving.md``). When one fails, its counterexample is executed: the
network runs long enough to reach it, in lockstep with the simulator (or the RNN), and the run's first
divergence is printed. Exit 0 when every obligation is proved, 1 when one is not, 2 for a user error.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from turing_tx.cli.args import (
    add_machine_arguments,
    bounded_count,
    check_output_file,
    constructions,
    forbid,
    resolve_machine,
)
from turing_tx.cli.output import EXIT_MISMATCH
from turing_tx.cli.running import DEFAULT_CONSTRUCTION
from turing_tx.cli.verify import load_network, network_for
from turing_tx.constructions.proving import (
    DEFAULT_HORIZON_CAP,
    Execution,
    execute,
    execute_rnn,
    prove_machine,
    prove_rnn,
)
from turing_tx.constructions.registry import get_construction
from turing_tx.constructions.rnn_runs import split_rnn_word
from turing_tx.constructions.runs import REFERENCE
from turing_tx.engine.model import Model
from turing_tx.errors import UsageError
from turing_tx.io.atomic import write_atomic
from turing_tx.rnn import rnn_json
from turing_tx.rnn.network import RNN

if TYPE_CHECKING:  # the prover (and sympy) is loaded by the command, not by building the parser
    from turing_tx.engine.proofs.obligations import ProofReport, Result

#: report kinds by the output file's extension
REPORT_KINDS = {".md": "markdown", ".html": "html", ".json": "json"}
#: the longest run a counterexample is executed with: the exact transformer's run costs grow with its
#: length squared, and a million steps already take hours
MAX_EXECUTE_STEPS = 1_000_000


def execute_steps(text: str) -> int:
    """``--execute-steps`` (argparse type): an integer 0 ≤ n ≤ MAX_EXECUTE_STEPS."""
    return bounded_count(text, "run length", MAX_EXECUTE_STEPS)


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    """Add ``prove`` to ``subparsers``."""
    text = "prove that a compiled network simulates its machine at every step, for every input word"
    prove = subparsers.add_parser("prove", help=text, description=text + ". Exit 0: proved; 1: an obligation "
                                  "failed (its counterexample is executed); 2: a user error.")
    add_machine_arguments(prove, optional=True)
    prove.add_argument("--construction", "-c", default=None,
                       help=f"one of {', '.join(constructions())} (default {DEFAULT_CONSTRUCTION}; with --model, "
                            "the construction the model names)")
    prove.add_argument("--model", default=None, metavar="FILE",
                       help="prove this network instead of the compiled one: a model JSON, or an RNN JSON (as "
                            "siegelmann-sontag's network, or compiled with -c bhattamishra-pe|bhattamishra-mask)")
    prove.add_argument("--rnn", default=None, metavar="RNN_JSON",
                       help="prove a user's RNN compiled by -c bhattamishra-pe or bhattamishra-mask (instead of "
                            "a MACHINE); --input gives the RNN word a failed proof is executed on")
    prove.add_argument("--ablate", default=None, metavar="NAME",
                       help="prove the network with this ablation applied (an ablation name of turing-tx ablate, "
                            "e.g. dec0.cross_attn.residual)")
    prove.add_argument("--execute-steps", type=execute_steps, default=DEFAULT_HORIZON_CAP, metavar="N",
                       help="run a failed proof's counterexample for at most N steps or ticks "
                            f"(default {DEFAULT_HORIZON_CAP}, at most {MAX_EXECUTE_STEPS:,}: the exact run's "
                            "cost grows with N²)")
    prove.add_argument("--json", action="store_true", help="print the whole proof as one JSON object")
    prove.add_argument("--output", "-o", default=None, metavar="FILE",
                       help="also write the proof report, by extension: .md (Markdown), .html (MathML formulas, "
                            "no network needed) or .json (written atomically)")
    prove.set_defaults(handler=command)


def _ablated(network: Model | RNN, name: str | None) -> Model | RNN:
    """``network`` with the ablation ``name`` applied (weights only: prove reasons about exact values)."""
    if name is None:
        return network
    if not isinstance(network, Model):
        raise UsageError("--ablate applies to transformer models; this network is an RNN")
    from turing_tx.ablation.transforms import parse_ablation

    ablation = parse_ablation(name, network)
    if ablation.backend is not None:
        raise UsageError(f"{name}: a precision ablation changes the arithmetic, not the weights; "
                         "prove reasons about exact values (use turing-tx ablate)")
    return ablation.apply(network)


def _report_kind(path: str) -> str:
    kind = REPORT_KINDS.get(Path(path).suffix.lower())
    if kind is None:
        raise UsageError(f"{path}: the report's extension must be one of {', '.join(REPORT_KINDS)}")
    return kind


def _line(result: Result) -> str:
    status = "error" if result.error else result.outcome.status
    text = f"{status:>9}  {result.obligation.group}: {result.obligation.name}  [{result.outcome.method}, " \
           f"{result.seconds:.2f} s]"
    if result.error:
        text += f"\n           {result.error}"
    elif not result.proved and result.outcome.counterexample is not None:
        shown = ", ".join(f"{k} = {v}" for k, v in result.outcome.counterexample.items())
        text += f"\n           counterexample: {shown}"
    return text


def _document(report: ProofReport, facts: dict[str, str], execution: Execution | None) -> dict[str, Any]:
    return {**report.to_json(), "subject": facts,
            "execution": None if execution is None else execution.to_json()}


def _emit(args: argparse.Namespace, report: ProofReport, facts: dict[str, str], execution: Execution | None) -> int:
    """Print the proof (lines or JSON), write the report file, and return the exit status."""
    document = _document(report, facts, execution)
    if args.json:
        print(json.dumps(document, sort_keys=True, ensure_ascii=False))
    else:
        for result in report.results:
            print(_line(result))
        if execution is not None:
            print(execution.sentence())
        print(report.summary())
    if args.output is not None:
        kind = _report_kind(args.output)
        if kind == "json":
            write_atomic(args.output, json.dumps(document, sort_keys=True, ensure_ascii=False, indent=1) + "\n")
        else:
            from turing_tx.engine.proofs.report import render

            title = f"Proof: {facts.get('construction', '')} on {facts.get('machine', facts.get('rnn', ''))}"
            write_atomic(args.output, render(report, kind, title=title, facts=facts,  # type: ignore[arg-type]
                                             execution=None if execution is None else execution.sentence()))
    return 0 if report.proved else EXIT_MISMATCH


def _prove_rnn(args: argparse.Namespace) -> int:
    """``prove --rnn``: a user's RNN through a Bhattamishra et al. transformer."""
    forbid({"MACHINE": args.machine is not None, "--format": args.format is not None,
            "--line": args.line is not None}, "with --rnn")
    name = args.construction
    construction = get_construction(name) if name else None
    if construction is None or not hasattr(construction, "rnn_obligations"):
        raise UsageError("--rnn needs -c bhattamishra-pe or -c bhattamishra-mask (the constructions that compile "
                         "RNNs)")
    rnn = rnn_json.load(args.rnn)
    word = list(rnn.inputs) if args.input_word is None else split_rnn_word(rnn, args.input_word)
    model = None
    if args.model is not None:
        loaded = load_network(args.model)
        if not isinstance(loaded, Model) or loaded.construction != name:
            raise UsageError(f"{args.model}: expected a {name} model JSON")
        model = loaded
    model = _ablated(model or construction.compile_rnn(rnn), args.ablate)  # type: ignore[attr-defined]
    report = prove_rnn(construction, rnn, model)  # type: ignore[arg-type]
    execution = execute_rnn(name, rnn, word, report, model, args.execute_steps)
    facts = {"rnn": args.rnn, "construction": name, "network": args.model or "compiled from the RNN",
             "ablation": args.ablate or "none", "word executed": " ".join(word)}
    return _emit(args, report, facts, execution)


def command(args: argparse.Namespace) -> int:
    """Prove the compiled network of MACHINE (or the network in ``--model``, or a user's RNN)."""
    if args.output is not None:
        _report_kind(args.output)
        check_output_file(args.output)
    if args.rnn is not None:
        return _prove_rnn(args)
    if args.machine is None:
        raise UsageError("prove needs a MACHINE (or --rnn RNN_JSON)")
    if args.construction == REFERENCE:
        raise UsageError("the reference simulator has nothing to prove; choose a construction")
    construction, network = args.construction or DEFAULT_CONSTRUCTION, None
    if args.model is not None:
        construction, network = network_for(load_network(args.model), args.construction, args.model)
    loaded, word = resolve_machine(args)
    compiled = get_construction(construction).compile(loaded.machine, word)
    network = _ablated(network or compiled.network, args.ablate)
    report = prove_machine(compiled, network)
    execution = execute(compiled, report, network, args.execute_steps)
    facts = {"machine": args.machine, "construction": construction,
             "network": args.model or "compiled", "ablation": args.ablate or "none",
             "input": args.input_word if args.input_word is not None else "(the machine's own)"}
    return _emit(args, report, facts, execution)
