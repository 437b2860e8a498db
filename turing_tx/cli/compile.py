"""``turing-tx compile``: a machine's network written to a file, with its size.

    turing-tx compile MACHINE [-c CONSTRUCTION] -o FILE

A transformer is written as a model JSON, the Siegelmann–Sontag σ-RNN as an RNN JSON, atomically;
``run`` and ``verify --model`` read both back.
"""

from __future__ import annotations

import argparse

from turing_tx.cli.args import add_machine_arguments, check_output_file, constructions, resolve_machine
from turing_tx.cli.running import DEFAULT_CONSTRUCTION, RNN_CONSTRUCTION
from turing_tx.constructions.protocol import CompiledMachine
from turing_tx.constructions.registry import get_construction
from turing_tx.constructions.runs import REFERENCE
from turing_tx.engine import model_json
from turing_tx.engine.model import Model
from turing_tx.errors import UsageError
from turing_tx.rnn import rnn_json
from turing_tx.rnn.network import RNN


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    """Add ``compile`` to ``subparsers``."""
    text = f"compile a machine to a model JSON file (an RNN JSON for {RNN_CONSTRUCTION})"
    comp = subparsers.add_parser("compile", help=text, description=text)
    add_machine_arguments(comp)
    comp.add_argument("--construction", "-c", default=DEFAULT_CONSTRUCTION,
                      help=f"one of {', '.join(constructions())} (default {DEFAULT_CONSTRUCTION})")
    comp.add_argument("-o", "--output", required=True,
                      help=f"model JSON ({RNN_CONSTRUCTION}: RNN JSON) to write (atomically)")
    comp.set_defaults(handler=command)


def save_network(compiled: CompiledMachine, path: str) -> str:
    """Write ``compiled``'s network to ``path`` atomically, a transformer as model JSON and an RNN
    (Siegelmann–Sontag) as RNN JSON, so ``verify --model`` reads it back; its size, in words."""
    network = compiled.network
    if isinstance(network, Model):
        model_json.save(network, path)
        return f"residual width {compiled.dimension}"
    if isinstance(network, RNN):
        rnn_json.save(network, path)
        return f"{compiled.dimension} hidden units"
    raise UsageError(f"construction {compiled.construction} has no network file format")


def command(args: argparse.Namespace) -> int:
    """Compile MACHINE with ``-c``, write the network and print its description."""
    if args.construction == REFERENCE:
        raise UsageError("the reference simulator has no model to compile; choose a construction")
    check_output_file(args.output)
    loaded, word = resolve_machine(args)
    compiled = get_construction(args.construction).compile(loaded.machine, word)
    size = save_network(compiled, args.output)
    description = compiled.describe()
    print(f"wrote {args.output}: {args.construction}, {size}"
          + (f" (paper's formula: {description['paper_width']})" if "paper_width" in description else ""))
    for key, value in description.items():
        print(f"{key:>20}: {value}")
    return 0
