"""Render a study (:func:`~turing_tx.ablation.study.run_study`) as report.json, report.md and a
self-contained report.html (inline CSS and SVG), written atomically.

Both documents open like the paper's figure: the verdict counts (agree / documented departure /
disagree) and, when the study proved them, the proof counts (proved necessary / proved not needed /
unconfirmed), a legend of the marks used, and per construction a matrix of components × machines; then
where each check ran, the sweeps (plots in HTML) and the witnesses; the run log, with the proofs,
comes last (folded in HTML). report.md and report.html are byte-identical on a rerun; report.json is
too, except the seconds each proof took. What they say is computed once, in
:mod:`turing_tx.ablation.summary`.
"""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path
from typing import Any

import jinja2

from turing_tx.ablation import plots, summary
from turing_tx.ablation.sweeps import mantissa_bits
from turing_tx.io.atomic import write_atomic

_LOADER = jinja2.PackageLoader("turing_tx.ablation", "templates")
_ENVIRONMENT = {
    "md": jinja2.Environment(loader=_LOADER, autoescape=False, keep_trailing_newline=True,
                             undefined=jinja2.StrictUndefined),
    "html": jinja2.Environment(loader=_LOADER, autoescape=True, keep_trailing_newline=True,
                               undefined=jinja2.StrictUndefined),
}


def overview(report: dict[str, Any]) -> dict[str, Any]:
    """The JSON form of the report's opening: what ran, the verdict counts, the proof counts (empty
    without proofs) and where each check ran."""
    return {"constructions_run": summary.constructions_run(report),
            "constructions_not_run": [c["construction"] for c in summary.constructions_not_run(report)],
            "verdict_counts": summary.verdict_counts(report["verdicts"]),
            "proof_counts": summary.proof_counts(report["verdicts"]),
            "check_sites": [site.to_json() for site in summary.check_sites(report)]}


def to_json(report: dict[str, Any]) -> str:
    """The study's data with every existing key, plus ``overview`` and each verdict's ``status``."""
    data = {**report, "overview": overview(report),
            "verdicts": [{**v, "status": summary.status(v)} for v in report["verdicts"]]}
    return json.dumps(data, sort_keys=True, indent=1, ensure_ascii=False) + "\n"


# -- figures (HTML only) ---------------------------------------------------------------------------
def _label(construction: str, machine: str) -> str:
    return f"{construction} {machine}"


def _precision_figures(report: dict[str, Any], minima: list[dict[str, Any]]) -> list[str]:
    """First divergence against mantissa bits, and minimal bits against T, over every precision section."""
    series: dict[str, list[plots.Point]] = {}
    for r in report["results"]:
        if r["protocol"] == "precision" and r["backend"].startswith("mpmath:"):
            series.setdefault(_label(r["construction"], r["machine"]), []).append(
                (mantissa_bits(r["backend"]), r["first_divergence_step"], r["steps"]))
    if not series:
        return []
    needed = {_label(m["construction"], m["machine"]): [(row["steps"], row["minimal_bits"]) for row in m["minimal"]]
              for m in minima}
    low, high = min(m["low"] for m in minima), max(m["high"] for m in minima)
    return [plots.divergence_vs_bits(series, "precision sweep: first divergence step vs mantissa bits"),
            plots.minimal_bits(needed, low, high, "fewest mantissa bits that run T steps exactly")]


def _window_figure(report: dict[str, Any], section: dict[str, Any]) -> str:
    """First divergence against the window size for one window section, plain and with the BOS key."""
    sizes = report["options"]["windows"]
    steps = len(section["requirement"]["per_position"])
    series = {name: [(w, r["first_divergence_step"], steps)
                     for w, r in zip(sizes, [r for r in section["rows"] if r["protocol"] == protocol], strict=True)]
              for name, protocol in (("window", "window"), ("window + BOS key", "window+bos"))}
    return plots.divergence_vs_window(series, section["requirement"]["written_threshold"],
                                      f"window sweep: {section['target']}, {section['construction']} "
                                      f"on {section['machine']}")


def _temperature_figure(report: dict[str, Any]) -> str | None:
    """First divergence against τ, one line per temperature section."""
    if not report["temperature"]:
        return None
    taus = [float(Fraction(t)) for t in report["options"]["temperatures"]]
    lengths = {(r["construction"], r["machine"]): r["steps"] for r in report["results"]
               if r["protocol"] == "temperature"}
    series = {_label(s["construction"], s["machine"]): [
        (tau, r["first_divergence_step"], lengths[s["construction"], s["machine"]])
        for tau, r in zip(taus, s["rows"], strict=True)] for s in report["temperature"]}
    return plots.divergence_vs_temperature(series, "softmax temperature: first divergence step vs τ")


def _figures(report: dict[str, Any], minima: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "precision_plots": _precision_figures(report, minima),
        "window_plots": [_window_figure(report, s) for s in report["window"]],
        "temperature_plot": _temperature_figure(report),
        "diff_plots": [plots.trace_diff(d["reference"], d["decoded"], d["first_divergence_step"], d["title"])
                       for d in report["trace_diffs"]],
    }


# -- rendering -------------------------------------------------------------------------------------
def _context(report: dict[str, Any]) -> dict[str, Any]:
    """What both templates show, computed once."""
    matrices = summary.matrices(report)
    precision = summary.precision_minima(report)
    windows = summary.window_minima(report)
    return {
        "report": report, "results": report["results"], "matrices": matrices, "precision": precision,
        "windows": windows, "counts": summary.verdict_counts(report["verdicts"]),
        "proof_counts": summary.proof_counts(report["verdicts"]), "proofs": summary.proof_rows(report["verdicts"]),
        "proof_text": summary.proof_text,
        "constructions": summary.constructions_run(report), "not_run": summary.constructions_not_run(report),
        "legend": summary.legend(report, matrices, precision, windows), "sites": summary.check_sites(report),
        "marks": summary.MARKS, "mark_status": {mark: s for s, mark in summary.MARKS.items()},
        "status": summary.status, "run_status": summary.run_status, "divergence": summary.divergence,
        "witness_text": summary.witness_text,
        "disagreements": [r for r in report["results"] if r["agrees_with_paper"] is False and r["witness"]],
    }


def render(report: dict[str, Any], kind: str) -> str:
    """The report as Markdown (``md``) or HTML (``html``)."""
    context = _context(report)
    if kind == "html":
        context |= _figures(report, context["precision"])
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
