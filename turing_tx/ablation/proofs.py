"""The prover's account of a component: proved necessary, proved not needed, or unconfirmed.

The runs of the protocol show what a model without a component does on the inputs tried; the prover
(:mod:`turing_tx.constructions.proving`) says what it does on every input at every step. For a verdict
row, :func:`prove_model` discharges the construction's obligations for the surgery model (the model
the surgery run ran) and, when the runner's rebuilt protocol ran, for the rebuilt model. A failed proof
is executed: a run of the model long enough to reach the first failing obligation's counterexample, on
the given input and, when that run does not break, on the claims table's probe input. The status:

- ``proved necessary``: an obligation fails and an executed run diverges from the reference;
- ``proved not needed``: every obligation holds for the model without the component;
- ``unconfirmed``: an obligation fails, but no executed run breaks within its horizon (the
  counterexample is a point these inputs do not reach, or the obligation is stronger than needed);
- ``not applicable``: the construction states no obligations for such a network.

Everything recorded is deterministic except the seconds.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from turing_tx.ablation.subjects import Subject
from turing_tx.constructions.proving import Execution, execute, prove_machine
from turing_tx.engine.model import Model
from turing_tx.engine.proofs.obligations import ProofReport
from turing_tx.errors import UsageError

PROVED_NECESSARY = "proved necessary"
PROVED_NOT_NEEDED = "proved not needed"
UNCONFIRMED = "unconfirmed"
NOT_APPLICABLE = "not applicable"
STATUSES = (PROVED_NECESSARY, PROVED_NOT_NEEDED, UNCONFIRMED, NOT_APPLICABLE)
MEANINGS = {
    PROVED_NECESSARY: "an obligation of the prover fails for the model without the component, and a run long "
                      "enough to reach its counterexample diverges from the reference",
    PROVED_NOT_NEEDED: "every obligation holds for the model without the component: it simulates the machine "
                       "at every step, for every input word",
    UNCONFIRMED: "an obligation fails, but no run executing its counterexample (given input, then probe input) "
                 "breaks within its horizon",
    NOT_APPLICABLE: "the construction states no proof obligations for this network",
}


@dataclass(frozen=True)
class Attempt:
    """A model to prove and the runs that may execute its counterexample, in the order to try them:
    (subject, the same model built for that subject's input)."""

    model: Model
    runs: tuple[tuple[Subject, Model], ...]


def _execution_json(subject: Subject, execution: Execution) -> dict[str, Any]:
    """An execution with its sentence and the input it ran on."""
    return {**execution.to_json(), "sentence": execution.sentence(),
            "word": subject.machine.format_symbols(subject.word)}


def _failure_json(report: ProofReport) -> dict[str, Any]:
    """The first failing obligation: name, group, counterexample (exact values as text) and error."""
    failure = report.first_failure
    assert failure is not None  # only called for a failed proof
    data = failure.to_json()
    return {"name": data["name"], "group": data["group"], "counterexample": data["counterexample"],
            "error": data["error"]}


def _executions(report: ProofReport, attempt: Attempt, cap: int) -> list[dict[str, Any]]:
    """Execute the failed ``report`` on each run of ``attempt`` until one diverges."""
    executions = []
    for subject, model in attempt.runs:
        execution = execute(subject.compiled, report, model, cap)
        assert execution is not None  # the report failed
        executions.append(_execution_json(subject, execution))
        if execution.diverged:
            break
    return executions


def _status(report: ProofReport, executions: list[dict[str, Any]]) -> str:
    """Proved not needed, proved necessary (the proof fails and the last run diverges), or unconfirmed."""
    if report.proved:
        return PROVED_NOT_NEEDED
    return PROVED_NECESSARY if executions[-1]["diverged"] else UNCONFIRMED


def prove_model(subject: Subject, attempt: Attempt, cap: int) -> dict[str, Any]:
    """Prove ``attempt.model`` for ``subject``'s machine and, if that fails, execute the counterexample
    (runs of at most ``cap`` steps). JSON-ready: status, the proof's summary, the first failing
    obligation, every execution made (the last one decides), and the seconds taken."""
    start = time.perf_counter()
    try:
        report = prove_machine(subject.compiled, attempt.model)
    except UsageError as exc:
        return {"status": NOT_APPLICABLE, "summary": str(exc), "first_failure": None, "executions": [],
                "seconds": round(time.perf_counter() - start, 3)}
    executions = [] if report.proved else _executions(report, attempt, cap)
    return {"status": _status(report, executions), "summary": report.summary(),
            "first_failure": None if report.proved else _failure_json(report), "executions": executions,
            "seconds": round(time.perf_counter() - start, 3)}


def execution_sentence(proof: dict[str, Any]) -> str:
    """The deciding execution's sentence, with the input it ran on ('' when nothing was executed)."""
    if not proof["executions"]:
        return ""
    last = proof["executions"][-1]
    return f"{last['sentence']} (input {last['word'] or 'empty'})"
