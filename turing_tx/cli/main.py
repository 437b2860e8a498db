"""The ``turing-tx`` command line: the parser, built from one module per subcommand family, and dispatch.

    turing-tx run | verify | prove | compile | convert | machines | constructions | components | ablate
              | diagram | attention   (turing-tx COMMAND --help for each)

Each subcommand module has ``add_parser(subparsers)``, which sets the subcommand's ``handler``; a
module imports what its handler alone needs (the ablation and drawing machinery) inside the handler,
so building the parser stays cheap.

Exit statuses: 0 for a correct run, 1 for a failed verification or proof, 2 for a user error (one line
on stderr naming the problem and where: a malformed file, an impossible option, an output path that
cannot be written), 130 after Ctrl-C (SIGINT) and 143 after SIGTERM (one line each; an output being
written is never left behind, see :func:`turing_tx.io.atomic.write_atomic`). No traceback is shown,
unless ``--debug`` (before or after the command) asks for it.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from collections.abc import Callable, Sequence
from types import FrameType
from typing import Any, NoReturn

from turing_tx.cli import ablate, convert, lists, pictures, prove, run, verify
from turing_tx.cli import compile as compile_command
from turing_tx.cli.output import EXIT_USAGE, PROG
from turing_tx.errors import TuringTxError

#: the subcommand modules, in the order of ``turing-tx --help``
SUBCOMMANDS = (run, verify, prove, compile_command, convert, lists, ablate, pictures)
#: exit status after Ctrl-C (SIGINT) and after SIGTERM: 128 + the signal's number, as shells report them
EXIT_INTERRUPTED, EXIT_TERMINATED = 128 + signal.SIGINT, 128 + signal.SIGTERM
DEBUG_HELP = "show the traceback of an error instead of its one line (for a bug report)"


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


class Terminated(BaseException):
    """Raised in the main thread when SIGTERM arrives, so that the command unwinds like Ctrl-C: a
    temporary output file is removed and one line is printed (a BaseException, so that no ``except
    Exception`` on the way swallows it)."""


def _terminate(signum: int, frame: FrameType | None) -> None:
    raise Terminated


def build_parser() -> argparse.ArgumentParser:
    """The ``turing-tx`` parser with every subcommand (``--debug`` is accepted before or after it)."""
    parser = _Parser(prog=PROG, description="Run the Turing-completeness proofs of transformers.")
    parser.add_argument("--version", action=_Version)
    parser.add_argument("--debug", action="store_true", help=DEBUG_HELP)
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser, metavar="COMMAND")
    for module in SUBCOMMANDS:
        module.add_parser(sub)
    for command in sub.choices.values():
        command.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help=DEBUG_HELP)
    return parser


def _error(message: str, status: int = EXIT_USAGE) -> int:
    """Print ``message`` as the one line of an error (newlines in it flattened) and return ``status``."""
    print(f"{PROG}: {' '.join(message.splitlines())}", file=sys.stderr)
    return status


def _os_error(exc: OSError) -> str:
    """An operating-system error as ``path: reason`` (the reason alone when no path is known)."""
    where = f"{exc.filename}: " if exc.filename else ""
    return f"{where}{exc.strerror or exc}"


def _run(handler: Callable[[argparse.Namespace], int], args: argparse.Namespace) -> int:
    """``handler(args)``, with every error turned into its one line and exit status."""
    try:
        return handler(args)
    except TuringTxError as exc:
        return _error(str(exc))
    except BrokenPipeError:
        return 0  # the reader (e.g. ``| head``) has all it wanted
    except OSError as exc:
        return _error(_os_error(exc))
    except KeyboardInterrupt:
        return _error("interrupted", EXIT_INTERRUPTED)
    except Terminated:
        return _error("terminated (SIGTERM)", EXIT_TERMINATED)
    except MemoryError:
        return _error("out of memory (lower the step limit or the input's size)")
    except RecursionError:
        return _error("input nested too deeply to process")
    except Exception as exc:  # a bug: still one line, with the way to the traceback
        return _error(f"internal error: {type(exc).__name__}: {exc} (run again with --debug for the traceback)")


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``turing-tx argv`` (default: the process arguments); the exit status."""
    args = build_parser().parse_args(argv)
    handler: Callable[[argparse.Namespace], int] = args.handler
    main_thread = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, _terminate) if main_thread else None
    try:
        return handler(args) if args.debug else _run(handler, args)
    finally:
        if main_thread:
            signal.signal(signal.SIGTERM, signal.SIG_DFL if previous is None else previous)


if __name__ == "__main__":
    sys.exit(main())
