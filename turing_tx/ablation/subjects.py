"""One interface to run any construction's (ablated) model and read back what it decoded.

A :class:`Subject` is a machine compiled by one construction on one input word. ``observe`` runs a
model (the compiled one, an ablated copy or a rebuild) with a number backend and returns an
:class:`~turing_tx.constructions.protocol.Observation`: the decoded steps up to the first decoding error, which
configuration failed to decode, and how many distinct decoder outputs the run produced. How decoder
positions map to machine steps is each construction's business (``CompiledMachine.observe``); this
module knows no paper.
"""

from __future__ import annotations

from collections.abc import Mapping

from turing_tx.ablation.transforms import AblationError
from turing_tx.constructions.protocol import CompiledMachine, Observation
from turing_tx.constructions.registry import get_construction
from turing_tx.engine.model import Model
from turing_tx.machines.machine import TuringMachine


class Subject:
    """A machine compiled by one construction, runnable with any model of that construction."""

    def __init__(self, construction: str, machine: TuringMachine, word: tuple[int, ...] = ()) -> None:
        self.construction, self.machine, self.word = construction, machine, tuple(word)
        self.compiled: CompiledMachine = get_construction(construction).compile(machine, self.word)

    @property
    def model(self) -> Model | None:
        """The compiled transformer (None for an RNN construction)."""
        network = self.compiled.network
        return network if isinstance(network, Model) else None

    def observe(self, model: Model | None, backend: str, steps: int) -> Observation:
        """Run ``model`` (None: the compiled one) for ``steps`` machine steps with ``backend``."""
        return self.compiled.observe(model, backend, steps)

    def rebuild(self, options: Mapping[str, str]) -> Model:
        """The model compiled with alternative-form ``options`` (constructions that have them)."""
        try:
            rebuilt = get_construction(self.construction).compile(self.machine, self.word, **options)
        except TypeError:
            raise AblationError(f"{self.construction} has no alternative forms to rebuild with") from None
        model = getattr(rebuilt, "model", None)
        if model is None:
            raise AblationError(f"{self.construction} compiles to an RNN: nothing to rebuild")
        return model


def make_subject(construction: str, machine: TuringMachine, word: tuple[int, ...] = ()) -> Subject:
    """The subject for ``construction`` on ``machine`` and ``word``."""
    return Subject(construction, machine, word)
