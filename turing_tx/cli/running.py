"""A machine run as ``run`` and ``verify`` start it, and how it compares with a library machine's result.

Both commands run MACHINE (or the machine stored in a model JSON given as MACHINE) through a
construction in lockstep with the reference simulator (:func:`run_from_args`). A library machine
carries the result it must reach on its input, computed to its halt or, for a machine that does not
halt, after a stated number of steps, which is then the run's default step limit; :class:`Expectation`
says whether the run reached it.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path

from turing_tx.cli.args import check_model_construction, forbid, resolve_machine
from turing_tx.constructions.runs import RunReport, run_machine
from turing_tx.engine import model_json
from turing_tx.engine.model import Model
from turing_tx.errors import UsageError
from turing_tx.machines import machine_json
from turing_tx.machines.formats.loader import LoadedMachine
from turing_tx.rnn.network import RNN

DEFAULT_MAX_STEPS = 10_000
DEFAULT_CONSTRUCTION = "perez"
#: the construction whose network is an RNN (written as an RNN JSON, and the default decoder of one)
RNN_CONSTRUCTION = "siegelmann-sontag"


@dataclass(frozen=True)
class Expectation:
    """A library machine's stored result on its input and whether a run reached it.

    ``matched`` is None when the two cannot be compared: the result is a non-halting machine's
    configuration after ``max_steps`` steps and the run had another step limit.
    """

    name: str
    result: dict[str, object]
    max_steps: int | None
    matched: bool | None
    differences: tuple[str, ...] = ()

    def verdict(self, run_limit: int) -> str:
        """``yes``, ``no (…what differs…)`` or why the run was not compared."""
        if self.matched is None:
            return (f"not compared (the library's result is after {self.max_steps} steps; "
                    f"this run's limit is {run_limit})")
        return "yes" if self.matched else f"no ({'; '.join(self.differences)})"


@dataclass(frozen=True)
class MachineRun:
    """A finished run, with the loaded machine it ran (None for a model JSON's) and its step limit."""

    report: RunReport
    loaded: LoadedMachine | None
    max_steps: int

    def expectation(self) -> Expectation | None:
        """How the run compares with the library's result, for a library machine on its own input."""
        if self.loaded is None or self.loaded.expected is None:
            return None
        expected, limit = self.loaded.expected, self.loaded.max_steps
        if limit is not None and limit != self.max_steps:
            return Expectation(self.loaded.name, expected, limit, None)
        summary = self.report.record.summary()
        differences = tuple(f"{key} {summary.get(key)} (expected {value})" for key, value in expected.items()
                            if summary.get(key) != value)
        return Expectation(self.loaded.name, expected, limit, not differences, differences)


def is_model_file(spec: str) -> bool:
    """True when ``spec`` names a model JSON (told by its ``format`` field near the start)."""
    path = Path(spec)
    return path.suffix == ".json" and path.is_file() and f'"{model_json.FORMAT}"' in path.read_text(
        encoding="utf-8", errors="replace")[:200]


def run_from_args(args: argparse.Namespace, keep_steps: bool, model: Model | RNN | None = None,
                  construction: str | None = None) -> MachineRun:
    """Run MACHINE through ``construction`` (``args.construction`` or the default) with ``model`` (if
    any) in place of the compiled network; a model JSON given as MACHINE runs against the machine in
    its metadata, as the construction it was built by."""
    construction = construction or args.construction
    loaded: LoadedMachine | None = None
    if model is None and is_model_file(args.machine):
        forbid({"--format": args.format is not None, "--line": args.line is not None},
               f"to a model JSON ({args.machine})")
        model = model_json.load(args.machine)
        check_model_construction(model.construction, args.machine)
        if construction not in (None, model.construction):
            raise UsageError(f"{args.machine} is a {model.construction} model; it cannot run as {construction}")
        machine = machine_json.machine_from_json(model.metadata.get("machine"), args.machine)
        construction = model.construction
        word = () if args.input_word is None else machine.parse_word(args.input_word)
    else:
        loaded, word = resolve_machine(args)
        machine = loaded.machine
    max_steps = args.max_steps
    if max_steps is None:
        max_steps = loaded.max_steps if loaded is not None and loaded.max_steps is not None else DEFAULT_MAX_STEPS
    report = run_machine(machine, word, construction or DEFAULT_CONSTRUCTION, max_steps=max_steps,
                         time_limit=args.time_limit, backend=args.backend, keep_steps=keep_steps,
                         progress=not args.quiet and sys.stderr.isatty(), model=model)
    return MachineRun(report, loaded, max_steps)
