"""The report's figures as inline SVG text: byte-identical across reruns (fixed hash salt, no date).

- :func:`heatmap`: construction × component, colour = first divergence step of the surgery run;
- :func:`divergence_vs_bits`: first divergence step against mantissa bits, one line per run;
- :func:`trace_diff`: the head position of the reference and the ablated run around the first
  divergence.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402  (after choosing the headless backend)
import numpy as np  # noqa: E402

STYLE = {"svg.hashsalt": "turing-tx", "svg.fonttype": "none", "font.size": 8, "figure.dpi": 100}


def _svg(figure: plt.Figure) -> str:
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None}, bbox_inches="tight")
    plt.close(figure)
    text = buffer.getvalue()
    return text[text.index("<svg"):]  # drop the XML prolog and DOCTYPE: the SVG is inlined in HTML


def heatmap(rows: Sequence[str], columns: Sequence[str], values: dict[tuple[str, str], int | None],
            title: str) -> str:
    """A grid of first-divergence steps; ``None`` (no divergence) is drawn as 'ok', missing as blank."""
    with plt.rc_context(STYLE):
        grid = np.full((len(rows), len(columns)), np.nan)
        for (r, c), value in values.items():
            if value is not None:
                grid[rows.index(r), columns.index(c)] = value
        figure, axes = plt.subplots(figsize=(max(4.0, 0.32 * len(columns) + 2), 0.45 * len(rows) + 1.6))
        image = axes.imshow(np.ma.masked_invalid(grid), cmap="viridis", aspect="auto")
        for (r, c), value in values.items():
            axes.text(columns.index(c), rows.index(r), "ok" if value is None else str(value),
                      ha="center", va="center", fontsize=6, color="black" if value is None else "white")
        axes.set_xticks(range(len(columns)), columns, rotation=70, ha="right", fontsize=6)
        axes.set_yticks(range(len(rows)), rows)
        axes.set_title(title)
        figure.colorbar(image, ax=axes, label="first divergence step")
        return _svg(figure)


def divergence_vs_bits(series: dict[str, list[tuple[int, int | None, int]]], title: str) -> str:
    """One line per label: (bits, first divergence step or None, run length) points."""
    with plt.rc_context(STYLE):
        figure, axes = plt.subplots(figsize=(6, 3.2))
        for label in sorted(series):
            points = sorted(series[label])
            bits = [b for b, _, _ in points]
            steps = [length if s is None else s for _, s, length in points]
            axes.plot(bits, steps, marker="o", markersize=3, label=label)
            ok = [(b, length) for b, s, length in points if s is None]
            if ok:
                axes.scatter(*zip(*ok, strict=True), marker="^", s=14, color="black")
        axes.set_xlabel("mantissa bits")
        axes.set_ylabel("first divergence step (triangle: none)")
        axes.set_title(title)
        axes.legend(fontsize=6)
        return _svg(figure)


def trace_diff(reference: Sequence[int], decoded: Sequence[int], divergence: int | None, title: str) -> str:
    """Head position per step for the reference and the ablated run, divergence marked."""
    with plt.rc_context(STYLE):
        figure, axes = plt.subplots(figsize=(6, 2.6))
        axes.plot(range(1, len(reference) + 1), reference, marker=".", label="reference")
        if decoded:
            axes.plot(range(1, len(decoded) + 1), decoded, marker="x", linestyle="--", label="ablated (decoded)")
        if divergence is not None:
            axes.axvline(divergence, color="red", linewidth=0.8, label=f"first divergence: step {divergence}")
        axes.set_xlabel("step")
        axes.set_ylabel("head cell (before the step)")
        axes.set_title(title)
        axes.legend(fontsize=6)
        return _svg(figure)
