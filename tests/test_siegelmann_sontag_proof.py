"""The Siegelmann–Sontag RNN proved from its weights for every step and every stack content — and
refuted for edited networks, including one that only deep stacks expose.

The threshold edited here (thR:1 off by 1/1000) reads a blank under the head as a 1 only when the
stack below it is within 1/1000 of its supremum: five or more 1s below the blank. BB(2) on the blank
tape never builds such a stack, so its whole run verifies; the prover refutes the threshold lemma at
the limit of deep rests, and the run on a word with that stack diverges at the first step.
"""

from __future__ import annotations

import dataclasses
from fractions import Fraction

import pytest

from turing_tx.constructions.lockstep import verify
from turing_tx.constructions.siegelmann_sontag import SIEGELMANN_SONTAG, SSCompiledMachine
from turing_tx.engine.proofs.obligations import discharge
from turing_tx.errors import UsageError
from turing_tx.machines.formats.bbchallenge import parse_machine
from turing_tx.machines.resolve import load
from turing_tx.rnn.network import RNN

BB2 = "1RB1LB_1LA1RZ"
THRESHOLDS = "the thresholds thS:j read [top of S ≥ j]"
CONTROL = "the next control unit is δ's next state or halt name"


def compiled(code: str, word: tuple[int, ...] = ()) -> SSCompiledMachine:
    return SIEGELMANN_SONTAG.compile(parse_machine(code), word)


def with_weight(rnn: RNN, unit: str, source: str, weight: Fraction) -> RNN:
    """``rnn`` with the weight from ``source`` into ``unit`` set to ``weight``."""
    return dataclasses.replace(rnn, w_h={**rnn.w_h, unit: {**rnn.w_h.get(unit, {}), source: weight}})


def with_bias(rnn: RNN, unit: str, shift: Fraction) -> RNN:
    return dataclasses.replace(rnn, bias={**rnn.bias, unit: rnn.bias.get(unit, Fraction(0)) + shift})


@pytest.mark.parametrize("code", [BB2, "1RB1RZ_1LB0RC_1LC1LA", "1RB2LB1RZ_2LA2RB1LB"])
def test_the_compiled_rnn_is_proved_for_every_step_and_stack(code):
    report = discharge(compiled(code).obligations())
    assert report.proved, [r.to_json() for r in report.failed]
    assert report.summary() == "proved: 11 obligations, 0 failed"
    assert {r.outcome.method for r in report.results} == {"vertices", "enumeration", "σ per unit", "composition"}
    assert report.results[-1].obligation.group == "induction"


def test_a_recognizer_with_an_input_word_and_two_halt_names_is_proved():
    [loaded] = load("anbn")
    machine = SIEGELMANN_SONTAG.compile(loaded.machine, loaded.word)
    assert len(loaded.machine.halts) == 2 and loaded.word
    report = discharge(machine.obligations())
    assert report.proved, [r.to_json() for r in report.failed]
    base = next(r for r in report.results if r.obligation.group == "base case")
    assert base.obligation.name.endswith(f"tick {len(loaded.word) + 2}")


def test_a_threshold_that_fails_only_for_deep_stacks_is_refuted():
    machine = compiled(BB2)
    skewed = with_bias(machine.rnn, "thR:1", Fraction(1, 1000))
    assert verify(machine, 6, model=skewed).verified  # the whole BB(2) run looks right
    report = discharge(machine.obligations(skewed))
    assert report.summary() == "not proved: 11 obligations, 2 failed"
    first = report.first_failure
    assert first.obligation.name == THRESHOLDS and first.outcome.status == "refuted"
    counterexample = first.outcome.counterexample
    assert counterexample["unit"] == "thR:1" and counterexample["case"] == "A, R top 0, L empty"
    assert counterexample["r"] == 1 and counterexample["R"] == "1/2" and "deep" in counterexample
    deep = compiled(BB2, (0, 1, 1, 1, 1, 1, 1))  # a blank over six 1s: within 1/1000 of the supremum
    run = verify(deep, 20, model=with_bias(deep.rnn, "thR:1", Fraction(1, 1000)))
    assert verify(deep, 20).verified and not run.verified and run.first_mismatch == 1


def test_an_edited_transition_is_refuted_and_its_run_diverges():
    machine = compiled(BB2)
    rerouted = with_weight(machine.rnn, "s:B", "C2:A:0", Fraction(0))  # δ(A, 0) no longer reaches B
    report = discharge(machine.obligations(rerouted))
    failed = [r.obligation.name for r in report.failed]
    assert failed == [CONTROL, "the invariant holds at every step"]
    counterexample = report.first_failure.outcome.counterexample
    assert counterexample["unit"] == "s:B" and counterexample["case"].startswith("A, R empty")
    run = verify(machine, 6, model=rerouted)
    assert not run.verified and run.first_mismatch == 1


def test_a_halt_chain_that_forgets_its_verdict_is_refuted():
    [loaded] = load("anbn-reject")
    machine = SIEGELMANN_SONTAG.compile(loaded.machine, loaded.word)
    halt = loaded.machine.halts[1]
    forgetful = with_weight(machine.rnn, f"s:{halt}", f"H2:{halt}", Fraction(0))
    report = discharge(machine.obligations(forgetful))
    assert report.first_failure.obligation.name == CONTROL
    assert report.first_failure.outcome.counterexample["case"].startswith(f"{halt}, ")


def test_a_loader_edit_fails_the_base_case():
    machine = compiled(BB2, (1, 1))
    late = with_weight(machine.rnn, "ld:F", "ld:S", Fraction(0))  # the start signal never stops
    report = discharge(machine.obligations(late))
    assert report.first_failure.obligation.group == "base case"
    assert report.first_failure.outcome.counterexample["case"].startswith("tick 4:")


def test_a_transformer_model_has_no_rnn_obligations():
    from turing_tx.constructions.perez import PEREZ

    model = PEREZ.compile(parse_machine(BB2)).model
    with pytest.raises(UsageError, match="RNN"):
        compiled(BB2).obligations(model)


def test_obligations_are_reported_with_their_statements():
    row = discharge(compiled(BB2).obligations()).to_json()["obligations"][2]
    assert row["group"] == "tick 1: G0 → G1" and row["status"] == "proved"
    assert row["statement"]["latex"] and "r ∈ ℝ, 0 ≤ r and r ≤ 1" in row["variables"]
    assert row["certificate"]["cases"] == 3 * 3 * 3
