"""Every entry of the machine library reproduces its stored result through the compiled Pérez
transformer, in the source's own terms (steps, halting state as written, tape symbols). Entries of
more than 200 steps (the turingmachine.io binary multiplication) are marked slow; they still take well
under a second each."""

from __future__ import annotations

import pytest

from turing_tx import library
from turing_tx.formats.loader import LoadedMachine
from turing_tx.runs import run_machine


def _steps(case: LoadedMachine) -> int:
    return case.expected.get("internal_steps", case.expected["steps"])


CASES = [pytest.param(case, id=case.name, marks=[pytest.mark.slow] if _steps(case) > 200 else [])
         for case in library.cases()]


def test_the_library_has_small_and_large_entries():
    assert len(CASES) >= 20 and any(_steps(p.values[0]) > 200 for p in CASES)


@pytest.mark.parametrize("case", CASES)
def test_library_entry_through_the_perez_transformer(case):
    result = run_machine(case.machine, case.word, "perez", max_steps=case.max_steps).summary()
    assert result["verified"] is True, result.get("mismatch")
    assert {key: result.get(key) for key in case.expected} == case.expected
