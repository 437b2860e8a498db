"""Headless figure output shared by the pictures (space-time diagrams, attention maps).

Figures are built on a bare :class:`matplotlib.figure.Figure` attached to the Agg canvas, never
through ``pyplot``: no GUI backend is ever selected, so rendering works without a display and
whatever ``MPLBACKEND`` says. A figure is rendered to bytes in memory; callers write those bytes
with :func:`turing_tx.io.atomic.write_atomic`, so an output file is never left half-written.
"""

from __future__ import annotations

import io
import warnings
from pathlib import Path

from matplotlib import rc_context
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from turing_tx.errors import UsageError

FORMATS = ("png", "svg")

# Leave out the creation date (and the software tag), so that the same picture gives the same bytes.
_METADATA = {"png": {"Software": None}, "svg": {"Date": None}}


def image_format(path: str | Path) -> str:
    """The image format named by ``path``'s extension (``png`` or ``svg``); anything else is a UsageError."""
    suffix = Path(path).suffix.lower().lstrip(".")
    if suffix not in FORMATS:
        shown = f"'.{suffix}'" if suffix else "no extension"
        raise UsageError(f"{path}: cannot tell the image format from {shown} (use .png or .svg)")
    return suffix


def new_figure(width: float, height: float) -> Figure:
    """A figure of ``width`` × ``height`` inches on the Agg canvas (no display needed)."""
    figure = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(figure)
    return figure


def figure_bytes(figure: Figure, fmt: str) -> bytes:
    """``figure`` rendered as ``fmt`` (``png`` or ``svg``) into memory."""
    if fmt not in FORMATS:
        raise UsageError(f"unsupported image format {fmt!r} (use png or svg)")
    buffer = io.BytesIO()
    with rc_context({"svg.hashsalt": "turing-tx"}), warnings.catch_warnings():  # fixed SVG element ids
        # long state or symbol names can leave constrained layout no room: the figure is still drawn,
        # and a matplotlib warning on stderr would break the one-line contract of the command line
        warnings.filterwarnings("ignore", message="constrained_layout not applied", category=UserWarning)
        figure.savefig(buffer, format=fmt, dpi=120, metadata=_METADATA[fmt])
    return buffer.getvalue()
