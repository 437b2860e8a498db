"""The Bhattamishra et al. transformers proved to simulate their RNN at every tick for every input word,
from the compiled weights — and edited models refuted, each with a counterexample, where runs break.

The far-out flaw here is a cross-attention key off by 1/50: every run of a machine compiled on a short
input verifies (the flaw needs an input word of more than 24 symbols), the prover refutes the
selection lemma at a tick about 33, and an RNN run on a 41-symbol word then diverges at tick 25.
"""

from __future__ import annotations

import dataclasses
import random
from fractions import Fraction

import pytest

from turing_tx.constructions.bhattamishra import (
    BHATTAMISHRA_MASK,
    BHATTAMISHRA_PE,
    compile_theorem1,
    compile_theorem2,
    run_rnn_transformer,
)
from turing_tx.constructions.bhattamishra_proof import rnn_transformer_obligations
from turing_tx.constructions.lockstep import verify
from turing_tx.engine.linear import LinearMap
from turing_tx.engine.model import Attention, Model
from turing_tx.engine.proofs.obligations import ProofReport, discharge
from turing_tx.errors import UsageError
from turing_tx.machines.formats.bbchallenge import parse_machine
from turing_tx.rnn import rnn_json, sampling
from turing_tx.rnn.network import RNN

CONSTRUCTIONS = [BHATTAMISHRA_PE, BHATTAMISHRA_MASK]
COUNTS = {1: 11, 2: 15}
SELECTION = "dec0.cross_attn.head0, t ≤ m: a later position loses"


def failures(report: ProofReport) -> dict[str, dict]:
    return {r.obligation.name: r.outcome.counterexample for r in report.failed}


def edited_map(lmap: LinearMap, source: str, target: str, weight: Fraction) -> LinearMap:
    entries = {k: dict(v) for k, v in lmap.entries.items()}
    entries.setdefault(source, {})[target] = weight
    return LinearMap.build(entries)


def with_cross(model: Model, *, residual: bool = True, key: LinearMap | None = None) -> Model:
    """``model`` with the decoder–encoder attention's residual removed or its head's key replaced."""
    layer = model.decoder[0]
    cross: Attention = layer.cross_attn
    head = cross.heads[0] if key is None else dataclasses.replace(cross.heads[0], key=key)
    cross = dataclasses.replace(cross, heads=(head,), residual=dataclasses.replace(cross.residual, enabled=residual))
    return dataclasses.replace(model, decoder=(dataclasses.replace(layer, cross_attn=cross),))


def off_by_a_fiftieth(model: Model) -> Model:
    """The cross-attention key's 1/i weight 51/50 instead of 1: position t + 1 wins from t ≈ 25 on."""
    return with_cross(model, key=edited_map(model.decoder[0].cross_attn.heads[0].key, "pos:1/i", "b",
                                            Fraction(51, 50)))


def random_rnn(seed: int) -> RNN:
    """The seeded random RNN number ``seed`` (:func:`turing_tx.rnn.sampling.random_rnn`)."""
    return sampling.random_rnn(random.Random(seed), f"random-{seed}")


# -- proved ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("construction", CONSTRUCTIONS, ids=lambda c: c.name)
@pytest.mark.parametrize("code", ["1RB1LB_1LA1RZ", "1RB1RZ_1LB0RC_1LC1LA"])
def test_compiled_machines_are_proved_for_every_tick_and_word(construction, code):
    compiled = construction.compile(parse_machine(code))
    report = discharge(compiled.obligations())
    assert report.proved, [r.to_json() for r in report.failed]
    assert report.summary() == f"proved: {COUNTS[construction.theorem]} obligations, 0 failed"
    groups = {r.obligation.group for r in report.results}
    assert {"enc0", "dec0.cross_attn", "induction", "dec0.ffn"} <= groups
    assert {r.outcome.method for r in report.results} >= {"rational sign", "case split", "enumeration"}


@pytest.mark.parametrize("construction", CONSTRUCTIONS, ids=lambda c: c.name)
@pytest.mark.parametrize("name", ["counter", "parity"])
def test_library_rnns_are_proved(construction, name):
    rnn = rnn_json.load(f"machines/rnn/{name}.json")
    report = discharge(rnn_transformer_obligations(construction.compile_rnn(rnn), rnn))
    assert report.proved, [r.to_json() for r in report.failed]


@pytest.mark.parametrize("seed", range(10))
def test_random_rational_rnns_are_proved(seed):
    rnn = random_rnn(seed)
    for construction in CONSTRUCTIONS:
        report = discharge(rnn_transformer_obligations(construction.compile_rnn(rnn), rnn))
        assert report.proved, (construction.name, [r.to_json() for r in report.failed])


@pytest.mark.parametrize("model", [
    lambda rnn: compile_theorem1(rnn, form="paper"),
    lambda rnn: compile_theorem1(rnn, cross_score="dot"),
    lambda rnn: compile_theorem1(rnn, encoder_self="self-select", decoder_self="self-select", encoder_ffn="identity"),
    lambda rnn: compile_theorem2(rnn, form="paper"),
    lambda rnn: compile_theorem2(rnn, encoder_ffn="identity"),
], ids=["pe-paper", "pe-dot", "pe-self-selecting", "mask-paper", "mask-identity-encoder-ffn"])
def test_the_alternative_forms_are_proved(model):
    rnn = random_rnn(3)
    report = discharge(rnn_transformer_obligations(model(rnn), rnn))
    assert report.proved, [r.to_json() for r in report.failed]


# -- refuted --------------------------------------------------------------------------------------

@pytest.mark.parametrize("construction", CONSTRUCTIONS, ids=lambda c: c.name)
def test_without_the_cross_attention_residual_h_is_lost(construction):
    compiled = construction.compile(parse_machine("1RB1LB_1LA1RZ"))
    ablated = with_cross(compiled.model, residual=False)
    report = discharge(compiled.obligations(ablated))
    refuted = failures(report)
    assert set(refuted) == {"base case: o_1 = h_1 for every first symbol",
                            "step: the attention sublayers turn o_{t-1} into u_t"}
    assert all(r.outcome.status == "refuted" for r in report.failed)
    step = refuted["step: the attention sublayers turn o_{t-1} into u_t"]
    assert step["coordinate"].startswith("h:") and step["network"] == "0"
    assert not verify(compiled, 3, model=ablated).verified


def test_a_key_that_picks_a_later_position_is_refuted_at_the_first_ticks():
    compiled = BHATTAMISHRA_PE.compile(parse_machine("1RB1LB_1LA1RZ"), (1, 1, 1))
    head = compiled.model.decoder[0].cross_attn.heads[0]
    doubled = with_cross(compiled.model, key=edited_map(head.key, "pos:1/i", "b", Fraction(2)))
    report = discharge(compiled.obligations(doubled))
    assert list(failures(report)) == [SELECTION]
    assert failures(report)[SELECTION] == {"j": 1, "d": 1}  # at t = 1, position 2 beats position 1
    run = verify(compiled, 5, model=doubled)
    assert not run.verified and run.first_mismatch == 1


def test_a_tie_off_by_a_fiftieth_is_refuted_far_out_where_long_inputs_break():
    compiled = BHATTAMISHRA_PE.compile(parse_machine("1RB1RZ_1LB0RC_1LC1LA"))
    skewed = off_by_a_fiftieth(compiled.model)
    assert verify(compiled, 30, model=skewed).verified  # testing: the machine's short input never shows it
    report = discharge(compiled.obligations(skewed))
    assert list(failures(report)) == [SELECTION]
    [result] = report.failed
    assert result.outcome.status == "refuted" and result.outcome.counterexample["j"] >= 25
    assert result.obligation.reach(result.outcome.counterexample) == compiled.configuration_of_tick(33)

    counter = rnn_json.load("machines/rnn/counter.json")
    model = off_by_a_fiftieth(BHATTAMISHRA_PE.compile_rnn(counter))
    [result] = discharge(rnn_transformer_obligations(model, counter)).failed
    tick = result.obligation.reach(result.outcome.counterexample)
    assert tick >= 25  # in ticks: the run must read a word that long, that far
    word = list("ab" * 20) + ["$"]
    reference = list(counter.run(word, 41))
    decoded = list(run_rnn_transformer(model, counter, word, 41, check=False))
    assert decoded[:24] == reference[:24]  # a run of 24 ticks agrees
    first = next(t for t, (a, b) in enumerate(zip(decoded, reference, strict=True), start=1) if a != b)
    assert 25 <= first <= tick


def test_an_ffn_weight_off_the_rnn_is_refuted_with_the_hidden_state_that_shows_it():
    counter = rnn_json.load("machines/rnn/counter.json")
    model = BHATTAMISHRA_PE.compile_rnn(counter)
    layer = model.decoder[0]
    ffn = dataclasses.replace(layer.ffn, w1=edited_map(layer.ffn.w1, "h:count", "p:count", Fraction(1, 2)))
    edited = dataclasses.replace(model, decoder=(dataclasses.replace(layer, ffn=ffn),))
    report = discharge(rnn_transformer_obligations(edited, counter))
    refuted = failures(report)
    reads = refuted["every unit writing h:j has a fixed sign or reads ζ_j = (W_h h + W_x x + b)_j"]
    assert reads["coordinate"] == "p:count" and reads["stated"] == "h[count] - 1/64" and "h[count]" in reads
    assert "on every piece of ζ_j the units writing h:j sum to σ(ζ_j)" in refuted
    word = list("aab$")
    assert list(run_rnn_transformer(edited, counter, word, 3, check=False)) != list(counter.run(word, 3))


def test_an_averaging_head_that_looks_at_the_start_is_refuted():
    counter = rnn_json.load("machines/rnn/counter.json")
    model = BHATTAMISHRA_MASK.compile_rnn(counter)
    layer = model.encoder[0]
    head = layer.self_attn.heads[0]
    peeking = dataclasses.replace(head, query=LinearMap.build({"one": {"q": 1}}),
                                  key=LinearMap.build({"start": {"q": 1}}))
    edited = dataclasses.replace(model, encoder=(dataclasses.replace(
        layer, self_attn=dataclasses.replace(layer.self_attn, heads=(peeking,))),))
    refuted = failures(discharge(rnn_transformer_obligations(edited, counter)))
    assert "enc0.self_attn: every visible key scores the same" in refuted


def test_a_model_is_refuted_against_an_rnn_it_does_not_compute():
    counter = rnn_json.load("machines/rnn/counter.json")
    other = dataclasses.replace(counter, bias={"more_a": Fraction(-31)})
    refuted = failures(discharge(rnn_transformer_obligations(BHATTAMISHRA_PE.compile_rnn(counter), other)))
    assert "base case: o_1 = h_1 for every first symbol" in refuted
    assert "on every piece of ζ_j the units writing h:j sum to σ(ζ_j)" in refuted


def test_only_a_transformer_has_these_obligations():
    compiled = BHATTAMISHRA_MASK.compile(parse_machine("1RB1LB_1LA1RZ"))
    with pytest.raises(UsageError):
        compiled.obligations(compiled.rnn)
    with pytest.raises(UsageError):
        rnn_transformer_obligations(dataclasses.replace(compiled.model, metadata={}), compiled.rnn)
