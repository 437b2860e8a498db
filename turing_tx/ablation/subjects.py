"""One interface to run any construction's (ablated) model and read back what it decoded.

A :class:`Subject` is a machine compiled by one construction on one input word. ``observe`` runs a
model (the compiled one, an ablated copy or a rebuild) with a number backend and returns the
decoded steps up to the first decoding error, which configuration failed to decode, and how many
distinct decoder outputs the run produced. Constructions differ in how decoder positions map to
machine steps (Pérez: position p is configuration p; Bhattamishra et al.: tick n+2+3s holds
configuration s of the Siegelmann–Sontag RNN), which is all this module hides.
"""

from __future__ import annotations

import abc
import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from turing_tx.ablation.transforms import AblationError
from turing_tx.construction import get_construction
from turing_tx.errors import DecodingError
from turing_tx.interpreter import Interpreter
from turing_tx.machine import TuringMachine
from turing_tx.model import Model
from turing_tx.simulator import Step


@dataclass
class Observation:
    """A run of one model: decoded steps, the first decoding failure, distinct outputs."""

    steps: list[Step]
    error: str | None = None
    error_configuration: int | None = None
    distinct_outputs: int = 0
    positions: int = 0
    first_divergence_tick: int | None = None
    outputs: list[tuple[Fraction, ...]] = field(default_factory=list, repr=False)


def _key(vector: Sequence[Any], backend: Any) -> tuple[Fraction, ...]:
    return tuple(backend.to_fraction(v) for v in vector)


class Subject(abc.ABC):
    """A machine compiled by one construction, runnable with any model of that construction."""

    construction: str
    machine: TuringMachine
    word: tuple[int, ...]
    compiled: Any

    @property
    def model(self) -> Model | None:
        """The compiled transformer (None for an RNN construction)."""
        return getattr(self.compiled, "model", None)

    @abc.abstractmethod
    def observe(self, model: Model | None, backend: str, steps: int) -> Observation:
        """Run ``model`` (None: the compiled one) for ``steps`` machine steps with ``backend``."""

    def rebuild(self, options: Mapping[str, str]) -> Model:
        """The model compiled with alternative-form ``options`` (constructions that have them)."""
        raise AblationError(f"{self.construction} has no alternative forms to rebuild with")

    def raw_outputs(self, model: Model, tokens: Sequence[str], positions: int, backend: str) -> list[tuple]:
        """The decoder outputs of ``model`` on ``tokens`` (exact values), without decoding."""
        interpreter = Interpreter(model, backend)
        return [_key(step.output, interpreter.backend) for step in interpreter.run(tokens, positions)]


class PerezSubject(Subject):
    """Pérez et al.: decoder position p holds configuration p."""

    def __init__(self, machine: TuringMachine, word: tuple[int, ...]) -> None:
        self.construction, self.machine, self.word = "perez", machine, word
        self.compiled = get_construction("perez").compile(machine, word)

    def observe(self, model: Model | None, backend: str, steps: int) -> Observation:
        from constructions.perez import to_step

        model = model or self.compiled.model
        decoded: list[Step] = []
        error = error_at = None
        previous = None
        configurations = 0
        try:
            for config, _ in self.compiled.configurations(steps, backend=backend, model=model):
                if previous is not None:
                    decoded.append(to_step(self.compiled.folded, previous, config))
                previous = config
                configurations += 1
        except DecodingError as exc:
            error, error_at = str(exc), configurations
        outputs = self.raw_outputs(model, self.compiled.tokens, steps + 1, backend)
        return Observation(decoded, error, error_at, len(set(outputs)), len(outputs), outputs=outputs)


class BhattamishraSubject(Subject):
    """Bhattamishra et al.: a transformer running the Siegelmann–Sontag RNN, 3 ticks per step."""

    def __init__(self, construction: str, machine: TuringMachine, word: tuple[int, ...]) -> None:
        self.construction, self.machine, self.word = construction, machine, word
        self.compiled = get_construction(construction).compile(machine, word)

    def rebuild(self, options: Mapping[str, str]) -> Model:
        return get_construction(self.construction).compile(self.machine, self.word, **options).model

    def tick_of(self, steps: int) -> int:
        return self.compiled.ss.ticks_for(steps)

    def step_of_tick(self, tick: int) -> int:
        """The configuration a failure at ``tick`` belongs to (configuration s completes at n+2+3s)."""
        return max(0, math.ceil((tick - self.compiled.ss.first_step_tick) / 3))

    def observe(self, model: Model | None, backend: str, steps: int) -> Observation:
        from constructions.bhattamishra import decode_hidden

        model = model or self.compiled.model
        ticks = self.tick_of(steps)
        interpreter = Interpreter(model, backend)
        reference = self.compiled.rnn.run(self.compiled.rnn_word, ticks)
        outputs: list[tuple] = []
        observation = Observation([])

        def hidden() -> Iterator[dict[str, Fraction]]:
            for tick, (step, expected) in enumerate(zip(interpreter.run(self.compiled.tokens, ticks), reference,
                                                        strict=False), start=1):
                outputs.append(_key(step.output, interpreter.backend))
                h = decode_hidden(step, check=False)
                if observation.first_divergence_tick is None and h != expected:
                    observation.first_divergence_tick = tick
                yield h

        states = hidden()
        try:
            for step in self.compiled.ss.steps_from_states(states, steps):
                observation.steps.append(step)
        except DecodingError as exc:
            observation.error = str(exc)
            observation.error_configuration = self.step_of_tick(len(outputs))
        for _ in states:  # finish the run: divergence tick and distinct outputs cover all ticks
            pass
        observation.outputs = outputs
        observation.distinct_outputs, observation.positions = len(set(outputs)), len(outputs)
        return observation


class SiegelmannSontagSubject(Subject):
    """The Siegelmann–Sontag RNN: no transformer components, precision ablations only."""

    def __init__(self, machine: TuringMachine, word: tuple[int, ...]) -> None:
        self.construction, self.machine, self.word = "siegelmann-sontag", machine, word
        self.compiled = get_construction(self.construction).compile(machine, word)

    def observe(self, model: Model | None, backend: str, steps: int) -> Observation:
        if model is not None:
            raise AblationError("siegelmann-sontag is an RNN: only precision ablations apply")
        ticks = self.compiled.ticks_for(steps)
        states = list(self.compiled.states(ticks, backend=backend))
        observation = Observation([], positions=len(states))
        consumed = 0

        def counted() -> Iterator[Mapping[str, Fraction]]:
            nonlocal consumed
            for h in states:
                consumed += 1
                yield h

        try:
            observation.steps.extend(self.compiled.steps_from_states(counted(), steps))
        except DecodingError as exc:
            observation.error = str(exc)
            observation.error_configuration = max(0, math.ceil((consumed - self.compiled.first_step_tick) / 3))
        keys = [tuple(h[u] for u in self.compiled.rnn.units) for h in states]
        observation.distinct_outputs = len(set(keys))
        return observation


def make_subject(construction: str, machine: TuringMachine, word: tuple[int, ...] = ()) -> Subject:
    """The subject for ``construction`` (one of perez, bhattamishra-pe/-mask, siegelmann-sontag)."""
    if construction == "perez":
        return PerezSubject(machine, word)
    if construction.startswith("bhattamishra"):
        return BhattamishraSubject(construction, machine, word)
    if construction == "siegelmann-sontag":
        return SiegelmannSontagSubject(machine, word)
    raise AblationError(f"no ablation support for construction {construction!r}")
