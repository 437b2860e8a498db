"""The ``turing-tx`` command line: the parser, built from one module per subcommand family, and dispatch.

    turing-tx run | verify | prove | compile | convert | machines | constructions | components | ablate
              | diagram | attention   (turing-tx COMMAND --help for each)

Each subcommand module has ``add_parser(subparsers)``, which sets the subcommand's ``handler``; a
module imports what its handler alone needs (the ablation and drawing machinery) inside the handler,
so building the parser stays cheap. Every user error is one line on stderr and exit status 2; a run
that fails verification exits 1.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from typing import Any, NoReturn

from turing_tx.cli import ablate, convert, lists, pictures, prove, run, verify
from turing_tx.cli import compile as compile_command
from turing_tx.cli.output import EXIT_USAGE, PROG
from turing_tx.errors import TuringTxError

#: the subcommand modules, in the order of ``turing-tx --help``
SUBCOMMANDS = (run, verify, prove, compile_command, convert, lists, ablate, pictures)


class _Parser(argparse.ArgumentParser):
    """argparse with one-line errors (no usage block), exit status 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"{self.prog}: {message}\n")


class _Version(argparse.Action):
    """``--version``: the installed distribution's version, looked up only when asked for."""

    def __init__(self, option_strings: list[str], dest: str = argparse.SUPPRESS, **kwargs: Any) -> None:
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS,
                         help="print the version of turing-tx and exit")

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace, values: Any,
                 option_string: str | None = None) -> None:
        from importlib.metadata import PackageNotFoundError, version

        try:
            number = version(PROG)
        except PackageNotFoundError:
            number = "(not installed: no package metadata)"
        print(f"{PROG} {number}")
        parser.exit()


def build_parser() -> argparse.ArgumentParser:
    """The ``turing-tx`` parser with every subcommand."""
    parser = _Parser(prog=PROG, description="Run the Turing-completeness proofs of transformers.")
    parser.add_argument("--version", action=_Version)
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser, metavar="COMMAND")
    for module in SUBCOMMANDS:
        module.add_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``turing-tx argv`` (default: the process arguments); the exit status."""
    args = build_parser().parse_args(argv)
    handler: Callable[[argparse.Namespace], int] = args.handler
    try:
        return handler(args)
    except TuringTxError as exc:
        print(f"{PROG}: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except OSError as exc:
        if isinstance(exc, BrokenPipeError):
            return 0
        where = f"{exc.filename}: " if exc.filename else ""
        print(f"{PROG}: {where}{exc.strerror or exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
