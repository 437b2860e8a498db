"""The report's figures as inline SVG text: byte-identical across reruns (fixed hash salt, no date).

Every sweep plots the first divergence step against the swept value, one line per run series; a run
that never diverged is drawn as a triangle at its length, so "held for all T steps" and "broke at
step T" stay distinguishable:

- :func:`divergence_vs_bits`: against mantissa bits (the precision sweep);
- :func:`minimal_bits`: fewest mantissa bits that run T steps exactly, against T, beside 5·log2 T;
- :func:`divergence_vs_window`: against the window size, with the predicted smallest window;
- :func:`divergence_vs_temperature`: against the softmax temperature τ (log scale);
- :func:`trace_diff`: the head position of the reference and the ablated run around the first
  divergence.
"""

from __future__ import annotations

import hashlib
import io
import math
import re
from collections.abc import Sequence

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402  (after choosing the headless backend)
from matplotlib.axes import Axes  # noqa: E402
from matplotlib.ticker import MaxNLocator  # noqa: E402

STYLE = {"svg.hashsalt": "turing-tx", "svg.fonttype": "none", "font.size": 8, "figure.dpi": 100,
         "axes.grid": True, "grid.color": "#dddddd", "grid.linewidth": 0.6, "axes.spines.top": False,
         "axes.spines.right": False}
NONE_LABEL = "first divergence step (▲: none in the run)"

# A point of a divergence series: the swept value, the first divergence step (None: none), the run length.
Point = tuple[float, int | None, int]


def _svg(figure: plt.Figure) -> str:
    """The figure as SVG to inline in HTML: no XML prolog or DOCTYPE, and ids made unique to it."""
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None}, bbox_inches="tight")
    plt.close(figure)
    text = buffer.getvalue()
    return _own_ids(text[text.index("<svg"):])


def _own_ids(svg: str) -> str:
    """Prefix every id (and every ``#id`` reference) with a digest of the SVG: matplotlib numbers ids
    per figure (``axes_1``, …), so several inline figures would share ids in one HTML document and a
    ``url(#…)`` could resolve into another figure. The digest keeps the output deterministic."""
    prefix = "f" + hashlib.sha1(svg.encode()).hexdigest()[:8] + "-"
    ids = set(re.findall(r'\bid="([^"]+)"', svg))
    return re.sub(r'(\bid="|href="#|url\(#)([^")]+)',
                  lambda m: m.group(1) + (prefix + m.group(2) if m.group(2) in ids else m.group(2)), svg)


def _plain(text: str) -> str:
    """``text`` shown literally: a ``$`` in a machine name would otherwise start matplotlib's mathtext."""
    return text.replace("$", r"\$")


def _divergence_lines(axes: Axes, series: dict[str, list[Point]]) -> None:
    """One line per label through (value, divergence step or run length); runs without divergence
    additionally get a black triangle."""
    for label in sorted(series):
        points = sorted(series[label], key=lambda p: p[0])
        axes.plot([x for x, _, _ in points], [length if s is None else s for _, s, length in points],
                  marker="o", markersize=3, label=_plain(label))
        held = [(x, length) for x, s, length in points if s is None]
        if held:
            axes.scatter(*zip(*held, strict=True), marker="^", s=18, color="black", zorder=3)
    axes.set_ylim(bottom=0)
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))


def divergence_vs_bits(series: dict[str, list[Point]], title: str) -> str:
    """First divergence step against mantissa bits, one line per label."""
    with plt.rc_context(STYLE):
        figure, axes = plt.subplots(figsize=(6, 3.2))
        _divergence_lines(axes, series)
        axes.xaxis.set_major_locator(MaxNLocator(integer=True))
        axes.set_xlabel("mantissa bits")
        axes.set_ylabel(NONE_LABEL)
        axes.set_title(_plain(title))
        axes.legend(fontsize=6)
        return _svg(figure)


def minimal_bits(series: dict[str, list[tuple[int, int | None]]], low: int, high: int, title: str) -> str:
    """Fewest mantissa bits that run T steps exactly, against T (log scale), beside the estimate
    5·log2 T; a minimum at the lowest swept width is drawn as ▼ (it may be lower), none as ▲ at the
    highest (more are needed); the shaded bands lie outside the sweep."""
    with plt.rc_context(STYLE):
        figure, axes = plt.subplots(figsize=(6, 3.2))
        steps = sorted({t for points in series.values() for t, _ in points})
        for label in sorted(series):
            points = sorted(series[label])
            line = axes.plot([t for t, _ in points], [high if b is None else b for _, b in points],
                             marker="o", markersize=3, label=_plain(label))[0]
            for marker, chosen in (("v", [(t, b) for t, b in points if b is not None and b <= low]),
                                   ("^", [(t, high) for t, b in points if b is None])):
                if chosen:
                    axes.scatter(*zip(*chosen, strict=True), marker=marker, s=30, color=line.get_color(), zorder=3)
        estimate = [5 * math.log2(t) for t in steps]
        axes.plot(steps, estimate, linestyle="--", color="gray", label="estimate 5·log2 T")
        top = max(high, *estimate) + 2
        axes.axhspan(0, low, color="#eeeeee", zorder=0, label=f"outside the sweep ({low} to {high} bits)")
        axes.axhspan(high, top, color="#eeeeee", zorder=0)
        axes.set_xscale("log", base=2)
        axes.set_xlabel("steps T run exactly")
        axes.set_ylabel("minimal mantissa bits (▼ ≤ lowest, ▲ > highest swept)")
        axes.set_ylim(0, top)
        axes.set_title(_plain(title))
        axes.legend(fontsize=6)
        return _svg(figure)


def divergence_vs_window(series: dict[str, list[Point]], predicted: int, title: str) -> str:
    """First divergence step against the window size, with the predicted smallest working window."""
    with plt.rc_context(STYLE):
        figure, axes = plt.subplots(figsize=(6, 3.2))
        _divergence_lines(axes, series)
        axes.xaxis.set_major_locator(MaxNLocator(integer=True))
        axes.axvline(predicted, color="red", linewidth=0.8, linestyle=":",
                     label=f"predicted: max distance to the last write = {predicted}")
        axes.set_xlabel("window size w (keys)")
        axes.set_ylabel(NONE_LABEL)
        axes.set_title(_plain(title))
        axes.legend(fontsize=6)
        return _svg(figure)


def divergence_vs_temperature(series: dict[str, list[Point]], title: str) -> str:
    """First divergence step against the softmax temperature τ (log scale)."""
    with plt.rc_context(STYLE):
        figure, axes = plt.subplots(figsize=(6, 3.2))
        _divergence_lines(axes, series)
        axes.set_xscale("log")
        axes.set_xlabel("softmax temperature τ")
        axes.set_ylabel(NONE_LABEL)
        axes.set_title(_plain(title))
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
        axes.xaxis.set_major_locator(MaxNLocator(integer=True))
        axes.yaxis.set_major_locator(MaxNLocator(integer=True))
        axes.set_xlabel("step")
        axes.set_ylabel("head cell (before the step)")
        axes.set_title(_plain(title))
        axes.legend(fontsize=6)
        return _svg(figure)
