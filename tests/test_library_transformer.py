"""Every small entry of the machine library (≤ 200 steps) reproduces its stored result through the
compiled Pérez transformer, in the source's own terms (steps, halting state as written, tape symbols)."""

from __future__ import annotations

import pytest

from turing_tx import library
from turing_tx.runs import run_machine

SMALL = [case for case in library.cases()
         if case.expected.get("internal_steps", case.expected["steps"]) <= 200]


def test_most_of_the_library_is_small_enough():
    assert len(SMALL) >= 20


@pytest.mark.parametrize("case", SMALL, ids=lambda case: case.name)
def test_library_entry_through_the_perez_transformer(case):
    result = run_machine(case.machine, case.word, "perez", max_steps=case.max_steps).summary()
    assert result["verified"] is True, result.get("mismatch")
    assert {key: result.get(key) for key in case.expected} == case.expected
