"""The ``diagram`` and ``attention`` subcommands: pictures of a run, drawn from the construction.

``turing-tx diagram MACHINE --max-steps N -o out.png|svg`` draws the space-time diagram of the trace
*decoded from the compiled construction* (any construction). ``turing-tx attention MACHINE --max-steps
N -o out.png|svg`` draws, per decoder head, the positions its hardmax attended to (transformer
constructions only). The image is rendered in memory and written atomically; the format comes from
the output's extension, checked before anything runs. (``--steps`` is the older spelling of
``--max-steps``.) A picture has at most :data:`MAX_PICTURE_CELLS` cells, checked before anything
runs.

The CLI registers both with :func:`add_parser` and dispatches to :func:`run`, which reads
``args.picture`` (``"diagram"`` or ``"attention"``) to know which one was asked for. The drawing
machinery (matplotlib) is imported by :func:`run` only, so building the parser does not load it.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from turing_tx.cli.args import add_machine_arguments, add_max_steps, check_output_file, constructions, resolve_machine
from turing_tx.constructions.registry import get_construction
from turing_tx.errors import UsageError
from turing_tx.io.atomic import write_atomic

if TYPE_CHECKING:
    from turing_tx.constructions.protocol import CompiledMachine

DEFAULT_STEPS = 100
#: the most cells a picture may have: a row per step and, for a machine that keeps moving one way, a
#: column per step beyond the input word. Four million cells (2,000 steps of such a machine) are past
#: any screen's pixels and already take hundreds of megabytes to render; 10,000 steps took 9 GB.
MAX_PICTURE_CELLS = 4_000_000


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``diagram`` and ``attention`` subcommands to ``subparsers``."""
    helps = {
        "diagram": "draw the space-time diagram (rows = steps, columns = cells, head marked) of the "
                   "trace decoded from the construction",
        "attention": "draw which positions each decoder head's hardmax attended to, position by position",
    }
    for name, text in helps.items():
        parser = subparsers.add_parser(name, help=text, description=text)
        add_machine_arguments(parser)
        # a negative limit is refused by run() itself, which callers of run() rely on (a UsageError)
        add_max_steps(parser, DEFAULT_STEPS, f"draw at most N steps, fewer if the machine halts (default "
                                             f"{DEFAULT_STEPS}; N + 1 rows times N + 1 + the input's length "
                                             f"columns at most {MAX_PICTURE_CELLS:,} cells)", parse=int)
        parser.add_argument("-o", "--output", metavar="OUT", required=True, help="image file, .png or .svg")
        parser.add_argument("--construction", "-c", default="perez",
                            help=f"construction to compile with: {', '.join(constructions())} (default perez)"
                                 + ("; it must be a transformer" if name == "attention" else ""))
        parser.set_defaults(picture=name, handler=run)


def _compile(args: argparse.Namespace) -> CompiledMachine:
    """The one machine named by the arguments, on its input, compiled by ``args.construction``, once
    the picture it is drawn for is known to stay within MAX_PICTURE_CELLS."""
    loaded, word = resolve_machine(args)
    rows, columns = args.max_steps + 1, len(word) + args.max_steps + 1
    if rows * columns > MAX_PICTURE_CELLS:
        raise UsageError(f"{args.max_steps_flag} {args.max_steps} on a word of {len(word)} symbols may draw "
                         f"{rows:,} x {columns:,} cells, past the bound {MAX_PICTURE_CELLS:,} (lower "
                         f"{args.max_steps_flag})")
    return get_construction(args.construction).compile(loaded.machine, word)


def run(args: argparse.Namespace) -> int:
    """Draw the picture ``args.picture`` asks for and write it to ``args.output``; 0 on success."""
    from turing_tx.pictures.attention_plot import compiled_attention, render_attention
    from turing_tx.pictures.diagrams import render_space_time, space_time
    from turing_tx.pictures.figures import image_format

    if args.max_steps < 0:
        raise UsageError(f"{args.max_steps_flag} must be a non-negative integer, got {args.max_steps}")
    fmt = image_format(args.output)
    check_output_file(args.output)
    compiled = _compile(args)
    name = compiled.machine.name or args.machine
    if args.picture == "diagram":
        diagram = space_time(compiled.trace(args.max_steps), compiled.word)
        title = f"{name}: {diagram.steps} steps, decoded from {compiled.construction}"
        write_atomic(args.output, render_space_time(diagram, compiled.machine, fmt, title))
        print(f"{args.output}: {diagram.steps} steps x {diagram.cells.shape[1]} cells "
              f"(from cell {diagram.first_cell}), decoded from {compiled.construction}")
        return 0
    maps = compiled_attention(compiled, args.max_steps)
    positions = len(maps[0].winners) if maps else 0
    title = f"{name}: decoder attention, positions 0..{positions - 1} ({compiled.construction})"
    write_atomic(args.output, render_attention(maps, fmt, title))
    print(f"{args.output}: {len(maps)} heads x {positions} decoder positions ({compiled.construction})")
    return 0
