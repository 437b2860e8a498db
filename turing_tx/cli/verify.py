"""``turing-tx verify``: a construction, or a given network, in lockstep with the reference simulator.

    turing-tx verify MACHINE [--model FILE] [-c CONSTRUCTION] [--max-steps N]

``--model FILE`` checks a network from anywhere, read with the construction's decoder: a model JSON
(verified as the construction it names) or an RNN JSON (run as Siegelmann–Sontag's, or compiled into
a Bhattamishra et al. transformer with ``-c``). Exit 0 when every step agrees, 1 with one line naming
the first divergent step, 2 for a user error.
"""

from __future__ import annotations

import argparse

from turing_tx.cli.args import add_machine_arguments, add_run_options, check_model_construction, constructions
from turing_tx.cli.output import EXIT_MISMATCH
from turing_tx.cli.running import DEFAULT_CONSTRUCTION, DEFAULT_MAX_STEPS, RNN_CONSTRUCTION, run_from_args
from turing_tx.constructions.registry import get_construction
from turing_tx.constructions.runs import REFERENCE
from turing_tx.engine import model_json
from turing_tx.engine.model import Model
from turing_tx.errors import ModelFormatError, UsageError
from turing_tx.io.strict_json import load_json
from turing_tx.io.textfile import read_text
from turing_tx.rnn import rnn_json
from turing_tx.rnn.network import RNN


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    """Add ``verify`` to ``subparsers``."""
    text = "check a construction (or a given network) against the reference simulator, step by step"
    verify = subparsers.add_parser("verify", help=text, description=text)
    add_machine_arguments(verify, model_json=True)
    add_run_options(verify, f"default {DEFAULT_CONSTRUCTION}; with --model, the construction the model names, "
                            f"or {RNN_CONSTRUCTION} for an RNN",
                    f"stop after N steps (default {DEFAULT_MAX_STEPS}; for a library machine that does not "
                    "halt, the step count of its stored result)")
    verify.add_argument("--model", default=None, metavar="FILE",
                        help="check this network instead of the compiled one, read with the construction's "
                             "decoder: a model JSON written by compile (perez, bhattamishra-pe or "
                             "bhattamishra-mask; verified as the construction it names) or an RNN JSON "
                             f"(run as {RNN_CONSTRUCTION}, the default, or compiled into the transformer of "
                             "-c bhattamishra-pe or bhattamishra-mask); the file kind is read from its content")
    verify.set_defaults(handler=command)


def load_network(path: str) -> Model | RNN:
    """The model JSON or RNN JSON at ``path``, told apart by its ``format`` field, not its name."""
    text = read_text(path, model_json.MAX_MODEL_BYTES, ModelFormatError)
    document = load_json(text, path, ModelFormatError)
    kind = document.get("format") if isinstance(document, dict) else None
    if kind == model_json.FORMAT:
        model = model_json.model_from_json(document, path)
        check_model_construction(model.construction, path)
        return model
    if kind == rnn_json.FORMAT:
        return rnn_json.loads(text, path)
    raise ModelFormatError(f"{path}: not a model JSON or an RNN JSON "
                           f"(expected \"format\": \"{model_json.FORMAT}\" or \"{rnn_json.FORMAT}\")")


def _rnn_compilers() -> list[str]:
    """Constructions that compile a user's RNN into their transformer (``compile_rnn``)."""
    return [name for name in constructions() if hasattr(get_construction(name), "compile_rnn")]


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


def command(args: argparse.Namespace) -> int:
    """Verify the compiled construction, or the network in ``--model`` read with the construction's
    decoder, in lockstep with the reference simulator."""
    if args.construction == REFERENCE:
        raise UsageError("the reference simulator has nothing to verify; choose a construction")
    construction, network = args.construction, None
    if args.model is not None:
        construction, network = network_for(load_network(args.model), args.construction, args.model)
    run = run_from_args(args, keep_steps=False, model=network, construction=construction)
    verification = run.report.verification
    if not verification.verified:
        print(f"MISMATCH: {verification.detail}")
        return EXIT_MISMATCH
    subject = run.report.construction if args.model is None else f"{args.model} ({run.report.construction})"
    print(f"verified: {subject} agrees with the reference simulator on all "
          f"{verification.steps} steps ({run.report.stop_reason})")
    expectation = run.expectation()
    if expectation is not None:
        print(f"expected: the library's result for {expectation.name}: {expectation.verdict(run.max_steps)}")
    return 0
