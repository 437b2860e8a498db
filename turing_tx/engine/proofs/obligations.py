"""Proof obligations and their discharge: what a construction states, and what the prover reports.

A construction states its correctness argument as a list of :class:`Obligation` objects, grouped by
the part of the model they are about (a layer, a head, an FFN, the induction itself). Each one holds
the statement (a sympy relation, for the report: ``srepr`` and LaTeX) and the one check of the trusted
core (:mod:`turing_tx.engine.proofs.core`) that discharges it. :func:`discharge` runs them all and
times each; a :class:`ProofReport` says ``proved: N obligations, 0 failed`` only when every check
accepted its statement. This module knows no construction.
"""

from __future__ import annotations

import dataclasses
import functools
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import sympy

from turing_tx.engine.proofs.core import Case, Outcome, ProofError, Variable, check_cases


@dataclass(frozen=True)
class Obligation:
    """One lemma: ``statement`` over ``variables``, discharged by ``check`` (a call of the core).

    ``group`` names the part of the model it is about (``dec1.self_attn``, ``induction``, …) and
    ``explanation`` says in words why it is needed, for the report.
    """

    name: str
    group: str
    statement: sympy.Basic
    variables: tuple[Variable, ...]
    check: Callable[[], Outcome]
    explanation: str = ""
    #: how many machine steps a run needs to reach a counterexample's point (its values by symbol
    #: name), so the prover can execute it; None: the construction cannot say (a default horizon)
    reach: Callable[[Mapping[str, object]], int | None] | None = None


def by_induction(premises: Sequence[Obligation], name: str, group: str, explanation: str) -> list[Obligation]:
    """``premises`` followed by the obligation that composes them into the invariant at every step.

    The composition holds when every premise is proved (a finite enumeration of their statuses; each
    premise's check runs once, its outcome shared). Its content is ``explanation`` — why these
    lemmas suffice (base case, step case) — which the report shows with the list of premises."""
    shared = [dataclasses.replace(p, check=functools.cache(p.check)) for p in premises]

    def check() -> Outcome:
        cases = []
        for premise in shared:
            try:
                proved = premise.check().proved
            except ProofError:
                proved = False
            cases.append(Case(premise.name, int(proved), 1))
        outcome = check_cases(cases)
        missing = None if outcome.counterexample is None else {"premise not proved": outcome.counterexample["case"]}
        return Outcome(outcome.status, "composition", {"premises": [p.name for p in shared]}, missing)

    statement = sympy.Eq(sympy.Symbol("unproved premises"), 0)
    return [*shared, Obligation(name, group, statement, (), check, explanation)]


@dataclass(frozen=True)
class Result:
    """An obligation with its outcome and the seconds its check took."""

    obligation: Obligation
    outcome: Outcome
    seconds: float
    error: str | None = None

    @property
    def proved(self) -> bool:
        return self.error is None and self.outcome.proved

    def to_json(self) -> dict[str, Any]:
        """Name, group, statement (srepr and LaTeX), ranges, method, certificate, status, seconds."""
        ob, outcome = self.obligation, self.outcome
        return {
            "name": ob.name,
            "group": ob.group,
            "statement": {"srepr": sympy.srepr(ob.statement), "latex": sympy.latex(ob.statement)},
            "variables": [v.describe() for v in ob.variables],
            "explanation": ob.explanation,
            "method": outcome.method,
            "certificate": _plain(outcome.certificate),
            "status": "error" if self.error else outcome.status,
            "counterexample": _plain(outcome.counterexample),
            "error": self.error,
            "seconds": round(self.seconds, 4),
        }


def _plain(value: Any) -> Any:
    """JSON-ready data: exact rationals as "p/q" text, containers recursively."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, Fraction):
        return str(value)
    return value


@dataclass
class ProofReport:
    """Every obligation's result, in the order stated."""

    results: list[Result] = field(default_factory=list)

    @property
    def failed(self) -> list[Result]:
        return [r for r in self.results if not r.proved]

    @property
    def proved(self) -> bool:
        return bool(self.results) and not self.failed

    @property
    def first_failure(self) -> Result | None:
        return next(iter(self.failed), None)

    def summary(self) -> str:
        """``proved: 17 obligations, 0 failed`` (or ``not proved: …``)."""
        verdict = "proved" if self.proved else "not proved"
        return f"{verdict}: {len(self.results)} obligations, {len(self.failed)} failed"

    def to_json(self) -> dict[str, Any]:
        return {"proved": self.proved, "summary": self.summary(),
                "obligations": [r.to_json() for r in self.results]}


def discharge(obligations: Iterable[Obligation], *, stop_at_failure: bool = False) -> ProofReport:
    """Run every obligation's check; a statement the core cannot read is a failure with its reason.

    ``stop_at_failure``: stop after the first obligation that is not proved (a screening run that only
    needs the verdict; the report then lists the obligations checked so far)."""
    report = ProofReport()
    for obligation in obligations:
        start = time.perf_counter()
        try:
            outcome, error = obligation.check(), None
        except ProofError as exc:
            outcome, error = Outcome("unproved", "none"), str(exc)
        report.results.append(Result(obligation, outcome, time.perf_counter() - start, error))
        if stop_at_failure and not report.results[-1].proved:
            break
    return report
