"""A whole ablation study: constructions × machines × ablations, gathered into one report dict.

:func:`run_study` drives :class:`~turing_tx.ablation.runner.Runner` for each construction and
machine: the component protocol with verdicts (optionally each with its proof status, see
:mod:`turing_tx.ablation.proofs`), optionally every pair of components, extra named ablations, and the
precision, temperature and window sweeps. The result is plain JSON-ready data with sorted,
deterministic content (but for the seconds each proof took); :mod:`turing_tx.ablation.report` renders it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from turing_tx.ablation.claims import claims_for
from turing_tx.ablation.components import component_table
from turing_tx.ablation.runner import Result, Runner, machine_label
from turing_tx.ablation.sweeps import (
    mantissa_bits,
    minimal_precision,
    precision_sweep,
    smallest_working,
    temperature_sweep,
    window_sweep,
)
from turing_tx.machines.machine import TuringMachine

FORMAT = "turing-tx-ablation-report/1"
CONTEXT_STEPS = 3


@dataclass
class StudyOptions:
    """What to run beyond the component protocol (``prove``: the prover's account of each verdict's
    component; off by default here because it costs about a second per component, on in the CLI)."""

    pairs: bool = False
    prove: bool = False
    precisions: list[str] = field(default_factory=list)
    temperatures: list[Fraction] = field(default_factory=list)
    windows: list[int] = field(default_factory=list)
    ablations: list[str] = field(default_factory=list)
    max_steps: int = 10_000

    def to_json(self) -> dict[str, Any]:
        return {"pairs": self.pairs, "prove": self.prove, "precisions": self.precisions,
                "temperatures": [str(t) for t in self.temperatures], "windows": self.windows,
                "ablations": self.ablations, "max_steps": self.max_steps}


def _claims_json(construction: str) -> dict[str, Any]:
    claims = claims_for(construction)
    return {"source": claims.source, "components": {
        name: {"claim": c.claim, "paper_claim": c.paper_claim, "partner": c.partner, "note": c.note}
        for name, c in claims.components.items()}}


def _trace_diff(runner: Runner, row: Result, title: str) -> dict[str, Any]:
    """The reference and decoded steps around ``row``'s first divergence."""
    reference, _ = runner.reference(runner.subject)
    divergence = row.first_divergence_step or 0
    low, high = max(1, divergence - CONTEXT_STEPS), min(len(reference), divergence + CONTEXT_STEPS)
    observation = row.trace["decoded"]
    steps = [{"step": s, "reference_head": reference[s - 1].head,
              "decoded_head": observation[s - 1] if s <= len(observation) else None}
             for s in range(low, high + 1)]
    return {"title": title, "construction": row.construction, "machine": row.machine, "ablation": row.ablation,
            "first_divergence_step": row.first_divergence_step, "diverged": row.diverged,
            "witness": row.witness, "reference": row.trace["reference"], "decoded": observation,
            "steps": steps}


def _interesting(rows: Sequence[Result], protocol: str, key: Callable[[Result], Any]) -> Result | None:
    broken = [r for r in rows if r.protocol == protocol and r.breaks and r.trace["decoded"]]
    return max(broken, key=key) if broken else None


def _window_section(runner: Runner, rows: list[Result], target: str) -> dict[str, Any]:
    reference, _ = runner.reference(runner.subject)
    requirement = runner.subject.compiled.window_requirement(reference)
    plain = smallest_working([r for r in rows if r.protocol == "window"])
    with_bos = smallest_working([r for r in rows if r.protocol == "window+bos"])
    lucky = [p for p, need in enumerate(requirement.per_position) if plain is not None and need > plain]
    source = ("the BOS position 0 (the cell was never written)" if requirement.last_write is None
              else f"position {requirement.last_write}")
    explanation = [
        f"At position p the head {target} must see the last position that wrote the head's cell c_p "
        "(or the BOS position 0, the default for a cell never written); a window of w keys sees "
        "positions p+1-w..p, so it needs w >= p+1-l.",
        f"From the reference run: the largest distance back to the last write of the head's cell is "
        f"{requirement.written_threshold}; counting BOS for fresh cells it is {requirement.threshold} "
        f"(position {requirement.at_position}, cell {requirement.cell}, whose source is {source}).",
        f"Window plus BOS as a global key: smallest working w = {with_bos}; "
        + ("equal to the maximal distance to the last write." if with_bos == requirement.written_threshold
           else f"DIFFERENT from the maximal distance to the last write ({requirement.written_threshold})."),
        f"Plain window: smallest working w = {plain}."
        + (f" Positions {lucky} need more, yet decode correctly: there the head attends to a visible "
           "write instead, and that write holds the same symbol as the fresh cell (a lucky read)."
           if lucky else ""),
    ]
    return {"construction": runner.construction, "machine": machine_label(runner.machine), "target": target,
            "requirement": requirement.to_json(), "smallest_window": plain, "smallest_window_with_bos": with_bos,
            "agrees": with_bos == requirement.written_threshold, "explanation": explanation,
            "rows": [{"ablation": r.ablation, "protocol": r.protocol, "breaks": r.breaks,
                      "first_divergence_step": r.first_divergence_step} for r in rows]}


def run_study(constructions: Sequence[str], machines: Sequence[tuple[TuringMachine, tuple[int, ...]]],
              options: StudyOptions, progress: Callable[[str], None] | None = None) -> dict[str, Any]:
    """Every run the options ask for, as one JSON-ready report (deterministic except the proofs' seconds)."""
    report: dict[str, Any] = {
        "format": FORMAT, "constructions": list(constructions),
        "machines": [{"machine": machine_label(m), "word": m.format_symbols(w)} for m, w in machines],
        "options": options.to_json(), "claims": {c: _claims_json(c) for c in constructions},
        "components": {}, "results": [], "verdicts": [], "precision": [], "temperature": [], "window": [],
        "trace_diffs": [],
    }
    for construction in constructions:
        for machine, word in machines:
            runner = Runner(construction, machine, word, options.max_steps, progress=progress)
            report["components"].setdefault(construction, [] if runner.subject.model is None
                                            else component_table(runner.subject.model))
            rows, verdicts = runner.study(prove=options.prove)
            if options.pairs:
                rows += runner.all_pairs()
            rows += [runner.run(name, "named") for name in options.ablations if runner.subject.model is not None]
            label = f"{construction} on {machine_label(machine)}"
            chosen = _interesting(rows, "surgery", lambda r: (r.first_divergence_step, r.ablation))
            if chosen is not None:
                report["trace_diffs"].append(_trace_diff(runner, chosen, f"{label}: {chosen.ablation}"))
            if options.precisions:
                sweep = precision_sweep(runner, options.precisions)
                rows += sweep
                report["precision"].append({"construction": construction, "machine": machine_label(machine),
                                            "steps": len(runner.reference(runner.subject)[0]),
                                            "minimal": minimal_precision(
                                                [r for r in sweep if r.backend.startswith("mpmath:")])})
                chosen = _interesting(sweep, "precision", lambda r: mantissa_bits(r.backend))
                if chosen is not None:
                    report["trace_diffs"].append(_trace_diff(runner, chosen, f"{label}: {chosen.ablation}"))
            if options.temperatures and runner.subject.model is not None:
                sweep = temperature_sweep(runner, options.temperatures)
                rows += sweep
                report["temperature"].append({"construction": construction, "machine": machine_label(machine),
                                              "rows": [{"ablation": r.ablation, "breaks": r.breaks,
                                                        "first_divergence_step": r.first_divergence_step}
                                                       for r in sweep]})
            target = claims_for(construction).window
            if options.windows and target:
                sweep = window_sweep(runner, target, options.windows)
                rows += sweep
                report["window"].append(_window_section(runner, sweep, target))
                chosen = _interesting(sweep, "window", lambda r: r.first_divergence_step or 0)
                if chosen is not None:
                    report["trace_diffs"].append(_trace_diff(runner, chosen, f"{label}: {chosen.ablation}"))
            report["results"] += [r.to_json() for r in rows]
            report["verdicts"] += [v.to_json() for v in verdicts]
    return report
