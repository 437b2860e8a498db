"""Running a machine through a construction, bounded, with progress, verified in lockstep.

This is the service behind ``turing-tx run`` and ``turing-tx verify``: it compiles the machine (or
takes a compiled model from a file), streams the decoded steps through the lockstep check against the
reference simulator, stops at a step limit or a time limit, and summarises the run in the source
machine's own terms (halting state as written, tape in its symbols, source steps).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from turing_tx.constructions.lockstep import Verification, lockstep
from turing_tx.constructions.protocol import CompiledMachine
from turing_tx.constructions.registry import get_construction
from turing_tx.engine.model import Model
from turing_tx.engine.numbers import DEFAULT_BACKEND, get_backend
from turing_tx.errors import DecodingError, ExecutionError
from turing_tx.machines.machine import TuringMachine
from turing_tx.machines.simulator import RunRecord, Step, check_step_limit, simulate
from turing_tx.rnn.network import RNN

REFERENCE = "reference"


@dataclass
class RunReport:
    """A finished (or stopped) run: the final configuration and how it was checked."""

    construction: str
    record: RunRecord
    verification: Verification
    steps: list[Step] = field(default_factory=list)
    stop_reason: str = "halted"
    compiled: CompiledMachine | None = None

    def summary(self) -> dict[str, Any]:
        out: dict[str, Any] = dict(self.record.summary())
        out["verified"] = self.verification.verified
        if self.verification.verified is False:
            out["mismatch"] = self.verification.detail
        out["construction"] = self.construction
        if self.compiled is not None:
            description = self.compiled.describe()
            out["dimension"] = self.compiled.dimension
            out["max_bits"] = self.compiled.max_bits
            out["sizes"] = description
            ticks = self.compiled.ticks_for(self.record.steps)
            if ticks is not None:
                out["ticks"] = ticks
        else:
            out["dimension"] = None
            out["max_bits"] = None
        out["stop_reason"] = self.stop_reason
        out["machine"] = self.record.machine.name
        return out


def _bounded(steps: Iterator[Step], time_limit: float | None, report: RunReport) -> Iterator[Step]:
    """Stop ``steps`` once ``time_limit`` seconds have passed (recorded as the stop reason)."""
    deadline = None if time_limit is None else time.monotonic() + time_limit
    for step in steps:
        yield step
        if deadline is not None and time.monotonic() > deadline and not step.halted:
            report.stop_reason = "time limit"
            return


def _replacement_steps(steps: Iterator[Step]) -> Iterator[Step]:
    """The steps decoded from a replacement network, where failing to run is a divergence.

    ``run_machine`` has checked its arguments (step limit, backend, construction) before the first
    step is asked for, so an error raised while the replacement runs is the network's own: a token it
    has no embedding for or an input symbol outside an RNN's alphabet (a network of a machine with
    another alphabet), or an operation its parts cannot do in the chosen arithmetic. Such a network
    does not simulate the machine, so the lockstep check reports the step it failed to produce.
    """
    try:
        yield from steps
    except ExecutionError as exc:
        raise DecodingError(f"the network cannot run on this input: {exc}") from exc


def _progress_bar(shown: bool, total: int | None, label: str) -> Any:
    """A tqdm bar over the steps when ``shown`` (tqdm is imported only then: it costs start-up time)."""
    if not shown:
        return _NoBar()
    from tqdm import tqdm

    return tqdm(total=total, unit="step", leave=False, desc=label)


class _NoBar:
    """The do-nothing stand-in for a progress bar nobody sees."""

    def __enter__(self) -> _NoBar:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def update(self, n: int) -> None:
        del n


def run_machine(machine: TuringMachine, word: tuple[int, ...], construction: str = "perez", *,
                max_steps: int | None = None, time_limit: float | None = None,
                backend: str = DEFAULT_BACKEND, keep_steps: bool = False, progress: bool = False,
                model: Model | RNN | None = None) -> RunReport:
    """Run ``machine`` on ``word`` through ``construction`` (or the plain ``reference`` simulator,
    which checks nothing and reports ``verified`` None); ``model`` replaces the compiled network
    (one that cannot run on this input diverges at the step it fails to produce)."""
    check_step_limit(max_steps)
    verification = Verification()
    compiled = None
    if construction == REFERENCE:
        verification.verified = None  # the simulator compared with itself checks nothing
        checked: Iterator[Step] = simulate(machine, word, max_steps)
    else:
        compiled = get_construction(construction).compile(machine, word)
        decoded = compiled.trace(max_steps, backend=backend, model=model, track_bits=get_backend(backend).exact)
        if model is not None:
            decoded = _replacement_steps(decoded)
        checked = lockstep(machine, word, decoded, max_steps, verification)
    report = RunReport(construction, RunRecord.start(machine, word), verification, compiled=compiled)
    with _progress_bar(progress, max_steps, construction) as bar:
        for step in _bounded(checked, time_limit, report):
            report.record.apply(step)
            if keep_steps:
                report.steps.append(step)
            bar.update(1)
    if verification.verified is False:
        report.stop_reason = "mismatch"
    elif report.stop_reason != "time limit":
        report.stop_reason = "halted" if report.record.halted else "step limit"
    return report
