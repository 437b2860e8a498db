"""The last-write lemmas of the Pérez construction, proved from a compiled model's weights for every
position and cell — and refuted for models that only short runs accept.

The perturbed model here is right for the first few hundred steps of a run and wrong after: a run of
400 steps verifies, the prover refutes the lemmas with a counterexample at a head cell of about 500
(or a cell written about 1000 positions back), and a run of 1000 steps then diverges at step 507.
That is the difference between testing a construction and proving it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from fractions import Fraction

import pytest

from turing_tx.constructions.lockstep import verify
from turing_tx.constructions.perez import PEREZ
from turing_tx.constructions.perez_proof import LAST_WRITE as HEAD
from turing_tx.constructions.perez_proof import last_write_obligations
from turing_tx.engine.linear import LinearMap
from turing_tx.engine.model import Head, Model
from turing_tx.engine.proofs.obligations import discharge
from turing_tx.machines.formats.bbchallenge import parse_machine

NON_HALTER = "1RB1LB_0LA1RA"  # its head walks left for ever: far cells, long runs


def with_head(model: Model, edit: Callable[[Head], Head]) -> Model:
    """``model`` with the last-write head replaced by ``edit(head)``."""
    def layer(layer):
        heads = tuple(edit(h) if h.name == HEAD else h for h in layer.self_attn.heads)
        return dataclasses.replace(layer, self_attn=dataclasses.replace(layer.self_attn, heads=heads))
    return dataclasses.replace(model, decoder=tuple(layer(item) for item in model.decoder))


def edited_map(lmap: LinearMap, source: str, target: str, weight: Fraction) -> LinearMap:
    entries = {k: dict(v) for k, v in lmap.entries.items()}
    entries.setdefault(source, {})[target] = weight
    return LinearMap.build(entries)


@pytest.mark.parametrize("code", ["1RB1LB_1LA1RZ", "1RB1RZ_1LB0RC_1LC1LA", "1RB2LB1RZ_2LA2RB1LB"])
def test_the_compiled_head_is_proved_for_every_position_and_cell(code):
    report = discharge(last_write_obligations(PEREZ.compile(parse_machine(code)).model))
    assert report.proved, [r.to_json() for r in report.failed]
    assert report.summary() == "proved: 9 obligations, 0 failed"
    assert {r.outcome.method for r in report.results} == {"enumeration", "rational sign"}


def test_a_tie_break_that_fails_only_far_out_is_refuted_where_long_runs_break():
    compiled = PEREZ.compile(parse_machine(NON_HALTER))
    skewed = with_head(compiled.model, lambda h: dataclasses.replace(
        h, query=edited_map(h.query, "c:r", "k1", Fraction(1001, 1000))))
    assert verify(compiled, 400, model=skewed).verified  # testing: 400 steps look right
    report = discharge(last_write_obligations(skewed))
    refuted = {r.obligation.name: r.outcome.counterexample for r in report.failed}
    assert report.summary() == "not proved: 9 obligations, 3 failed"
    assert all(r.outcome.status == "refuted" for r in report.failed)
    far = refuted["the seed beats a write right of the head"]
    assert far["c"] >= 256  # a head cell hundreds of cells out
    long = refuted["a write to the head's cell beats the seed"]
    assert long["d"] >= 256  # a write read back hundreds of positions later
    run = verify(compiled, 1000, model=skewed)  # the counterexample's region, executed
    assert not run.verified and run.first_mismatch == 507 and "read" in run.detail


def test_a_key_that_reads_another_coordinate_is_refuted_first():
    compiled = PEREZ.compile(parse_machine("1RB1LB_1LA1RZ"))
    nosy = with_head(compiled.model, lambda h: dataclasses.replace(
        h, key=edited_map(h.key, "state:A+", "k2", Fraction(1))))
    report = discharge(last_write_obligations(nosy))
    first = report.first_failure
    assert first.obligation.name == f"{HEAD}: what it reads, its mask and normaliser"
    assert first.outcome.counterexample["case"] == f"{HEAD} reads state:A+"


def test_without_the_tie_break_the_latest_write_no_longer_wins():
    compiled = PEREZ.compile(parse_machine("1RB1RZ_1LB0RC_1LC1LA"))
    untied = with_head(compiled.model, lambda h: dataclasses.replace(
        h, query=edited_map(h.query, "pos:1/i^2", "k3", Fraction(0))))
    report = discharge(last_write_obligations(untied))
    names = [r.obligation.name for r in report.failed]
    assert "the latest write to the head's cell beats an earlier one" in names
    assert not verify(compiled, 21, model=untied).verified


def test_obligations_are_reported_with_their_statements():
    report = discharge(last_write_obligations(PEREZ.compile(parse_machine("1RB1LB_1LA1RZ")).model))
    row = report.to_json()["obligations"][3]
    assert row["group"].startswith("dec2.self_attn") and row["status"] == "proved"
    assert row["statement"]["latex"] and "j ∈ ℤ, 1 ≤ j" in row["variables"]
    assert row["certificate"]["numerator certificate"]["coefficients"]
