"""The exact σ-RNN runner (turing_tx.rnn.network): activation, one tick, input convention, validation."""

from __future__ import annotations

from fractions import Fraction as F

import pytest

from turing_tx.errors import ExecutionError, ModelError, UsageError
from turing_tx.rnn.network import RNN, sigma


def toy() -> RNN:
    """A two-unit toy RNN (d_h = 2), the example of tests/test_bhattamishra.py."""
    return RNN(
        units=("u1", "u2"),
        inputs=("a", "$"),
        w_h={"u1": {"u1": F(1, 2), "u2": F(1, 3)}, "u2": {"u1": F(-1), "u2": F(1, 4)}},
        w_x={"u1": {"a": F(1)}, "u2": {"a": F(1, 2), "$": F(1, 3)}},
        bias={"u1": F(1, 8)},
        h0={},
    )


@pytest.mark.parametrize(("x", "expected"), [(F(-3, 2), 0), (F(0), 0), (F(1, 3), F(1, 3)), (F(1), 1),
                                             (F(7, 5), 1)])
def test_sigma_clips_to_unit_interval(x: F, expected: F) -> None:
    assert sigma(x) == expected
    assert isinstance(sigma(x), F)


def test_worked_example_of_bhattamishra_section_6() -> None:
    states = list(toy().run(["a", "$"], 3))
    assert states == [{"u1": F(1), "u2": F(1, 2)}, {"u1": F(19, 24), "u2": F(0)},
                      {"u1": F(25, 48), "u2": F(0)}]


def test_input_stays_at_its_last_symbol() -> None:
    rnn = toy()
    h = rnn.initial_state()
    by_hand = []
    for symbol in ["a", "$", "$", "$", "$"]:
        h = rnn.step(h, symbol)
        by_hand.append(h)
    assert list(rnn.run(["a", "$"], 5)) == by_hand


def test_run_without_tick_limit_is_lazy() -> None:
    run = toy().run(["a"])
    assert [next(run) for _ in range(50)][-1]["u1"] == 1


def test_initial_state_and_size() -> None:
    rnn = RNN(("p", "q"), ("a",), {}, {}, {}, {"q": F(1, 3)})
    assert rnn.size == 2
    assert rnn.initial_state() == {"p": 0, "q": F(1, 3)}


def test_step_rejects_unknown_symbol_and_run_an_empty_word() -> None:
    with pytest.raises(ExecutionError, match="input symbol 'b' is not in the RNN's alphabet a \\$"):
        toy().step(toy().initial_state(), "b")
    with pytest.raises(UsageError, match="at least one symbol"):
        next(toy().run([]))


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"units": ()}, "at least one unit"),
    ({"inputs": ()}, "at least one input symbol"),
    ({"units": ("u", "u")}, "duplicate unit"),
    ({"w_h": {"v": {"u": F(1)}}}, "W_h: unknown unit 'v'"),
    ({"w_h": {"u": {"v": F(1)}}}, "W_h: unknown unit 'v'"),
    ({"w_x": {"v": {"a": F(1)}}}, "W_x: unknown unit 'v'"),
    ({"w_x": {"u": {"b": F(1)}}}, "W_x: unknown input symbol 'b'"),
    ({"bias": {"v": F(1)}}, "b: unknown unit 'v'"),
    ({"h0": {"v": F(1)}}, "h0: unknown unit 'v'"),
])
def test_rnn_validation(kwargs: dict, message: str) -> None:
    fields = {"units": ("u",), "inputs": ("a",), "w_h": {}, "w_x": {}, "bias": {}, "h0": {}}
    fields.update(kwargs)
    with pytest.raises(ModelError, match=message):
        RNN(**fields)
