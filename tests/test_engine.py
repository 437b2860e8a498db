"""Engine pieces on their own: number backends, patterns, positional encodings, folding, the interpreter."""

from __future__ import annotations

from dataclasses import replace
from fractions import Fraction as F

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from machine_strategies import machines, words

from turing_tx.engine.interpreter import Interpreter
from turing_tx.engine.linear import LinearMap
from turing_tx.engine.model import Head, Layer, Model, attention, feed_forward, inert_ffn
from turing_tx.engine.numbers import available_exact_backends, get_backend
from turing_tx.engine.patterns import ALL, CAUSAL, Pattern
from turing_tx.engine.positional import PositionalEncoding
from turing_tx.errors import DecodingError, ExecutionError, ModelError, UsageError
from turing_tx.machines.folding import fold, fold_cell, unfold_cell
from turing_tx.machines.machine import Entry, TuringMachine
from turing_tx.machines.simulator import Tape, simulate


@pytest.mark.parametrize("name", list(available_exact_backends()))
def test_exact_backends_round_trip_and_count_bits(name):
    backend = get_backend(name)
    value = F(-(2**70) - 1, 3**40)
    assert backend.exact and backend.to_fraction(backend.convert(value)) == value
    assert backend.bits(backend.convert(value)) == max((2**70 + 1).bit_length(), (3**40).bit_length())


def test_exact_backends_refuse_floats_and_bad_names():
    with pytest.raises(TypeError):
        get_backend("gmpy2").convert(0.5)  # type: ignore[arg-type]
    with pytest.raises(UsageError, match="unknown number backend"):
        get_backend("float16")
    with pytest.raises(UsageError, match="mpmath"):
        get_backend("mpmath:x")


def test_mpmath_backend_rounds_to_its_precision_and_keeps_signs():
    backend = get_backend("mpmath:10")
    third = backend.to_fraction(backend.convert(F(-1, 3)))
    assert third < 0 and third != F(-1, 3) and abs(third + F(1, 3)) < F(1, 2**10)


@pytest.mark.parametrize(("pattern", "expected"), [
    (ALL, list(range(10))),
    (CAUSAL, list(range(8))),
    (Pattern.make("window", w=3), [5, 6, 7]),
    (Pattern.make("strided", w=2, stride=3), [1, 4, 6, 7]),
])
def test_attention_patterns(pattern, expected):
    visible = pattern.visible(7, 10)
    positions = list(range(10))[visible] if isinstance(visible, slice) else list(visible)
    assert positions == expected


def test_bigbird_pattern_is_seeded_and_contains_window_and_globals():
    pattern = Pattern.make("bigbird", w=2, globals=1, random=2, seed=7)
    first = list(pattern.visible(20, 21))
    assert first == list(pattern.visible(20, 21))
    assert {0, 19, 20} <= set(first) and len(first) <= 5


def test_positional_encoding_features():
    encoding = PositionalEncoding("p", {"a": "1", "b": "i", "c": "1/i", "d": "1/i^2"})
    assert encoding.vector(2) == {"a": 1, "b": 3, "c": F(1, 3), "d": F(1, 9)}
    with pytest.raises(ModelError):
        PositionalEncoding("p", {"a": "i^3"})


def test_fold_is_a_bijection_on_cells():
    cells = list(range(-50, 51))
    assert sorted(fold_cell(c) for c in cells) == list(range(101))
    assert all(unfold_cell(fold_cell(c)) == c for c in cells)


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_folded_machine_simulates_the_original_step_for_step(data):
    machine = data.draw(machines(max_states=4, max_symbols=3))
    word = data.draw(words(machine))
    folded = fold(machine)
    tape = dict(enumerate(folded.initial_tape(word)[:-1]))
    state, head = folded.start, 0
    for step in simulate(machine, word, 60):
        symbol = tape.get(head, "0")
        assert folded.split_symbol(symbol)[0] == step.read and unfold_cell(head) == step.head
        transition = folded.delta[(state, symbol)]
        tape[head], head, state = transition.write, head + transition.move, transition.next_state
        assert head >= 0 and unfold_cell(head) == step.head_after
        assert folded.halt_of(state) == step.halt and folded.split_state(state)[0] == step.next_state


def test_folded_halting_states_are_named_by_their_halt_names_unless_taken():
    """One halting state per halt name; a name a live state (``A+``) already has gets ``halt:``
    prefixes until it is unique (here twice, since ``halt:A+`` is itself a halt name)."""
    machine = TuringMachine(("0", "1"), ("A",), ("A+", "halt:A+", "no"),
                            ((Entry(1, "R", halt="A+"), Entry(0, "L", halt="halt:A+")),))
    folded = fold(machine)
    assert folded.states == ("A+", "A-", "halt:halt:A+", "halt:A+", "no")
    assert folded.live_states == ("A+", "A-")
    assert [folded.halt_of(q) for q in folded.states] == [None, None, "A+", "halt:A+", "no"]
    assert folded.delta[("A+", "0")].next_state == "halt:halt:A+"
    assert folded.delta[("A-", "1*")].next_state == "halt:A+"
    assert folded.split_state("halt:halt:A+") == (None, "") and folded.split_state("A-") == (0, "-")
    with pytest.raises(DecodingError, match="'B\\+' is not a state of the folded machine"):
        folded.split_state("B+")
    with pytest.raises(DecodingError, match="'x' is not a symbol of the folded machine"):
        folded.split_symbol("x")


def _toy_model(residual: bool = True, scale: F = F(1)) -> Model:
    """One decoder layer: an averaging head over the prefix and an FFN clipping with σ."""
    head = Head("dec0.self_attn.head0", LinearMap.zero(), LinearMap.zero(), LinearMap.build({"x": {"avg": 1}}),
                "dot", CAUSAL)
    ffn = feed_forward("dec0.ffn", ["clip"], LinearMap.build({"avg": {"clip": 2}}), {}, LinearMap.build(
        {"clip": {"out": 1}}), activation="sigma")
    enc = Layer("enc0", attention("enc0.self_attn", "self", []), inert_ffn("enc0.ffn"))
    sub = attention("dec0.self_attn", "self", [head], residual)
    sub = replace(sub, residual=replace(sub.residual, scale=scale))
    dec = Layer("dec0", sub, ffn)
    return Model("toy", ("x", "avg", "out", "t"), {"a": {"t": 1}}, (enc,), (dec,), {"x": 1}, None)


def test_interpreter_semantics_on_a_toy_model():
    outputs = [step.vector() for step in Interpreter(_toy_model()).run(["a"], 3)]
    # p=0: x=1, avg=1, out=σ(2)=1;  p=1: x=1 (carried), avg=(1+1)/2 + 1 (residual) = 2 ...
    assert outputs[0] == {"x": 1, "avg": 1, "out": 1}
    assert outputs[1] == {"x": 1, "avg": 2, "out": 2}


def test_removed_and_scaled_residuals():
    without = [step.vector() for step in Interpreter(_toy_model(residual=False)).run(["a"], 2)]
    assert without[0] == {"avg": 1, "out": 1}
    assert without[1] == {"avg": F(1, 2), "out": 1}  # x was not carried: the prefix average halves
    scaled = [step.vector() for step in Interpreter(_toy_model(scale=F(1, 2))).run(["a"], 1)]
    assert scaled[0] == {"x": F(1, 2), "avg": 1, "out": 1}


def test_bad_tokens_and_models_are_reported():
    with pytest.raises(ExecutionError, match="no embedding"):
        next(Interpreter(_toy_model()).run(["b"]))
    with pytest.raises(ExecutionError, match="empty"):
        next(Interpreter(_toy_model()).run([]))
    with pytest.raises(ModelError, match="unknown coordinate 'nope'"):
        replace(_toy_model(), decoder_seed={"nope": F(1)})


def test_tape_span_and_blank_cells():
    tape = Tape.from_word((1, 0, 2))
    assert tape.span() == (0, [1, 0, 2]) and tape.nonblank == 2
    tape.write(0, 0)
    assert tape.span() == (2, [2])
    assert np.array_equal(np.array(Tape().span()[1]), np.array([]))


def test_final_implicit_no_rule_step_is_not_reported():
    """YAML: the filled-in no-rule entry is internal; steps and head are the source's."""
    from turing_tx.machines.formats.loader import load_text
    from turing_tx.machines.simulator import RunRecord

    loaded = load_text("blank: ' '\nstart state: a\ntable:\n  a:\n    1: R\n", "yaml", "x.yaml", "11")[0]
    summary = RunRecord.start(loaded.machine, loaded.word).consume(simulate(loaded.machine, loaded.word)).summary()
    assert (summary["steps"], summary["internal_steps"], summary["head"], summary["state"]) == (2, 3, 2, "no-rule")
