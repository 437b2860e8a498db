"""What the command line prints besides its results: warnings on stderr, and long values made readable.

A warning never changes the exit status; it says what turing-tx assumed or changed on the user's
behalf (a default a parser filled in, a name a format forced, a file replaced), one line each, in the
form ``turing-tx: warning: …`` that the one-line errors (``turing-tx: …``) share.
"""

from __future__ import annotations

import sys

PROG = "turing-tx"
#: exit statuses: a run that fails verification, and every user error (one line on stderr)
EXIT_MISMATCH, EXIT_USAGE = 1, 2
#: cells shown at each end of a tape too long to print whole
TAPE_EDGE = 40


def warn(message: str) -> None:
    """Print ``message`` as one warning line on stderr."""
    print(f"{PROG}: warning: {message}", file=sys.stderr)


def abbreviate_tape(tape: str, edge: int = TAPE_EDGE) -> str:
    """``tape`` itself, or its first and last ``edge`` cells around ``…`` with the cell count when it
    is longer than both ends together (every format's symbols are one character, so a character is a
    cell)."""
    if len(tape) <= 2 * edge:
        return tape
    return f"{tape[:edge]}…{tape[-edge:]} ({len(tape)} cells)"
