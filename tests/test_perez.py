"""The Pérez construction against independent facts: Busy Beaver results, the reference simulator,
the worked example (docs/constructions/perez.md, "Worked example: BB(2), exactly") and the width
formula ("The residual stream")."""

from __future__ import annotations

from dataclasses import replace
from fractions import Fraction as F

import pytest
from conftest import COLLECTION, MACHINES
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from machine_strategies import machines, words

from turing_tx.constructions.lockstep import verify
from turing_tx.constructions.perez import PEREZ, compile_model
from turing_tx.constructions.runs import run_machine
from turing_tx.engine import model_json
from turing_tx.engine.interpreter import Interpreter
from turing_tx.machines import library
from turing_tx.machines.formats.bbchallenge import load_file, parse_machine
from turing_tx.machines.formats.loader import LoadedMachine
from turing_tx.machines.machine import Entry, TuringMachine
from turing_tx.machines.simulator import Tape, simulate

BB2, BB3 = "1RB1LB_1LA1RZ", "1RB1RZ_1LB0RC_1LC1LA"
BB4 = "1RB1LB_1LA0LC_1RZ1LD_1RD0RA"
ANBN = "0RE0RB2RF_0LC1RB2RB_0RF1RF0LD_0RA1LD2LD_0LZ1LZ2LZ_0LY1LY2LY"  # halts Z (accept) and Y (reject)


def summary(code: str, word: tuple[int, ...] = (), max_steps: int | None = None) -> dict:
    return run_machine(parse_machine(code), word, "perez", max_steps=max_steps).summary()


@pytest.mark.parametrize(("code", "steps", "nonblank", "head", "tape"), [
    (BB2, 6, 4, 0, "1111"),
    (BB3, 21, 5, 1, "11111"),
    (BB4, 107, 13, -9, "10111111111111"),
    ("1RB2LB1RZ_2LA2RB1LB", 38, 9, 2, "222222212"),  # 3 symbols
    ("1RB---_0LA1RZ", 3, 1, 1, "1"),  # the undefined entry writes 1, moves R, halts
])
def test_busy_beavers_halt_with_known_results(code, steps, nonblank, head, tape):
    result = summary(code)
    assert (result["steps"], result["halted"], result["nonblank"], result["head"], result["tape"]) == (
        steps, True, nonblank, head, tape)
    assert result["verified"] is True


def test_non_halting_machine_runs_to_the_limit_every_step_verified():
    result = summary("1RB1LB_0LA1RA", max_steps=1000)
    assert result["halted"] is False and result["verified"] is True
    assert (result["steps"], result["head"], result["nonblank"]) == (1000, -500, 250)


def test_counter_three_symbols_after_1000_steps():
    result = summary("2LB2LB1RA_0RA1LB2LB", max_steps=1000)
    assert (result["state"], result["head"], result["nonblank"], result["tape"]) == ("B", 0, 8, "12222222")


@pytest.mark.parametrize(("code", "word", "steps", "nonblank"), [
    ("0LB1RA2RA_2LZ2LZ1LB", (2, 2, 1, 2), 7, 4),
    ("0LB1RA2RA_2LZ2LZ1LB", (2, 2, 2), 8, 4),
    (BB2, (1, 0, 1), 4, 4),
])
def test_inputs_from_the_spec_table(code, word, steps, nonblank):
    result = summary(code, word)
    assert (result["steps"], result["halted"], result["nonblank"], result["verified"]) == (
        steps, True, nonblank, True)


def library_machine(name: str) -> LoadedMachine:
    return library.load_entry(library.resolve(name))


@pytest.mark.parametrize(("code", "width"), [(BB2, 27), (BB3, 29), (BB4, 31), ("1RB2LB1RZ_2LA2RB1LB", 33),
                                             ("1RB1LB_1LA0LC_1RZ1LD_1RD0RA_1RA1RB", 33), (ANBN, 42)])
def test_residual_width_matches_the_formula(code, width):
    machine = parse_machine(code)
    compiled = PEREZ.compile(machine)
    n, h, k = machine.num_states, len(machine.halts), machine.num_symbols
    assert compiled.dimension == width == 2 * n + h + 6 * k + 10
    if h == 1:
        assert width == 2 * n + 6 * k + 11  # the single-halt form of the formula
    description = compiled.describe()
    assert description["paper_width"] == 2 * n + 4 * k + 11
    folded_q, folded_s = description["folded_states"], description["folded_symbols"]
    assert folded_q == 2 * n + h and description["halts"] == h
    assert compiled.dimension == folded_q + 3 * folded_s + 10
    assert description["ffn_hidden"]["dec0.ffn"] == 4 * n * k + 2 * k + 3
    assert description["ffn_hidden"]["dec2.ffn"] == 4 * k + 12
    assert (description["encoder_layers"], description["decoder_layers"], description["heads"],
            description["active_heads"]) == (1, 3, 7, 3)


def test_worked_example_decoder_outputs():
    """BB(2), empty input, o_0..o_3 and o_6 exactly."""
    compiled = PEREZ.compile(parse_machine(BB2))
    outputs = [step.vector() for _, step in compiled.configurations()]
    assert outputs[0] == {"state:A+": 1, "sym:0*": 1}
    assert outputs[1] == {"state:B+": 1, "sym:0": 1, "wr:1*": 1, "move": 2, "c:r": 1}
    assert outputs[2] == {"state:A+": 1, "sym:1*": 1, "wr:1": 1, "move": -2}
    assert outputs[3] == {"state:B-": 1, "sym:0*": 1, "wr:1*": 1, "move": 1, "c:r": F(1, 4)}
    assert outputs[6] == {"state:Z": 1, "sym:1*": 1, "wr:1*": 1, "move": -1}
    assert len(outputs) == 7


def test_worked_example_per_layer_vectors_and_attention():
    """The three decoder layers on BB(2): after-layer vectors and hardmax picks at p = 1, 2, 3."""
    compiled = PEREZ.compile(parse_machine(BB2))
    interpreter = Interpreter(compiled.model, record_sublayers=True, record_attention=True)
    steps = list(interpreter.run(compiled.tokens, 6))
    after_layer1 = steps[2].vector(steps[2].sublayers["dec0.ffn"])
    assert after_layer1 == {"state:A+": 1, "wr:1": 1, "mv:next": -2, "move": 2,
                            "pos:1": 1, "pos:i": 3, "pos:1/i": F(1, 3), "pos:1/i^2": F(1, 9)}
    after_layer2 = steps[2].vector(steps[2].sublayers["dec1.self_attn"])
    assert after_layer2["c:w"] == F(2, 3) and "c:r" not in after_layer2
    picks = {p: (list(steps[p].attention["dec2.self_attn.head0"]), list(steps[p].attention["dec2.cross_attn.head0"]))
             for p in (0, 1, 2, 3, 5)}
    assert picks[0] == ([0], [0])
    assert picks[1] == ([0], [2])
    assert picks[2] == ([1], [0])
    assert picks[3] == ([0], [1])
    assert picks[5][0] == [4]
    assert list(steps[3].attention["dec1.self_attn.head0"]) == [0, 1, 2, 3]  # uniform average over the prefix


def test_encoder_input_is_folded_with_marks_and_pad():
    compiled = PEREZ.compile(parse_machine("0LB1RA2RA_2LZ2LZ1LB"), (2, 2, 1, 2))
    assert compiled.tokens == ["2*", "0*", "2", "0", "1", "0", "2", "0", "0"]
    assert PEREZ.compile(parse_machine(BB2)).tokens == ["0*", "0*", "0"]


def test_example_machines_in_bbchallenge_form_reproduce_their_results():
    expected = {  # the library's expected results (machines/index.yaml)
        "bb2.txt": (6, 4, 0), "bb3.txt": (21, 5, 1), "bb4.txt": (107, 13, -9), "bb2x3.txt": (38, 9, 2),
    }
    for name, (steps, nonblank, head) in expected.items():
        (line,) = load_file(str(MACHINES / name))
        result = run_machine(line.machine, line.word, "perez").summary()
        assert (result["steps"], result["nonblank"], result["head"], result["verified"]) == (
            steps, nonblank, head, True), name
    unary = load_file(str(MACHINES / "unary_add.txt"))[0].machine
    for word, steps, nonblank, head in [((1, 1, 2, 1, 1), 7, 4, 3), ((1, 1, 1, 2, 1, 1, 1), 9, 6, 5),
                                        ((1, 2), 4, 1, 0)]:
        result = run_machine(unary, word, "perez").summary()
        assert (result["steps"], result["nonblank"], result["head"], result["verified"]) == (
            steps, nonblank, head, True)
    anbn = parse_machine("0RE0RB2RF_0LC1RB2RB_0RF1RF0LD_0RA1LD2LD_0LZ1LZ2LZ_0LY1LY2LY")
    for word, verdict in [((), "Z"), ((1, 2), "Z"), ((1, 1, 2, 2), "Z"), ((1,), "Y"), ((1, 2, 2), "Y"),
                          ((2, 1), "Y")]:
        result = run_machine(anbn, word, "perez").summary()
        assert result["state"] == verdict and result["verified"] is True
    (increment,) = load_file(str(MACHINES / "increment.txt"))
    result = run_machine(increment.machine, increment.word, "perez").summary()
    assert (result["steps"], result["tape"], result["head"], result["verified"]) == (8, "2211", 0, True)
    (counter,) = load_file(str(MACHINES / "counter_nonhalt.txt"))
    for steps, state, tape in [(100, "A", "22122"), (1000, "B", "12222222")]:
        result = run_machine(counter.machine, (), "perez", max_steps=steps).summary()
        assert (result["state"], result["tape"], result["head"], result["verified"]) == (state, tape, 0, True)
    collection = {line.line: line for line in load_file(str(COLLECTION))}
    result = run_machine(collection[8].machine, (), "perez", max_steps=100).summary()
    assert (result["head"], result["nonblank"], result["state"]) == (-50, 25, "A")


@settings(max_examples=110, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_random_machines_run_in_lockstep_with_the_simulator(data):
    machine = data.draw(machines(max_states=5, max_symbols=4))
    word = data.draw(words(machine, max_length=5)) if data.draw(st.booleans()) else ()
    result = verify(PEREZ.compile(machine, word), 120)
    assert result.verified, result.detail


def test_model_is_input_independent():
    machine = parse_machine(BB3)
    assert compile_model(machine) == PEREZ.compile(machine, (1, 1)).model


# -- every field read from the network: verdicts, foreign models, the tape --------------------------
def swap_halts(machine: TuringMachine) -> TuringMachine:
    """``machine`` with its two halt names exchanged in the table (the verdicts swapped)."""
    first, second = machine.halts
    swap = {first: second, second: first}
    table = tuple(tuple(replace(e, halt=swap[e.halt]) if e.halts else e for e in row) for row in machine.table)
    return replace(machine, table=table)


def test_each_halt_name_has_its_own_halting_state():
    for machine, halting in [(library_machine("anbn").machine, ["state:halt-accept", "state:halt-reject"]),
                             (parse_machine(ANBN), ["state:Z", "state:Y"]), (parse_machine(BB3), ["state:Z"])]:
        compiled = PEREZ.compile(machine)
        states = [c for c in compiled.model.coords if c.startswith("state:")]
        assert len(states) == 2 * machine.num_states + len(halting) and states[-len(halting):] == halting
        assert [compiled.folded.halt_of(c[len("state:"):]) for c in halting] == list(machine.halts)


def test_a_halt_name_colliding_with_a_folded_state_is_prefixed_and_verified():
    machine = TuringMachine(("0", "1"), ("A", "B"), ("A+", "B-"), (
        (Entry(1, "R", next_state=1), Entry(1, "L", halt="A+")),
        (Entry(1, "L", next_state=0), Entry(0, "L", halt="B-"))))
    compiled = PEREZ.compile(machine)
    assert {"state:halt:A+", "state:halt:B-"} <= set(compiled.model.coords)
    result = verify(compiled, 20)
    assert result.verified and result.steps == 3, result.detail


@pytest.mark.parametrize("name", ["anbn", "anbn-reject"])
def test_swapped_verdicts_fail_at_the_halting_step(name):
    loaded = library_machine(name)
    machine, word = loaded.machine, loaded.word
    halting = list(simulate(machine, word))[-1]
    assert halting.halted
    original = PEREZ.compile(machine, word)
    assert verify(original, 100, model=PEREZ.compile(machine, word).model).verified
    result = verify(original, 100, model=PEREZ.compile(swap_halts(machine), word).model)
    assert not result.verified and result.first_mismatch == halting.number
    assert "next state" in result.detail and all(h in result.detail for h in machine.halts), result.detail
    assert run_machine(machine, word, "perez").summary()["state"] == halting.halt


@pytest.mark.parametrize(("edit", "fragment"), [
    (None, "state:0+ is not a coordinate of this machine's folded layout"),  # the a^n b^n model
    (('"state:B+"', '"state:Q+"'), "state:Q+ is not a coordinate"),
    (('"wr:1"', '"wr:one"'), "wr:one is not a coordinate"),
    (('"sym:1"', '"sym:x"'), "sym:x is not a coordinate"),
])
def test_a_foreign_or_edited_model_is_a_decoding_mismatch_not_a_crash(edit, fragment):
    """A Pérez model of another machine (other state names) or a hand-edited one, through JSON."""
    compiled = PEREZ.compile(parse_machine(BB3))
    if edit is None:
        text = model_json.dumps(PEREZ.compile(library_machine("anbn").machine).model)
    else:
        text = model_json.dumps(compiled.model).replace(*edit)
    model = model_json.loads(text)
    result = verify(compiled, 30, model=model)
    assert result.verified is False and fragment in result.detail, result.detail
    observation = compiled.observe(model, "fraction", 5)
    assert observation.error is not None and fragment in observation.error


@pytest.mark.parametrize(("machine", "word"), [
    (parse_machine(BB3), ()),
    (library_machine("anbn").machine, library_machine("anbn").word),
    (parse_machine("0LB1RA2RA_2LZ2LZ1LB"), (2, 2, 1, 2)),
])
def test_the_decoded_tape_is_attached_and_matches_the_simulator_every_step(machine, word):
    tape = Tape()
    reference = simulate(machine, word, tape=tape)
    decoded = PEREZ.compile(machine, word).trace()
    for expected, step in zip(reference, decoded, strict=True):
        assert step.tape == tape.cells and step.tape is not tape.cells, step.number
        assert step.halt == expected.halt


def split_halts(machine: TuringMachine) -> TuringMachine:
    """``machine`` with two halt names: entries halting in an odd state halt as ``reject``."""
    rows = tuple(tuple(replace(e, halt="reject" if q % 2 else "accept") if e.halts else e for e in row)
                 for q, row in enumerate(machine.table))
    return replace(machine, halts=("accept", "reject"), table=rows)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_random_machines_with_two_verdicts_run_in_lockstep(data):
    machine = split_halts(data.draw(machines(max_states=4, max_symbols=3)))
    word = data.draw(words(machine, max_length=4))
    result = verify(PEREZ.compile(machine, word), 80)
    assert result.verified, result.detail
