"""Every entry of the machine library reproduces its stored result through every construction, in the
source's own terms (steps, halting state as written, tape symbols), with every step verified against
the simulator from what the network itself holds. Entries of more than 200 steps (the
turingmachine.io binary multiplication) are marked slow; they take 5–8 s each through the RNN-based
constructions."""

from __future__ import annotations

import pytest

from turing_tx.constructions.runs import run_machine
from turing_tx.machines import library
from turing_tx.machines.formats.loader import LoadedMachine

CONSTRUCTIONS = ("perez", "siegelmann-sontag", "bhattamishra-pe", "bhattamishra-mask")


def _steps(case: LoadedMachine) -> int:
    return case.expected.get("internal_steps", case.expected["steps"])


CASES = [pytest.param(case, id=case.name, marks=[pytest.mark.slow] if _steps(case) > 200 else [])
         for case in library.cases()]


def test_the_library_has_small_and_large_entries():
    assert len(CASES) >= 20 and any(_steps(p.values[0]) > 200 for p in CASES)


@pytest.mark.parametrize("construction", CONSTRUCTIONS)
@pytest.mark.parametrize("case", CASES)
def test_library_entry_through_every_construction(case, construction):
    result = run_machine(case.machine, case.word, construction, max_steps=case.max_steps).summary()
    assert result["verified"] is True, result.get("mismatch")
    assert {key: result.get(key) for key in case.expected} == case.expected
