"""Proving a compiled network correct for every step, and executing the counterexample when it is not.

:func:`prove_machine` discharges a construction's obligations for a machine's compiled network (or a
network given in its place: an ablated, edited or user-supplied one); :func:`prove_rnn` does the same
for a user's RNN compiled into a Bhattamishra et al. transformer. A failed proof is then **executed**
(:func:`execute`): the first failing obligation's counterexample says how far a run must go to reach
it (its ``reach``), and a run of the network that long is checked in lockstep with the simulator (or
the RNN). A flaw the proof found and the run confirms is shown as the step where the run diverges; a
counterexample the input never reaches is said to be so, not passed off as a divergence.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from turing_tx.constructions.lockstep import verify
from turing_tx.constructions.protocol import CompiledMachine, PermutationRun, RNNConstruction
from turing_tx.constructions.rnn_runs import run_rnn
from turing_tx.engine.model import Model
from turing_tx.engine.numbers import DEFAULT_BACKEND
from turing_tx.errors import ExecutionError, UsageError
from turing_tx.rnn.network import RNN

if TYPE_CHECKING:  # the prover (and sympy) is loaded when a proof is run, not when this module is
    from turing_tx.engine.proofs.obligations import ProofReport, Result

#: a counterexample is executed with a run of at least this many steps (or ticks) ...
MIN_HORIZON = 200
#: ... and at most this many by default: the exact transformer's run is quadratic in its length
DEFAULT_HORIZON_CAP = 5_000
#: the positions a network runs on an input and on its reversal to show it blind to their order
SYMMETRY_POSITIONS = 40


@dataclass(frozen=True)
class Execution:
    """A run made to confirm a failed proof: how long it was allowed (``horizon``) and ran (``steps``:
    a halting machine stops sooner), whether it agreed with the reference, the first divergent step
    (or tick: ``unit``) and its one-line description, and the step the counterexample pointed at
    (``reach``; None when its obligation cannot say)."""

    obligation: str
    horizon: int
    steps: int
    diverged: bool
    first_mismatch: int | None
    detail: str
    reach: int | None
    unit: str = "steps"
    symmetry: PermutationRun | None = None

    def sentence(self) -> str:
        """One line for the report and the terminal."""
        if self.diverged:
            text = (f"executed: run for up to {self.horizon} {self.unit}, this network diverges from the reference "
                    f"at {self.unit[:-1]} {self.first_mismatch}: {self.detail}")
        else:
            text = (f"executed: this network agrees with the reference on all {self.steps} {self.unit} of a run "
                    f"allowed {self.horizon} (the counterexample is a point this input does not reach)")
        if self.symmetry is not None:
            text += (f"; and its outputs on the input {' '.join(self.symmetry.encoder_input)} and on its reversal "
                     f"{' '.join(self.symmetry.permuted_input)} coincide while {self.symmetry.reference} differ: "
                     "it cannot see their order")
        return text

    def to_json(self) -> dict[str, Any]:
        return {"obligation": self.obligation, "horizon": self.horizon, "steps": self.steps, "diverged": self.diverged,
                "first_mismatch": self.first_mismatch, "detail": self.detail, "reach": self.reach,
                "unit": self.unit, "symmetry": None if self.symmetry is None else {
                    "input": list(self.symmetry.encoder_input), "reversal": list(self.symmetry.permuted_input),
                    "outputs_coincide": self.symmetry.outputs_coincide,
                    "reference_differs": self.symmetry.reference_differs}}


def horizon(result: Result, cap: int) -> tuple[int, int | None]:
    """How long a run must be to reach ``result``'s counterexample: twice its ``reach`` plus a margin,
    at least MIN_HORIZON, at most ``cap``; and the reach itself."""
    counterexample = result.outcome.counterexample or {}
    reach = result.obligation.reach(counterexample) if result.obligation.reach is not None else None
    wanted = MIN_HORIZON if reach is None else max(MIN_HORIZON, 2 * reach + 16)
    return min(cap, wanted), reach


def prove_machine(compiled: CompiledMachine, network: Model | RNN | None = None) -> ProofReport:
    """Discharge the construction's obligations for ``network`` (None: the compiled one)."""
    from turing_tx.engine.proofs.obligations import discharge

    return discharge(compiled.obligations(network))


def execute(compiled: CompiledMachine, report: ProofReport, network: Model | RNN | None = None,
            cap: int = DEFAULT_HORIZON_CAP) -> Execution | None:
    """Run ``network`` (None: the compiled one) on the machine's input long enough to reach the first
    failing obligation's counterexample, in lockstep with the simulator; None for a proved report."""
    failure = report.first_failure
    if failure is None:
        return None
    steps, reach = horizon(failure, cap)
    verification = verify(compiled, steps, model=network)
    ran = verification.steps if verification.verified else verification.first_mismatch or 0
    execution = Execution(failure.obligation.name, steps, ran, not verification.verified,
                          verification.first_mismatch, verification.detail or "", reach)
    if not isinstance(network, Model):
        return execution
    return dataclasses.replace(execution, symmetry=_order_blind(compiled, network))


def _order_blind(compiled: CompiledMachine, network: Model) -> PermutationRun | None:
    """The symmetry a failed proof may stand for: the network's outputs on the input and on its
    reversal coincide (for SYMMETRY_POSITIONS positions) while the computation it simulates tells them apart
    — a network without positional information. None when that is not so, or when the construction
    cannot run a permuted input."""
    try:
        permuted = compiled.run_permuted(network, SYMMETRY_POSITIONS, DEFAULT_BACKEND)
    except (UsageError, ExecutionError):
        return None
    return permuted if permuted.outputs_coincide and permuted.reference_differs else None


def prove_rnn(construction: RNNConstruction, rnn: RNN, model: Model | None = None) -> ProofReport:
    """Discharge the obligations that ``model`` (None: the construction's transformer of ``rnn``)
    simulates ``rnn`` at every tick, for every input word."""
    from turing_tx.engine.proofs.obligations import discharge

    return discharge(construction.rnn_obligations(model or construction.compile_rnn(rnn), rnn))


def execute_rnn(construction_name: str, rnn: RNN, word: Sequence[str], report: ProofReport,
                model: Model | None = None, cap: int = DEFAULT_HORIZON_CAP) -> Execution | None:
    """Run ``model`` on ``word`` against ``rnn`` long enough to reach the first failing obligation's
    counterexample; None for a proved report."""
    failure = report.first_failure
    if failure is None:
        return None
    ticks, reach = horizon(failure, cap)
    try:
        run = run_rnn(rnn, word, construction_name, ticks, model=model)
    except ExecutionError as exc:
        return Execution(failure.obligation.name, ticks, 1, True, 1, str(exc), reach, "ticks")
    return Execution(failure.obligation.name, ticks, run.mismatch_tick or run.ticks, not run.verified,
                     run.mismatch_tick, run.mismatch, reach, "ticks")
