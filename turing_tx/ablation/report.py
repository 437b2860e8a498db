"""Render a study (:func:`~turing_tx.ablation.study.run_study`) as report.json, report.md and a
self-contained report.html (inline SVG figures), written atomically and byte-identical on rerun."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jinja2

from turing_tx.ablation import plots
from turing_tx.ablation.sweeps import mantissa_bits
from turing_tx.io.atomic import write_atomic

_ENVIRONMENT = {
    "md": jinja2.Environment(loader=jinja2.PackageLoader("turing_tx.ablation", "templates"),
                             autoescape=False, keep_trailing_newline=True, undefined=jinja2.StrictUndefined),
    "html": jinja2.Environment(loader=jinja2.PackageLoader("turing_tx.ablation", "templates"),
                               autoescape=True, keep_trailing_newline=True, undefined=jinja2.StrictUndefined),
}


def cell(row: dict[str, Any] | None) -> str:
    """A verdict-table cell: ``ok``, ``step s / tick t`` or empty when the run was not made."""
    if row is None:
        return ""
    if not row["breaks"]:
        return "ok"
    text = f"step {row['first_divergence_step']}"
    return text + (f" / tick {row['first_divergence_tick']}" if row["first_divergence_tick"] is not None else "")


def check(rows: dict[str, dict[str, Any]]) -> str:
    """The construction-level check cell (finite outputs, permutation), from its note."""
    return "; ".join(rows[k]["note"] for k in ("finite-outputs", "permutation") if k in rows)


def to_json(report: dict[str, Any]) -> str:
    return json.dumps(report, sort_keys=True, indent=1, ensure_ascii=False) + "\n"


def _heatmaps(report: dict[str, Any]) -> list[str]:
    """One construction × component heat map of surgery first-divergence steps per machine."""
    figures = []
    for machine in report["machines"]:
        rows = [r for r in report["results"] if r["protocol"] == "surgery" and r["machine"] == machine["machine"]
                and r["word"] == machine["word"]]
        constructions = sorted({r["construction"] for r in rows})
        if not constructions:
            continue
        components = list(dict.fromkeys(r["ablation"] for r in rows))
        values = {(r["construction"], r["ablation"]): r["first_divergence_step"] for r in rows}
        figures.append(plots.heatmap(constructions, components, values,
                                     f"surgery: first divergence step, {machine['machine']}"))
    return figures


def _bits_plot(report: dict[str, Any]) -> str | None:
    series: dict[str, list[tuple[int, int | None, int]]] = {}
    for r in report["results"]:
        if r["protocol"] == "precision" and r["backend"].startswith("mpmath:"):
            series.setdefault(f"{r['construction']} {r['machine']}", []).append(
                (mantissa_bits(r["backend"]), r["first_divergence_step"], r["steps"]))
    return plots.divergence_vs_bits(series, "first divergence step vs mantissa bits") if series else None


def render(report: dict[str, Any], kind: str) -> str:
    """The report as Markdown (``md``) or HTML (``html``)."""
    context = {
        "report": report, "results": report["results"], "cell": cell, "check": check,
        "agreeing": sum(1 for v in report["verdicts"] if v["agrees_with_paper"]),
        "disagreements": [r for r in report["results"] if r["agrees_with_paper"] is False and r["witness"]],
    }
    if kind == "html":
        context["heatmaps"] = _heatmaps(report)
        context["bits_plot"] = _bits_plot(report)
        context["diff_plots"] = [plots.trace_diff(d["reference"], d["decoded"], d["first_divergence_step"],
                                                  d["title"]) for d in report["trace_diffs"]]
    return _ENVIRONMENT[kind].get_template(f"report.{kind}.j2").render(**context)


def write_report(report: dict[str, Any], directory: str | Path) -> list[Path]:
    """Write report.json, report.md and report.html into ``directory`` (created if missing)."""
    target = Path(directory)
    target.mkdir(parents=True, exist_ok=True)
    outputs = {"report.json": to_json(report), "report.md": render(report, "md"),
               "report.html": render(report, "html")}
    for name, text in outputs.items():
        write_atomic(target / name, text)
    return [target / name for name in outputs]
