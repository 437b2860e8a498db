"""The lockstep check on its own: every field of a decoded step is compared with the simulator's, and
the first difference is one line ``step N: FIELD NETWORK (network) vs MACHINE (machine)``; a tape the
network carries is compared cell by cell."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import pytest

from turing_tx.constructions.lockstep import Verification, lockstep
from turing_tx.machines.formats.bbchallenge import parse_machine
from turing_tx.machines.simulator import Step, Tape, simulate

BB2 = parse_machine("1RB1LB_1LA1RZ")


def with_tapes() -> list[Step]:
    """BB(2)'s steps, each carrying the simulator's tape after it (what an honest network holds)."""
    tape = Tape()
    return [replace(step, tape=dict(tape.cells)) for step in simulate(BB2, (), None, tape=tape)]


def check(decoded: Iterator[Step] | list[Step]) -> tuple[Verification, list[Step]]:
    result = Verification()
    passed = list(lockstep(BB2, (), iter(decoded), None, result))
    return result, passed


def test_the_simulators_own_steps_and_tapes_verify():
    steps = with_tapes()
    result, passed = check(steps)
    assert result.verified and result.steps == 6 and passed == steps


@pytest.mark.parametrize(("change", "detail"), [
    ({"state": 1}, "step 3: state B (network) vs A (machine)"),
    ({"head": 5}, "step 3: head 5 (network) vs 0 (machine)"),
    ({"read": 0}, "step 3: read 0 (network) vs 1 (machine)"),
    ({"write": 0}, "step 3: write 0 (network) vs 1 (machine)"),
    ({"move": "R"}, "step 3: move R (network) vs L (machine)"),
    ({"next_state": None, "halt": "Z"}, "step 3: next state halt Z (network) vs B (machine)"),
    ({"tape": {0: 1, 1: 1, 7: 1}}, "step 3: tape cell 7 1 (network) vs 0 (machine)"),
    ({"tape": {1: 1}}, "step 3: tape cell 0 0 (network) vs 1 (machine)"),
])
def test_the_first_differing_field_is_named_with_both_values(change, detail):
    steps = with_tapes()
    steps[2] = replace(steps[2], **change)
    result, passed = check(steps)
    assert (result.verified, result.first_mismatch, result.detail) == (False, 3, detail)
    assert len(passed) == 2


def test_explicitly_blank_cells_are_not_a_difference():
    steps = with_tapes()
    steps[0] = replace(steps[0], tape={**steps[0].tape, 9: 0})
    assert check(steps)[0].verified


def test_a_network_that_runs_on_or_stops_early_diverges():
    steps = list(simulate(BB2))
    longer = [*steps, replace(steps[-1], number=7)]
    assert check(longer)[0].detail == "step 7: the network ran on after the machine halted"
    assert check(steps[:4])[0].detail == "step 5: the network stopped before the machine did"
