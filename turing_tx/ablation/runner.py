"""Run ablated models against the intact run and record what broke, where, and how.

:func:`compare` finds the first configuration at which a decoded trace leaves the reference
simulator's; :class:`Runner` runs the protocol (``docs/ablation.md``, "The protocol") for every
component of a construction (surgery, probe input, rebuilt without the component, pair removed, and
the construction-level checks of the claims table) and returns :class:`Result` rows and per-component
:class:`Verdict` rows, each verdict optionally with the prover's account of the component
(:mod:`turing_tx.ablation.proofs`). Every row is plain data, so reports and tests consume the same objects.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from itertools import combinations
from typing import Any

from turing_tx.ablation.claims import SURGERY, ComponentClaim, Evidence, claims_for, verdict
from turing_tx.ablation.components import component_names
from turing_tx.ablation.proofs import Attempt, prove_model
from turing_tx.ablation.subjects import Subject, make_subject
from turing_tx.ablation.transforms import Ablation, AblationError, parse_ablation
from turing_tx.constructions.protocol import Observation
from turing_tx.engine.model import Model
from turing_tx.engine.numbers import DEFAULT_BACKEND
from turing_tx.errors import MachineFormatError
from turing_tx.machines.formats.bbchallenge import parse_machine
from turing_tx.machines.machine import TuringMachine
from turing_tx.machines.simulator import Step, simulate

BEFORE = {"state": "state", "head": "head", "read": "symbol"}
AFTER = {"next_state": "state", "move": "head", "write": "written", "halt": "halt"}
Progress = Callable[[str], None]


def step_json(machine: TuringMachine, step: Step | None) -> dict[str, Any] | None:
    """A step in the machine's own names (for witnesses and trace diffs)."""
    if step is None:
        return None
    return {"number": step.number, "state": machine.states[step.state], "head": step.head,
            "read": machine.symbols[step.read], "write": machine.symbols[step.write], "move": step.move,
            "next": step.halt if step.next_state is None else machine.states[step.next_state]}


@dataclass(frozen=True)
class Divergence:
    """The first configuration (0 = initial) whose decoded form differs from the reference's."""

    step: int
    fields: tuple[str, ...]
    expected: Step | None
    decoded: Step | None
    detail: str = ""


def compare(reference: list[Step], observation: Observation) -> Divergence | None:
    """The first divergence of ``observation`` from ``reference`` (None: identical for every step).

    Step s carries configuration s−1 (state, head, symbol read) and the change to configuration s
    (written symbol, move, next state), so a difference in the former dates the divergence to s−1.
    A decoding failure dates it to the configuration that failed to decode.
    """
    decoded = observation.steps
    for s, expected in enumerate(reference, start=1):
        actual = decoded[s - 1] if s <= len(decoded) else None
        if actual is None:
            if observation.error is not None:
                at = min(s, observation.error_configuration if observation.error_configuration is not None else s)
                return Divergence(at, ("decoding",), expected, None, observation.error)
            return Divergence(s, ("stopped",), expected, None, "the decoded run stopped early")
        before = tuple(label for name, label in BEFORE.items() if getattr(actual, name) != getattr(expected, name))
        if before:
            return Divergence(s - 1, before, expected, actual)
        after = tuple(dict.fromkeys(label for name, label in AFTER.items()
                                    if getattr(actual, name) != getattr(expected, name)))
        if after:
            return Divergence(s, after, expected, actual)
    if len(decoded) > len(reference):
        return Divergence(len(reference), ("halt",), None, decoded[len(reference)], "ran on after the halt")
    return None


@dataclass
class Result:
    """One run: a construction × machine × ablation, compared with the intact run."""

    construction: str
    machine: str
    word: str
    ablation: str
    protocol: str
    backend: str
    breaks: bool
    first_divergence_step: int | None
    first_divergence_tick: int | None
    diverged: list[str]
    distinct_outputs: int
    reference_distinct_outputs: int
    positions: int
    steps: int
    paper_claim: str | None = None
    agrees_with_paper: bool | None = None
    witness: dict[str, Any] | None = None
    note: str = ""
    trace: dict[str, list[int]] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        data = {k: v for k, v in self.__dict__.items() if k != "trace"}
        return data


@dataclass
class Verdict:
    """The agreement of all runs about one component with the paper's claim."""

    construction: str
    machine: str
    component: str
    claim: str
    paper_claim: str
    agrees_with_paper: bool
    reason: str
    rows: dict[str, dict[str, Any]]
    note: str = ""
    #: the prover's account (:func:`~turing_tx.ablation.proofs.prove_model` of the surgery model, with the
    #: rebuilt model's under ``rebuilt``); None when the study was run without proofs
    proof: dict[str, Any] | None = None

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


class Runner:
    """Runs ablations of one construction on one machine (and its probe and check workloads)."""

    def __init__(self, construction: str, machine: TuringMachine, word: tuple[int, ...] = (),
                 max_steps: int = 10_000, backend: str = DEFAULT_BACKEND, progress: Progress | None = None) -> None:
        self.construction, self.machine, self.word = construction, machine, word
        self.max_steps = max_steps
        self.backend = backend
        self.progress = progress or (lambda _label: None)
        self.claims = claims_for(construction)
        self.subject = make_subject(construction, machine, word)
        self._references: dict[int, tuple[list[Step], Observation]] = {}

    # -- single runs ----------------------------------------------------------------------------
    def reference(self, subject: Subject) -> tuple[list[Step], Observation]:
        """The simulator's steps and the intact model's observation for ``subject``."""
        key = id(subject)
        if key not in self._references:
            steps = list(simulate(subject.machine, subject.word, self.max_steps))
            self._references[key] = (steps, subject.observe(None, self.backend, len(steps)))
        return self._references[key]

    def run(self, ablation: Ablation | str | None, protocol: str = "surgery", *, subject: Subject | None = None,
            model: Model | None = None, backend: str | None = None) -> Result:
        """Run ``ablation`` (or the given rebuilt ``model``, or the intact model with ``backend``) and
        compare it with the intact exact run."""
        subject = subject or self.subject
        if isinstance(ablation, str):
            ablation = parse_ablation(ablation, subject.model)
        backend = (ablation.backend if ablation is not None else None) or backend or self.backend
        name = ablation.name if ablation is not None else f"precision={backend}" if backend != self.backend \
            else "none"
        self.progress(f"{self.construction}: {name}")
        reference, intact = self.reference(subject)
        if model is None and ablation is not None and subject.model is not None:
            model = ablation.apply(subject.model)
        observation = subject.observe(model, backend, len(reference))
        divergence = compare(reference, observation)
        witness = None if divergence is None else {
            "expected": step_json(subject.machine, divergence.expected),
            "decoded": step_json(subject.machine, divergence.decoded), "detail": divergence.detail}
        return Result(
            construction=self.construction, machine=machine_label(subject.machine),
            word=subject.machine.format_symbols(subject.word), ablation=name, protocol=protocol,
            backend=backend, breaks=divergence is not None,
            first_divergence_step=None if divergence is None else divergence.step,
            first_divergence_tick=observation.first_divergence_tick,
            diverged=[] if divergence is None else list(divergence.fields),
            distinct_outputs=observation.distinct_outputs, reference_distinct_outputs=intact.distinct_outputs,
            positions=observation.positions, steps=len(reference), witness=witness,
            trace={"reference": [s.head for s in reference], "decoded": [s.head for s in observation.steps]})

    # -- the component protocol ------------------------------------------------------------------
    def probe_subject(self) -> Subject | None:
        if not self.claims.probe:
            return None
        return make_subject(self.construction, self.machine, self.machine.parse_word(self.claims.probe))

    def study(self, components: Iterable[str] | None = None, *,
              prove: bool = False) -> tuple[list[Result], list[Verdict]]:
        """Surgery, probe, rebuild, pair and check runs for each claimed component, with verdicts (and,
        with ``prove``, each verdict's proof status)."""
        if self.subject.model is None:
            return [], []
        names = list(components) if components is not None else [
            n for n in component_names(self.subject.model) if self.claims.get(n)]
        results: list[Result] = []
        verdicts: list[Verdict] = []
        pairs: dict[frozenset[str], Result] = {}
        probe = self.probe_subject()
        for component in names:
            claim = self.claims.get(component)
            if claim is None:
                results.append(self.run(component))
                continue
            rows, evidence, rebuilt = self._component_rows(component, claim, probe, pairs)
            agrees, reason = verdict(claim, evidence)
            for row in rows:
                row.paper_claim = claim.paper_claim if row.protocol != "pair" else f"{claim.claim}: pair needed"
                row.agrees_with_paper = agrees if row.protocol != "pair" else row.breaks
            results.extend(r for r in rows if r.protocol != "pair" or r.ablation.startswith(component + "+"))
            verdicts.append(Verdict(self.construction, machine_label(self.machine), component, claim.claim,
                                    claim.paper_claim, agrees, reason,
                                    {r.protocol: _summary(r) for r in rows}, claim.note,
                                    self.proof(component, probe, rebuilt) if prove else None))
        return results, verdicts

    def proof(self, component: str, probe: Subject | None, rebuilt: Model | None) -> dict[str, Any]:
        """The prover's account of ``component``: the surgery model proved (its counterexample executed on
        the given input, then on the probe input), and the ``rebuilt`` model the rebuilt run ran, if any."""
        self.progress(f"{self.construction}: prove {component}")
        subjects = (self.subject,) if probe is None else (self.subject, probe)
        runs = tuple((s, parse_ablation(component, s.model).apply(s.model)) for s in subjects if s.model is not None)
        surgery = prove_model(self.subject, Attempt(runs[0][1], runs), self.max_steps)
        return {**surgery, "rebuilt": None if rebuilt is None else
                prove_model(self.subject, Attempt(rebuilt, ((self.subject, rebuilt),)), self.max_steps)}

    def _component_rows(self, component: str, claim: ComponentClaim, probe: Subject | None,
                        pairs: dict[frozenset[str], Result]) -> tuple[list[Result], Evidence, Model | None]:
        """The runs ``claim`` needs, the evidence they give, and the rebuilt model (None: no rebuilt run)."""
        evidence = Evidence()
        rebuilt_model = None
        surgery = self.run(component)
        rows = [surgery]
        evidence.surgery_breaks = surgery.breaks
        if claim.claim.startswith("necessary") and not surgery.breaks and probe is not None:
            row = self.run(component, "probe", subject=probe)
            rows.append(row)
            evidence.probe_breaks = row.breaks
        if claim.rebuild == SURGERY:
            evidence.rebuild_exact = not surgery.breaks
        elif claim.rebuild is not None:
            rebuilt = self.subject.rebuild(claim.rebuild)  # and make sure it really lacks the component
            rebuilt_model = parse_ablation(component, rebuilt).apply(rebuilt)
            row = self.run(component, "rebuilt", model=rebuilt_model)
            row.note = "rebuilt with " + (", ".join(f"{k}={v}" for k, v in sorted(claim.rebuild.items()))
                                          or "the standard form (the component is inert)")
            rows.append(row)
            evidence.rebuild_exact = not row.breaks
        if claim.partner:
            key = frozenset((component, claim.partner))
            if key not in pairs:
                pairs[key] = self.run(f"{component}+{claim.partner}", "pair")
            rows.append(pairs[key])
            evidence.pair_breaks = pairs[key].breaks
        checks = self.claims.checks
        finite = checks.get("finite_outputs")
        if finite and finite["component"] == component:
            row, evidence.bounded_outputs = self.finite_outputs(component, finite)
            rows.append(row)
        permutation = checks.get("permutation")
        if permutation and permutation["component"] == component:
            row, evidence.permutation_invariant = self.permutation(component, permutation["word"])
            rows.append(row)
        return rows, evidence, rebuilt_model

    def finite_outputs(self, component: str, check: dict[str, Any]) -> tuple[Result, bool]:
        """Distinct outputs without ``component`` over a long run of a non-halting machine,
        against the bound the construction claims for a model without it."""
        machine = parse_machine(check["machine"], f"claims of {self.construction}")
        subject = make_subject(self.construction, machine, ())
        bound = subject.compiled.output_bound(component)
        if bound is None:
            raise AblationError(f"{self.construction} claims no bound on the outputs without {component}")
        saved, self.max_steps = self.max_steps, subject.compiled.configuration_of_tick(int(check["ticks"]))
        try:
            row = self.run(component, "finite-outputs", subject=subject)
        finally:
            self.max_steps = saved
        bounded = row.distinct_outputs <= bound.limit < row.reference_distinct_outputs
        row.note = (f"{row.positions} decoder steps: {row.distinct_outputs} distinct outputs without "
                    f"{component} (bound {bound.formula}) vs {row.reference_distinct_outputs} intact")
        return row, bounded

    def permutation(self, component: str, word: str) -> tuple[Result, bool]:
        """Without ``component``, do a word and its reversal give identical outputs (while the
        computation the construction simulates tells them apart)?"""
        subject = make_subject(self.construction, self.machine, self.machine.parse_word(word))
        row = self.run(component, "permutation", subject=subject)
        ablated = parse_ablation(component, subject.model).apply(subject.model)
        run = subject.compiled.run_permuted(ablated, row.positions, self.backend)
        row.note = (f"outputs on {' '.join(run.encoder_input)} and {' '.join(run.permuted_input)} without "
                    f"{component}: {'identical' if run.outputs_coincide else 'different'}; {run.reference} "
                    f"{'differ' if run.reference_differs else 'coincide'}")
        return row, run.outputs_coincide and run.reference_differs

    def all_pairs(self) -> list[Result]:
        """Every unordered pair of components removed together."""
        if self.subject.model is None:
            return []
        names = component_names(self.subject.model)
        return [self.run(f"{a}+{b}", "pairs") for a, b in combinations(names, 2)]


def _summary(row: Result) -> dict[str, Any]:
    return {"ablation": row.ablation, "machine": row.machine, "breaks": row.breaks,
            "first_divergence_step": row.first_divergence_step, "first_divergence_tick": row.first_divergence_tick,
            "distinct_outputs": row.distinct_outputs, "note": row.note}


def machine_label(machine: TuringMachine) -> str:
    """The machine's bbchallenge text when it has one, else its name."""
    from turing_tx.machines.formats.bbchallenge import write_machine

    try:
        return write_machine(machine)
    except MachineFormatError:  # machines outside the bbchallenge subset keep their name
        return machine.name or "machine"
