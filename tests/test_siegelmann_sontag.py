"""The Siegelmann–Sontag construction: weights, schedule, decoding and lockstep (siegelmann_sontag.md)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from fractions import Fraction as F

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from turing_tx.constructions.lockstep import verify
from turing_tx.constructions.registry import get_construction
from turing_tx.constructions.siegelmann_sontag import (
    SIEGELMANN_SONTAG,
    Configuration,
    SSCompiledMachine,
    compile_rnn,
    rnn_input,
    spec_width,
    stack_symbols,
)
from turing_tx.errors import DecodingError, UsageError
from turing_tx.machines.formats.bbchallenge import parse_machine
from turing_tx.machines.machine import Entry, TuringMachine
from turing_tx.machines.simulator import RunRecord, simulate
from turing_tx.rnn import rnn_json
from turing_tx.rnn.network import RNN, State

BB2, BB3, BB4 = "1RB1LB_1LA1RZ", "1RB1RZ_1LB0RC_1LC1LA", "1RB1LB_1LA0LC_1RZ1LD_1RD0RA"
BB2X3 = "1RB2LB1RZ_2LA2RB1LB"
ANBN = "1RZ0RB2RZ_0LC1RB2RB_2RZ2RZ0LD_0RA1LD2LD"


def compiled(code: str, word: tuple[int, ...] = ()) -> SSCompiledMachine:
    return SIEGELMANN_SONTAG.compile(parse_machine(code), word)


def nonzero(h: Mapping[str, F]) -> dict[str, F]:
    return {unit: value for unit, value in h.items() if value}


class Counted:
    """An iterable of hidden states that counts how many were taken."""

    def __init__(self, states: Iterable[State]) -> None:
        self.states, self.taken = iter(states), 0

    def __iter__(self) -> Iterator[State]:
        for h in self.states:
            self.taken += 1
            yield h


# -- construction and widths -------------------------------------------------------------------


def test_registered_entry_point() -> None:
    construction = get_construction("siegelmann-sontag")
    assert construction is SIEGELMANN_SONTAG
    assert construction.name == "siegelmann-sontag"
    assert construction.paper.startswith("Siegelmann & Sontag (1995)")


@pytest.mark.parametrize(("code", "width"), [(BB2, 32), (BB3, 37), (BB4, 42), (ANBN, 54)])
def test_width_formula(code: str, width: int) -> None:
    machine = compiled(code)
    assert machine.dimension == spec_width(machine.machine) == width
    k, states = machine.machine.num_symbols, machine.machine.num_states
    groups = machine.describe()["groups"]
    assert groups == {"G0": states + 3, "G1": k * states + 2 * k + 1, "G2": k * states + k + 6,
                      "loader": k + 4}
    assert machine.rnn.inputs == (*(str(a) for a in range(1, k)), "$")


def test_blank_cells_in_the_input_add_exactly_one_unit_and_one_symbol() -> None:
    plain, blank = compiled(BB2, (1, 1)), compiled(BB2, (1, 0, 1))
    assert plain.dimension == 32 and blank.dimension == 33
    assert set(blank.rnn.units) - set(plain.rnn.units) == {"ld:T:0"}
    assert blank.rnn.inputs == ("0", "1", "$")
    assert blank.rnn.w_h["ld:T:0"] == {"ld:P": 1}
    assert blank.describe()["extension"] == "+1 unit ld:T:0 for blank input cells"


def test_update_equations_of_bb2() -> None:
    """A few rows of the update equations (docs/constructions/siegelmann-sontag.md, "What each group
    computes") for k = 2, B = 4 (BB(2): A0 → 1RB, A1 → 1LB, B0 → 1LA, B1 → 1RZ)."""
    rnn = compile_rnn(parse_machine(BB2))
    assert (rnn.w_h["C:A:1"], rnn.bias["C:A:1"]) == ({"R": 4, "s:A": 4}, -6)
    assert (rnn.w_h["thL:1"], rnn.bias["thL:1"]) == ({"L": 4}, -2)
    assert rnn.w_h["gRL"] == {"R1": F(4, 16), "thR:1": F(-2, 16), "C:A:1": 1, "C:B:0": 1, "C:B:1": -1}
    assert rnn.bias["gRL"] == F(-1, 16) - 1
    assert rnn.w_h["s:Z"] == {"H2:Z": 1, "C2:B:1": 1}
    assert rnn.w_h["L"] == {"gLR": 1, "gLL": 1, "gLH": 1, "C2:A:0": F(3, 4), "C2:A:1": F(-3, 4),
                            "C2:B:1": F(3, 4)}
    assert rnn.w_h["R"]["C2:A:1"] == F(3, 16) + F(1, 4) and rnn.w_h["R"]["aL:1"] == F(2, 4)
    assert rnn.w_x == {"ld:P": {"$": -1}, "ld:T:1": {"1": 1}, "ld:acc": {"$": -1}, "ld:S": {"$": 1},
                       "ld:F": {"$": 1}, "ld:J": {"$": 1}}
    assert rnn.h0 == {"ld:P": F(1, 4)}
    assert rnn_input(parse_machine(BB2), (1, 0)) == ["1", "0", "$"]


def test_control_units_keep_the_machines_names() -> None:
    """States and halt names are distinct in a machine, so ``s:<name>`` never clashes (a state may be
    called Z)."""
    machine = TuringMachine(("0", "1"), ("Z", "Y"), ("H",),
                            ((Entry(1, "R", next_state=1), Entry(1, "L", next_state=1)),
                             (Entry(1, "L", next_state=0), Entry(1, "R", halt="H"))))
    ss = SIEGELMANN_SONTAG.compile(machine)
    assert ss.rnn.units[:5] == ("s:Z", "s:Y", "s:H", "L", "R")
    assert verify(ss, None).verified


def test_each_halt_name_has_its_own_control_unit() -> None:
    """A recognizer's verdict is held by the network: one control unit and freeze chain per halt
    name (3 units beyond the base width for each name after the first)."""
    machine = TuringMachine(("0", "1"), ("A",), ("accept", "reject"),
                            ((Entry(0, "R", halt="reject"), Entry(1, "R", halt="accept")),))
    ss = SIEGELMANN_SONTAG.compile(machine, (1,))
    assert {"s:accept", "s:reject", "H1:accept", "H2:reject"} <= set(ss.rnn.units)
    assert ss.dimension == spec_width(machine) + 3
    last = list(ss.trace())[-1]
    assert (last.next_state, last.halt) == (None, "accept")
    frozen = list(ss.states(ss.ticks_for(1) + 6))[-1]
    assert (frozen["s:accept"], frozen.get("s:reject", 0)) == (1, 0)


# -- the worked example (docs/constructions/siegelmann-sontag.md, "Worked example: BB(2), tick by tick")

TICKS = {
    0: {"ld:P": F(1, 4)},
    1: {"ld:F": 1},
    2: {"s:A": 1},
    3: {"C:A:0": 1},
    4: {"C2:A:0": 1},
    5: {"s:B": 1, "L": F(3, 4)},
    6: {"C:B:0": 1, "thL:1": 1, "L1": F(3, 4)},
    7: {"C2:B:0": 1, "aL:1": 1},
    8: {"s:A": 1, "R": F(15, 16)},
    9: {"C:A:0": 1, "C:A:1": 1, "thR:1": 1, "R1": F(15, 16)},
    10: {"C2:A:0": 1, "C2:A:1": 1, "gRL": F(3, 64)},
    11: {"s:B": 1, "R": F(31, 64)},
    21: {"H1:Z": 1, "thR:1": 1, "thL:1": 1, "L1": F(15, 16), "R1": F(15, 16)},
    22: {"H2:Z": 1, "gLH": F(15, 16), "gRH": F(15, 16)},
    23: {"s:Z": 1, "L": F(15, 16), "R": F(15, 16)},
}


def test_worked_example_tick_table() -> None:
    rnn = compile_rnn(parse_machine(BB2))
    run = [rnn.initial_state(), *rnn.run(["$"], 23)]
    for tick, expected in TICKS.items():
        with_s = {**expected, "ld:S": 1} if tick >= 1 else expected
        assert nonzero(run[tick]) == with_s, f"tick {tick}"


BOUNDARIES = [  # TM step, tick, state, L, R, head, tape
    (0, 2, 0, 0, 0, 0, {}),
    (1, 5, 1, F(3, 4), 0, 1, {0: 1}),
    (2, 8, 0, 0, F(15, 16), 0, {0: 1, 1: 1}),
    (3, 11, 1, 0, F(31, 64), -1, {0: 1, 1: 1}),
    (4, 14, 0, 0, F(127, 256), -2, {-1: 1, 0: 1, 1: 1}),
    (5, 17, 1, F(3, 4), F(63, 64), -1, {-2: 1, -1: 1, 0: 1, 1: 1}),
    (6, 20, None, F(15, 16), F(15, 16), 0, {-2: 1, -1: 1, 0: 1, 1: 1}),
]


def test_worked_example_step_boundaries() -> None:
    ss = compiled(BB2)
    run = list(ss.rnn.run(["$"], 20))
    configs = [ss.decode_configuration(run[1]), *(config for _, config in ss.decode_run(run))]
    assert len(configs) == 7
    for (number, tick, state, left, right, head, tape), config in zip(BOUNDARIES, configs, strict=True):
        assert tick == ss.ticks_for(number)
        assert (run[tick - 1]["L"], run[tick - 1]["R"]) == (left, right)
        assert (config.state, config.head, config.tape()) == (state, head, tape), f"step {number}"


# -- lockstep with the reference simulator -----------------------------------------------------


@pytest.mark.parametrize(("code", "steps", "nonblank", "head", "ticks"), [
    (BB2, 6, 4, 0, 20), (BB3, 21, 5, 1, 65), (BB4, 107, 13, -9, 323), (BB2X3, 38, 9, 2, 116),
])
def test_lockstep_blank_tape(code: str, steps: int, nonblank: int, head: int, ticks: int) -> None:
    ss = compiled(code)
    states = Counted(ss.rnn.run(["$"]))
    decoded = list(ss.steps_from_states(states))
    assert decoded == list(simulate(ss.machine))
    assert states.taken == ticks == ss.ticks_for(steps)
    record = RunRecord.start(ss.machine).consume(decoded)
    assert (record.steps, record.halted, record.tape.nonblank, record.head) == (steps, True, nonblank, head)


@pytest.mark.parametrize(("code", "word", "steps", "tape"), [
    (BB2, (1, 0, 1), None, None),
    ("0LB1RA2RA_2LZ2LZ1LB", (2, 1, 2, 2), 8, (0, [2, 2, 1, 1])),  # increment.txt
    ("0RZ1RA1RB_0LC1RB2RZ_---0LZ---", (1, 1, 2, 1, 1), 7, (0, [1, 1, 1, 1])),  # unary_add.txt
    ("1RB---_0LA1RZ", (), 3, (0, [1])),  # the --- entry writes 1, moves R and halts
])
def test_lockstep_with_input(code: str, word: tuple[int, ...], steps: int | None, tape: tuple | None) -> None:
    ss = compiled(code, word)
    result = verify(ss, 200, keep=True)
    assert result.verified, result.detail
    reference = list(simulate(ss.machine, word, 200))
    assert result.decoded == reference and reference[-1].halted
    if steps is not None:
        record = RunRecord.start(ss.machine, word).consume(result.decoded)
        assert (record.steps, record.tape.span()) == (steps, tape)


@pytest.mark.parametrize(("code", "limit", "state", "head", "nonblank"), [
    ("2LB2LB1RA_0RA1LB2LB", 100, 0, 0, 5),
    ("1RB1LB_0LA1RA", 100, 0, -50, 25),
])
def test_non_halting_machine_to_a_step_limit(code: str, limit: int, state: int, head: int, nonblank: int) -> None:
    ss = compiled(code)
    decoded = list(ss.trace(limit))
    assert decoded == list(simulate(ss.machine, (), limit))
    record = RunRecord.start(ss.machine).consume(decoded)
    assert (record.steps, record.halted, record.state, record.head, record.tape.nonblank) == (
        limit, False, state, head, nonblank)


ANBN_VERDICTS = {"": True, "12": True, "1122": True, "111222": True, "1212": False, "2211": False,
                 "21": False, "112": False, "122": False, "1": False, "2": False, "11122": False,
                 "1221": False}


@pytest.mark.parametrize(("text", "accept"), ANBN_VERDICTS.items())
def test_anbn_recognizer_verdicts(text: str, accept: bool) -> None:
    word = tuple(int(ch) for ch in text)
    ss = compiled(ANBN, word)
    assert ss.dimension == 54
    run = list(ss.decode_run(ss.states()))
    assert [step for step, _ in run] == list(simulate(ss.machine, word))
    final = run[-1][1]
    assert final.state is None
    assert (list(final.tape().values()) == [1]) is accept


def test_anbn_loader_and_schedule_on_1122() -> None:
    ss = compiled(ANBN, (1, 1, 2, 2))
    run = list(ss.rnn.run(rnn_input(ss.machine, (1, 1, 2, 2)), 51))
    assert [h["ld:J"] for h in run[:6]] == [0, 0, 0, 0, F(791, 1296), 0]
    assert ss.first_step_tick == 6 and run[5]["R"] == F(791, 1296) and run[5]["s:A"] == 1
    steps = list(ss.steps_from_states(run))
    assert len(steps) == 15 and steps[-1].halted and ss.ticks_for(15) == 51


# -- pipeline invariant, halting freeze, precision ---------------------------------------------


def test_pipeline_invariant_and_freeze_after_halting() -> None:
    ss = compiled(BB4)
    groups = (ss.layout.g0, ss.layout.g1, ss.layout.g2)
    run = list(ss.rnn.run(["$"], ss.ticks_for(107 + 10)))
    for tick, h in enumerate(run, start=1):
        busy = [i for i, units in enumerate(groups) if any(h[u] for u in units)]
        due = [] if tick < ss.first_step_tick else [(tick - ss.first_step_tick) % 3]
        assert busy == due, f"tick {tick}"
    halted = ss.ticks_for(107)
    frozen = {u: run[halted - 1][u] for u in ss.layout.g0}
    assert frozen["s:Z"] == 1
    for tick in range(halted, len(run) + 1, 3):
        assert {u: run[tick - 1][u] for u in ss.layout.g0} == frozen


@pytest.mark.parametrize(("code", "limit", "bits"), [(BB2, None, 9), (BB3, None, 9), (BB4, None, 29),
                                                     ("1RA1RA", 50, 101)])
def test_precision(code: str, limit: int | None, bits: int) -> None:
    ss = compiled(code)
    assert ss.max_bits is None
    list(ss.trace(limit, track_bits=True))
    assert ss.max_bits == bits
    list(ss.trace(limit))
    assert ss.max_bits is None


# -- decoding failures ---------------------------------------------------------------------------


def _bb2_run(ticks: int = 20) -> tuple[SSCompiledMachine, list[dict[str, F]]]:
    ss = compiled(BB2)
    return ss, [dict(h) for h in ss.rnn.run(["$"], ticks)]


@pytest.mark.parametrize(("tick", "changes", "message"), [
    (5, {"C:A:0": F(1)}, "tick 5: pipeline invariant violated: C:A:0 = 1 \\(G1\\) while G0 is due"),
    (1, {"s:A": F(1)}, "tick 1: pipeline invariant violated: s:A = 1 \\(G0\\) while the loader is due"),
    (5, {"s:A": F(1)}, "^tick 5: no unique control unit equal to 1 \\(s:A=1, s:B=1\\)"),
    (5, {"s:B": F(1, 2)}, "no unique control unit equal to 1 \\(s:B=1/2\\)"),
    (2, {"s:A": F(0)}, "no unique control unit equal to 1 \\(all zero\\)"),
    (5, {"L": F(1, 2)}, "stack value 1/2 has the even base-4 digit 2"),
    (8, {"R": F(1)}, "^tick 8: stack value 1 is outside \\[0, 1\\)"),
    (10, {"C2:A:0": F(0)}, "case units C2:A:\\* = 0 1 are not 1…1 0…0"),
    (10, {"C2:B:0": F(1)}, "^tick 10: case units of state B are active, but the state is A"),
    (5, {"L": F(0)}, r"tick 5: the stacks changed in a way no single move explains: L \[\] → \[\], R \[\] → \[\]"),
    (5, {"s:B": F(0), "s:Z": F(1)}, None),  # a halt the network announces is read, not looked up
])
def test_decoding_errors(tick: int, changes: dict[str, F], message: str | None) -> None:
    ss, run = _bb2_run()
    run[tick - 1].update(changes)
    if message is None:
        first, = ss.steps_from_states(run)
        assert (first.next_state, first.halt, first.move, first.write) == (None, "Z", "R", 1)
        return
    with pytest.raises(DecodingError, match=message):
        list(ss.steps_from_states(run))


def test_stack_digit_limit() -> None:
    assert stack_symbols(F(63, 64), 4, 3) == (1, 1, 1)
    with pytest.raises(DecodingError, match="more than 2 base-4 digits"):
        stack_symbols(F(63, 64), 4, 2)
    assert stack_symbols(0.75, 4, 3) == (1,)


def test_configuration_tape_keeps_non_blank_cells() -> None:
    assert Configuration(0, None, 5, (1, 0, 2), (0, 3)).tape() == {6: 3, 4: 1, 2: 2}


def test_decoder_accepts_sparse_states_and_stops_reading_at_the_limit() -> None:
    ss, run = _bb2_run(40)
    sparse = Counted(nonzero(h) for h in run)
    assert list(ss.steps_from_states(sparse, 4)) == list(simulate(ss.machine, (), 4))
    assert sparse.taken == ss.ticks_for(4)
    assert list(ss.steps_from_states(run, 0)) == []


# -- running options ---------------------------------------------------------------------------


def test_step_limit_and_model_arguments() -> None:
    ss = compiled(BB2)
    with pytest.raises(UsageError, match="step limit"):
        ss.trace(-1)
    with pytest.raises(UsageError, match="a transformer model cannot replace it"):
        ss.trace(model=object())  # type: ignore[arg-type]
    with pytest.raises(UsageError, match="unknown number backend"):
        ss.trace(backend="float16")


def test_replacement_rnn_from_json_and_an_ablated_one(tmp_path) -> None:
    ss = compiled(BB3)
    path = tmp_path / "bb3.json"
    rnn_json.save(ss.rnn, path)
    assert list(ss.trace(model=rnn_json.load(path))) == list(simulate(ss.machine))
    w_h = {unit: dict(row) for unit, row in ss.rnn.w_h.items()}
    del w_h["R"]["gRL"]  # no more pop(R)/B² under left moves
    ablated = RNN(ss.rnn.units, ss.rnn.inputs, w_h, ss.rnn.w_x, ss.rnn.bias, ss.rnn.h0)
    result = verify(ss, 30, model=ablated)
    assert not result.verified and result.detail.startswith(f"step {result.first_mismatch}: ")


@pytest.mark.parametrize(("backend", "code", "verified"), [
    ("fraction", BB2X3, True), ("gmpy2", BB2X3, True),
    ("float64", BB4, True),  # base 4: every value is a dyadic rational with at most 30 bits
    ("float64", BB2X3, False),  # base 6: 1/6 is not a binary float
    ("mpmath:20", BB4, False),  # the 14-symbol stacks need 28 bits
])
def test_backends(backend: str, code: str, verified: bool) -> None:
    result = verify(compiled(code), None, backend=backend)
    assert result.verified is verified, result.detail


def test_describe() -> None:
    info = compiled(ANBN, (1, 1, 2, 2)).describe()
    assert info["hidden_units"] == 54
    assert info["formula"] == "d_h = (2k+1)|Q| + 4k + 14 = 7·4 + 12 + 14 = 54"
    assert (info["ticks_per_step"], info["first_step_tick"], info["base"]) == (3, 6, 6)
    assert info["ticks_for_run"] == "n + 2 + 3T = 6 + 3T for T steps"


# -- random machines -----------------------------------------------------------------------------


@st.composite
def machines_and_words(draw: st.DrawFn) -> tuple[TuringMachine, tuple[int, ...]]:
    states = draw(st.integers(1, 4))
    k = draw(st.integers(2, 4))
    entry = st.builds(
        lambda write, move, target: Entry(write, move, next_state=target) if target < states
        else Entry(write, move, halt="Z"),
        st.integers(0, k - 1), st.sampled_from("LR"), st.integers(0, states))
    table = tuple(tuple(draw(entry) for _ in range(k)) for _ in range(states))
    machine = TuringMachine(tuple(str(a) for a in range(k)), tuple("ABCD"[:states]), ("Z",), table)
    word = tuple(draw(st.lists(st.integers(0, k - 1), max_size=6)))
    return machine, word


@settings(max_examples=150, deadline=None)
@given(machines_and_words())
def test_random_machines_in_lockstep(case: tuple[TuringMachine, tuple[int, ...]]) -> None:
    machine, word = case
    ss = SIEGELMANN_SONTAG.compile(machine, word)
    assert ss.dimension == spec_width(machine) + (0 in word)
    assert list(ss.trace(30)) == list(simulate(machine, word, 30))
