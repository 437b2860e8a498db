"""The last-write lemmas of the Pérez construction, proved from a compiled model's weights for every
position and cell — and refuted for models that only short runs accept.

The perturbed model here is right for the first few hundred steps of a run and wrong after: a run of
400 steps verifies, the prover refutes the lemmas with a counterexample at a head cell of about 500
(or a cell written about 1000 positions back), and a run of 1000 steps then diverges at step 507.
That is the difference between testing a construction and proving it.
"""

from __future__ import annotations

import dataclasses
import random
from collections.abc import Callable
from fractions import Fraction

import pytest

from turing_tx.constructions.lockstep import verify
from turing_tx.constructions.perez import PEREZ
from turing_tx.constructions.perez_proof import INPUT, last_write_obligations
from turing_tx.constructions.perez_proof import LAST_WRITE as HEAD
from turing_tx.engine.linear import LinearMap
from turing_tx.engine.model import Head, Model
from turing_tx.engine.proofs.obligations import discharge
from turing_tx.machines.formats.bbchallenge import parse_machine
from turing_tx.machines.resolve import load

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


# -- the whole induction ----------------------------------------------------------------------------------

def with_any_head(model: Model, name: str, edit: Callable[[Head], Head]) -> Model:
    """``model`` with the head called ``name`` (self- or cross-attention) replaced by ``edit(head)``."""
    def sublayer(part):
        if part is None:
            return None
        return dataclasses.replace(part, heads=tuple(edit(h) if h.name == name else h for h in part.heads))
    return dataclasses.replace(model, decoder=tuple(
        dataclasses.replace(layer, self_attn=sublayer(layer.self_attn), cross_attn=sublayer(layer.cross_attn))
        for layer in model.decoder))


@pytest.mark.parametrize("name", ["bb3", "anbn", "anbn-reject", "copy"])
def test_the_whole_induction_is_proved_for_machines_with_input_words_and_verdicts(name):
    loaded = load(name, None, None)[0]
    report = discharge(PEREZ.compile(loaded.machine, loaded.word).obligations())
    assert report.proved, [r.to_json() for r in report.failed]
    groups = [r.obligation.group for r in report.results]
    assert groups[-1] == "induction" and {"encoder", "dec0 (transition)", "dec1 (head position)",
                                          "dec2.cross_attn (input cell)", "dec2.ffn (symbol read)"} <= set(groups)


def test_a_transition_weight_of_one_case_is_refuted_at_that_case():
    compiled = PEREZ.compile(parse_machine("1RB1RZ_1LB0RC_1LC1LA"))
    ffn = compiled.model.decoder[0].ffn
    entries = {unit: dict(row) for unit, row in ffn.w2.entries.items()}
    entries["d:B+,0"]["mv:next"] = Fraction(2)  # B+ reading 0 moves left (−2) in the compiled table
    edited = dataclasses.replace(compiled.model, decoder=(dataclasses.replace(
        compiled.model.decoder[0], ffn=dataclasses.replace(ffn, w2=LinearMap.build(entries))),
        *compiled.model.decoder[1:]))
    report = discharge(compiled.obligations(edited))
    first = report.first_failure
    assert first.obligation.name == "layer 1 computes the transition for every state and symbol"
    assert first.outcome.status == "refuted"
    assert first.outcome.counterexample["case"] == "state B+, symbol 0"
    assert first.outcome.counterexample["coordinate"] == "mv:next"
    assert not verify(compiled, 21, model=edited).verified


def test_an_input_head_that_fails_only_on_long_inputs_is_refuted_where_long_inputs_break():
    """The input head's key weight pos:i → k2 off by 1/1000: every input up to 200 symbols is read
    right, the prover refutes the selection lemma at a head cell about 512 (original cell ~256), and
    an input of 300 symbols is then misread at step 251."""
    scanner = parse_machine("0RZ1RA_0RZ0RZ")  # walks right over 1s and halts on the first blank

    def skew(compiled):
        return with_any_head(compiled.model, INPUT, lambda h: dataclasses.replace(
            h, key=edited_map(h.key, "pos:i", "k2", Fraction(-1001, 1000))))

    short = PEREZ.compile(scanner, (1,) * 200)
    assert verify(short, 400, model=skew(short)).verified  # testing: inputs of 200 look right
    report = discharge(short.obligations(skew(short)))
    first = report.first_failure
    assert first.obligation.name == "min(C, N−1) beats every cell left of it"
    assert first.outcome.status == "refuted" and first.outcome.counterexample["f"] >= 256
    long = PEREZ.compile(scanner, (1,) * 300)
    run = verify(long, 400, model=skew(long))
    assert not run.verified and run.first_mismatch == 251 and "read" in run.detail


def _weights(model: Model) -> list[tuple[str, str, str, str]]:
    """Every weight of the decoder's heads and FFNs: (part, map, source, target)."""
    found = []
    for layer in model.decoder:
        for sub in (layer.self_attn, layer.cross_attn):
            for head in sub.heads:
                for field in ("query", "key", "value"):
                    for source, row in getattr(head, field).entries.items():
                        found += [(head.name, field, source, target) for target in row]
        for field in ("w1", "w2"):
            for source, row in getattr(layer.ffn, field).entries.items():
                found += [(layer.ffn.name, field, source, target) for target in row]
    return found


def _mutated(model: Model, where: tuple[str, str, str, str], weight: Fraction) -> Model:
    part, field, source, target = where

    def edit(lmap: LinearMap) -> LinearMap:
        return edited_map(lmap, source, target, weight)

    layers = []
    for layer in model.decoder:
        if layer.ffn.name == part:
            layer = dataclasses.replace(layer, ffn=dataclasses.replace(layer.ffn, **{field: edit(getattr(
                layer.ffn, field))}))
        layers.append(layer)
    mutated = dataclasses.replace(model, decoder=tuple(layers))
    return with_any_head(mutated, part, lambda h: dataclasses.replace(h, **{field: edit(getattr(h, field))}))


def test_whenever_a_single_weight_mutation_still_proves_a_long_run_agrees():
    """60 seeded single-weight mutations of a non-halter's model (with an input word): each one that
    the prover accepts runs 200 steps in agreement with the simulator; most are refuted (screened:
    the discharge stops at the first obligation that fails)."""
    compiled = PEREZ.compile(parse_machine(NON_HALTER), (1, 0, 1))
    rng = random.Random(2026)
    weights = _weights(compiled.model)
    proved = refuted = 0
    for _ in range(60):
        where = rng.choice(weights)
        mutated = _mutated(compiled.model, where, Fraction(rng.choice([-2, -1, 0, 1, 2, 3])) / rng.choice([1, 2, 3]))
        if discharge(compiled.obligations(mutated), stop_at_failure=True).proved:
            proved += 1
            assert verify(compiled, 200, model=mutated).verified, where
        else:
            refuted += 1
    assert proved + refuted == 60 and refuted >= 30
