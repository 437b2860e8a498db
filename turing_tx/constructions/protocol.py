"""What every construction provides: the protocol every consumer (runs, ablation, pictures, the CLI)
uses, so none of them knows a paper.

A construction is a compiler from a Turing machine (and its input word) to a :class:`CompiledMachine`:
an executable object (a transformer :class:`~turing_tx.engine.model.Model`, or an RNN) that can be run
and whose outputs decode back to the machine's steps. Every compiled machine yields the same
:class:`~turing_tx.machines.simulator.Step` events as the reference simulator, so verification is one
lockstep comparison for all of them (:mod:`turing_tx.constructions.lockstep`). Constructions are found
by name through :mod:`turing_tx.constructions.registry`.
"""

from __future__ import annotations

import abc
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from importlib.resources import files
from typing import Any, Protocol

import yaml

from turing_tx.engine.interpreter import DecoderStep
from turing_tx.engine.model import Model
from turing_tx.engine.numbers import DEFAULT_BACKEND
from turing_tx.errors import UsageError
from turing_tx.machines.machine import TuringMachine
from turing_tx.machines.simulator import Step
from turing_tx.rnn.network import RNN, State


@dataclass
class Observation:
    """A run of a (possibly ablated) model that does not stop at the first wrong step.

    ``steps``: the machine steps decoded until the first decoding failure (``error``, at configuration
    ``error_configuration``); ``outputs``: the decoder outputs (exact values) of every position run, so
    ablation studies can count how many distinct outputs a model can emit; ``first_divergence_tick``:
    for RNN-based constructions, the first tick whose hidden state differs from the RNN's.
    """

    steps: list[Step]
    error: str | None = None
    error_configuration: int | None = None
    distinct_outputs: int = 0
    positions: int = 0
    first_divergence_tick: int | None = None
    outputs: list[tuple[Any, ...]] = field(default_factory=list, repr=False)

    def record_outputs(self, outputs: list[tuple[Any, ...]]) -> None:
        self.outputs = outputs
        self.distinct_outputs, self.positions = len(set(outputs)), len(outputs)


class CompiledMachine(abc.ABC):
    """A machine compiled by one construction, ready to run on its input word."""

    construction: str
    machine: TuringMachine
    word: tuple[int, ...]

    #: largest numerator/denominator bit length seen by the last traced run (exact backends)
    max_bits: int | None = None

    @property
    @abc.abstractmethod
    def dimension(self) -> int:
        """The residual width (transformers) or the number of hidden units (RNNs)."""

    def ticks_for(self, steps: int) -> int | None:
        """Network ticks needed for ``steps`` machine steps (RNN-based constructions), else None."""
        del steps
        return None

    @abc.abstractmethod
    def describe(self) -> dict[str, Any]:
        """Sizes and counts worth reporting (width, paper's formula, layers, heads, hidden units)."""

    def observe(self, model: Model | None, backend: str, steps: int) -> Observation:
        """Run ``model`` (None: the compiled one) for ``steps`` machine steps, collecting what it
        decodes and emits (see :class:`Observation`); what ablation studies compare."""
        raise UsageError(f"{self.construction} does not support ablation runs")

    @abc.abstractmethod
    def trace(self, max_steps: int | None = None, *, backend: str = DEFAULT_BACKEND,
              model: Model | RNN | None = None, track_bits: bool = False) -> Iterator[Step]:
        """The machine's steps decoded from the compiled object, in the original machine's terms.

        ``model`` replaces the compiled network (an ablated copy, a model read from a file, the
        model of another machine) for this run; it is read with this construction's decoder, which
        fills every field of a step from the network's values alone. Decoding failures raise
        :class:`~turing_tx.errors.DecodingError`.
        """


class Construction(Protocol):
    """A published construction: its CLI name, the paper, the compiler, and the paper's claims about
    the construction's components (data: ``claims/<name>.yaml`` beside the construction's module)."""

    name: str
    paper: str

    def compile(self, machine: TuringMachine, word: tuple[int, ...] = ()) -> CompiledMachine: ...

    def claims(self) -> Mapping[str, Any]: ...


class ShippedClaims:
    """Mixin for construction objects: ``claims()`` reads ``claims/<name>.yaml`` from the package that
    defines the construction (see turing_tx.ablation.claims for the table's columns)."""

    name: str

    def claims(self) -> dict[str, Any]:
        package = type(self).__module__.rpartition(".")[0] or type(self).__module__
        text = files(package).joinpath("claims", f"{self.name}.yaml").read_text(encoding="utf-8")
        return yaml.safe_load(text)


class RNNConstruction(Protocol):
    """A construction that also compiles a user's own RNN (Bhattamishra et al.): decoder step t = tick t."""

    name: str

    def compile_rnn(self, rnn: RNN, **options: Any) -> Model: ...

    def rnn_tokens(self, rnn_word: Sequence[str]) -> list[str]: ...

    def decode_hidden(self, step: DecoderStep) -> State: ...
