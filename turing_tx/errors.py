"""The project's exception hierarchy.

Every error a user can cause (a malformed machine, a bad model file, an impossible option) is raised as
a subclass of :class:`TuringTxError` with a one-line message that names the problem and where it is.
The command line prints that line and exits with status 2; nothing else is ever shown to the user.
"""

from __future__ import annotations


class TuringTxError(Exception):
    """Base class of every error turing-tx reports to a user."""


class MachineFormatError(TuringTxError):
    """A machine description (text, YAML, Morphett, DTM) is malformed or inconsistent."""


class MachineError(TuringTxError):
    """A machine object is invalid (unknown symbol, state or halt name, bad table shape)."""


class ModelFormatError(TuringTxError):
    """A model or RNN JSON file is malformed."""


class ModelError(TuringTxError):
    """A model is inconsistent (unknown coordinate, mismatched parts)."""


class ExecutionError(TuringTxError):
    """A run cannot proceed (e.g. softmax asked of an exact backend, empty encoder input)."""


class DecodingError(TuringTxError):
    """A decoder output does not decode to a machine configuration (invariant violated)."""


class UsageError(TuringTxError):
    """A command-line or API argument is out of range (negative step limit, unknown name)."""
