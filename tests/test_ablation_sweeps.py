"""Precision, temperature and window sweeps, and the window threshold derived from the reference run."""

from __future__ import annotations

from fractions import Fraction

import pytest

from turing_tx.ablation.runner import Runner
from turing_tx.ablation.sweeps import (
    minimal_precision,
    parse_precisions,
    parse_windows,
    precision_sweep,
    smallest_working,
    temperature_sweep,
    window_sweep,
)
from turing_tx.ablation.transforms import AblationError
from turing_tx.constructions.registry import get_construction
from turing_tx.errors import UsageError
from turing_tx.machines.formats.bbchallenge import parse_machine
from turing_tx.machines.simulator import simulate

BB3 = parse_machine("1RB1RZ_1LB0RC_1LC1LA")


@pytest.fixture(scope="module")
def perez() -> Runner:
    return Runner("perez", BB3)


def test_window_threshold_equals_the_distance_to_the_last_write(perez: Runner) -> None:
    reference, _ = perez.reference(perez.subject)
    requirement = perez.subject.compiled.window_requirement(reference)
    assert len(requirement.per_position) == 21
    rows = window_sweep(perez, "dec2.self_attn", range(1, 20))
    with_bos = smallest_working([r for r in rows if r.protocol == "window+bos"])
    assert with_bos == requirement.written_threshold == 8
    below = next(r for r in rows if r.ablation.endswith("w=7)"))
    assert below.breaks and below.first_divergence_step == requirement.written_only.index(8)
    plain = smallest_working([r for r in rows if r.protocol == "window"])
    assert plain is not None and with_bos <= plain <= requirement.threshold


def test_constructions_without_a_window_requirement_say_so() -> None:
    compiled = get_construction("bhattamishra-pe").compile(BB3)
    with pytest.raises(UsageError, match="does not support attention window requirements"):
        compiled.window_requirement(list(simulate(BB3)))


def test_precision_sweep_perez_and_rnn() -> None:
    for construction in ("perez", "siegelmann-sontag", "bhattamishra-pe"):
        rows = precision_sweep(Runner(construction, BB3), ["float64", "mpmath:3"])
        assert not rows[0].breaks, construction
        assert rows[0].ablation == "precision=float64"
    rnn = precision_sweep(Runner("siegelmann-sontag", BB3), parse_precisions("mpmath:3-9"))
    assert rnn[0].breaks and not rnn[-1].breaks
    table = minimal_precision(rnn)
    assert table[-1]["steps"] == 21 and table[-1]["minimal_bits"] == 9


def test_minimal_precision_requires_every_finer_precision(perez: Runner) -> None:
    rows = precision_sweep(perez, ["mpmath:3", "mpmath:4"])
    rows[1].first_divergence_step = 5  # a finer float that fails: 3 bits must not count
    table = {t["steps"]: t["minimal_bits"] for t in minimal_precision(rows)}
    assert table[4] == 3 and table[16] is None


def test_softmax_temperature_sweep(perez: Runner) -> None:
    rows = temperature_sweep(perez, [Fraction(1), Fraction(1, 10**6)])
    assert rows[0].breaks and rows[0].first_divergence_step < rows[1].first_divergence_step
    assert rows[1].ablation == "softmax(tau=1/1000000)+precision=float64"


def test_sweep_arguments() -> None:
    assert parse_precisions("float32,mpmath:8-12/2") == ["float32", "mpmath:8", "mpmath:10", "mpmath:12"]
    assert parse_windows("1-3,8") == [1, 2, 3, 8]
    with pytest.raises(AblationError):
        parse_windows("0-2")
    with pytest.raises(AblationError):
        parse_precisions("mpmath:9-3")
