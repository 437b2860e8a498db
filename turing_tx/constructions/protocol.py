"""What every construction provides: the protocol every consumer (runs, ablation, pictures, the CLI)
uses, so none of them knows a paper.

A construction is a compiler from a Turing machine (and its input word) to a :class:`CompiledMachine`:
an executable object (a transformer :class:`~turing_tx.engine.model.Model`, or an RNN) that can be run
and whose outputs decode back to the machine's steps. Every compiled machine yields the same
:class:`~turing_tx.machines.simulator.Step` events as the reference simulator, so verification is one
lockstep comparison for all of them (:mod:`turing_tx.constructions.lockstep`). Constructions are found
by name through :mod:`turing_tx.constructions.registry`.

What only some constructions have (network ticks, a bound on the outputs without a component, runs
on a permuted input, an attention window requirement, recorded attention) is a method of
:class:`CompiledMachine` whose default says the construction does not support it (or claims nothing),
so consumers ask the compiled machine instead of reaching into a paper's internals.
"""

from __future__ import annotations

import abc
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from importlib.resources import files
from typing import TYPE_CHECKING, Any, Protocol

import yaml

from turing_tx.engine.interpreter import DecoderStep
from turing_tx.engine.model import Model
from turing_tx.engine.numbers import DEFAULT_BACKEND
from turing_tx.errors import UsageError
from turing_tx.machines.machine import TuringMachine
from turing_tx.machines.simulator import Step
from turing_tx.rnn.network import RNN, State

if TYPE_CHECKING:  # the prover (and sympy) is loaded only when obligations are asked for
    from turing_tx.engine.proofs.obligations import Obligation


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


@dataclass(frozen=True)
class OutputBound:
    """A construction's claim that a model without some component emits at most ``limit`` distinct
    decoder outputs however long it runs (so it cannot follow an unbounded computation);
    ``formula`` is the bound as the construction states it, with its numbers filled in."""

    limit: int
    formula: str


@dataclass(frozen=True)
class PermutationRun:
    """A model run on a machine's encoder input and on its reversal (``permuted_input``).

    ``outputs_coincide``: the model's raw decoder outputs are identical on both inputs, i.e. it cannot
    see their order; ``reference_differs``: the computation the construction simulates (``reference``,
    named as a report prints it) does tell the two inputs apart, so the model is wrong on one of them.
    """

    encoder_input: tuple[str, ...]
    permuted_input: tuple[str, ...]
    outputs_coincide: bool
    reference_differs: bool
    reference: str


@dataclass(frozen=True)
class WindowRequirement:
    """How far back a construction's tape-reading attention must see at each decoder position p of a
    run; a sliding window of w keys shows positions p+1−w..p.

    At p the head needs the last position ℓ that wrote the cell read there, or the first (BOS)
    position 0, the default for a cell never written: ``per_position[p]`` = p+1−ℓ (ℓ = 0 for a fresh
    cell) and ``written_only[p]`` the same when BOS stays visible anyway (1 for a fresh cell).
    ``threshold`` and ``written_threshold`` are their maxima, the smallest windows predicted to work
    without and with BOS as a global key; the largest ``per_position`` is first reached at
    ``at_position``, reading ``cell``, last written at ``last_write`` (None: never, so BOS).
    """

    per_position: tuple[int, ...]
    written_only: tuple[int, ...]
    threshold: int
    written_threshold: int
    at_position: int
    cell: int
    last_write: int | None

    def to_json(self) -> dict[str, Any]:
        return {"per_position": list(self.per_position), "written_only": list(self.written_only),
                "threshold": self.threshold, "written_threshold": self.written_threshold,
                "at_position": self.at_position, "cell": self.cell, "last_write": self.last_write}


@dataclass(frozen=True)
class AttentionRun:
    """Decoder steps of a transformer run with attention recorded (``DecoderStep.attention``), with
    what reading them needs: the model (its heads, in layer order) and the number of encoder
    positions (the keys of decoder–encoder attention)."""

    model: Model
    steps: tuple[DecoderStep, ...]
    encoder_length: int


class CompiledMachine(abc.ABC):
    """A machine compiled by one construction, ready to run on its input word."""

    construction: str
    machine: TuringMachine
    word: tuple[int, ...]

    #: largest numerator/denominator bit length seen by the last traced run (exact backends)
    max_bits: int | None = None

    @property
    @abc.abstractmethod
    def network(self) -> Model | RNN:
        """The compiled network: a transformer :class:`~turing_tx.engine.model.Model` or an RNN."""

    @property
    def dimension(self) -> int:
        """The residual width (transformers) or the number of hidden units (RNNs)."""
        network = self.network
        return network.width if isinstance(network, Model) else network.size

    def ticks_for(self, steps: int) -> int | None:
        """Network ticks needed for ``steps`` machine steps (RNN-based constructions), else None."""
        del steps
        return None

    def configuration_of_tick(self, tick: int) -> int:
        """The machine configuration (0 = initial) network tick ``tick`` belongs to: the inverse of
        :meth:`ticks_for`, so that workloads stated in ticks can be run as machine steps and a
        failure at a tick is dated to a configuration. Constructions that do not run in ticks raise
        :class:`~turing_tx.errors.UsageError`."""
        del tick
        raise UsageError(f"{self.construction} does not run in network ticks")

    @abc.abstractmethod
    def describe(self) -> dict[str, Any]:
        """Sizes and counts worth reporting (width, paper's formula, layers, heads, hidden units)."""

    def observe(self, model: Model | None, backend: str, steps: int) -> Observation:
        """Run ``model`` (None: the compiled one) for ``steps`` machine steps, collecting what it
        decodes and emits (see :class:`Observation`); what ablation studies compare."""
        raise UsageError(f"{self.construction} does not support ablation runs")

    def output_bound(self, component: str) -> OutputBound | None:
        """The construction's bound on the distinct decoder outputs of a model without ``component``
        (see :class:`OutputBound`), which ablation studies check on a long run; None when the
        construction claims no such bound for that component."""
        del component
        return None

    def run_permuted(self, model: Model | None, positions: int, backend: str) -> PermutationRun:
        """Run ``model`` (None: the compiled one) for ``positions`` decoder positions on this machine's
        encoder input and on its reversal, and compare (see :class:`PermutationRun`): the evidence
        for a claim that a component (positional information) is what lets the model see order.
        Constructions that cannot run a permuted input raise :class:`~turing_tx.errors.UsageError`."""
        del model, positions, backend
        raise UsageError(f"{self.construction} does not support runs on a permuted input")

    def window_requirement(self, reference: Sequence[Step]) -> WindowRequirement:
        """How far back the construction's tape-reading attention must see at each decoder position
        (see :class:`WindowRequirement`), computed from ``reference``, the simulator's steps of this
        machine on its word: what predicts the smallest attention window that still works.
        Constructions without such a head raise :class:`~turing_tx.errors.UsageError`."""
        del reference
        raise UsageError(f"{self.construction} does not support attention window requirements")

    def attention_run(self, max_steps: int) -> AttentionRun:
        """The compiled transformer run with attention recorded for decoder positions 0..``max_steps``
        (fewer if the construction's run stops earlier, e.g. at the halt), for pictures of what each
        head attended to. Constructions without attention (RNNs) raise
        :class:`~turing_tx.errors.UsageError`."""
        del max_steps
        raise UsageError(f"construction {self.construction!r} is not a transformer: it has no attention")

    def obligations(self, network: Model | RNN | None = None) -> list[Obligation]:
        """The proof obligations that together show that ``network`` (None: the compiled one; else an
        edited, ablated or user-supplied network of the same kind) simulates this machine **at every
        step, for every input word**: the lemmas of each part, read from the network's own weights,
        and the induction that composes them (see :mod:`turing_tx.engine.proofs`). Discharged by
        ``turing-tx prove``; a network they do not hold for fails one with a counterexample.
        Constructions that state none raise :class:`~turing_tx.errors.UsageError`."""
        del network
        raise UsageError(f"{self.construction} states no proof obligations")

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

    def rnn_obligations(self, model: Model, rnn: RNN) -> list[Obligation]:
        """The proof obligations that ``model`` simulates ``rnn`` at every tick, for every input word."""
        ...
