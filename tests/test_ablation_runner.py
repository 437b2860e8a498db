"""The ablation protocol (docs/ablation.md) reproduces the rows of Bhattamishra et al.'s Fig. 2 and Pérez's
claims."""

from __future__ import annotations

import pytest

from turing_tx.ablation.runner import Runner, compare
from turing_tx.ablation.transforms import AblationError
from turing_tx.constructions.protocol import Observation, OutputBound
from turing_tx.constructions.registry import get_construction
from turing_tx.errors import UsageError
from turing_tx.machines.formats.bbchallenge import parse_machine
from turing_tx.machines.simulator import Step, simulate

BB2, BB3 = "1RB1LB_1LA1RZ", "1RB1RZ_1LB0RC_1LC1LA"

# observed, Theorem 1: component -> (surgery, rebuilt, pair) as (step, tick) or "ok"
THEOREM1 = {
    "enc0.self_attn.head0": ("ok", "ok", (0, 1)),
    "enc0.self_attn.residual": ((0, 1), "ok", (0, 1)),
    "enc0.ffn": ("ok", "ok", (0, 1)),
    "enc0.ffn.residual": ((0, 1), "ok", (0, 1)),
    "dec0.self_attn.head0": ("ok", "ok", (0, 2)),
    "dec0.self_attn.residual": ((0, 2), "ok", (0, 2)),
    "dec0.cross_attn.head0": ((0, 1), None, None),
    "dec0.cross_attn.residual": ((0, 2), None, None),
    "dec0.ffn": ((0, 1), None, None),
    "dec0.ffn.residual": ((1, 1), "ok", None),
}


def _cell(row):
    if row is None:
        return None
    return "ok" if not row["breaks"] else (row["first_divergence_step"], row["first_divergence_tick"])


@pytest.fixture(scope="module", params=[BB2, BB3])
def theorem1(request):
    return Runner("bhattamishra-pe", parse_machine(request.param)).study()


@pytest.fixture(scope="module", params=[BB2, BB3])
def theorem2(request):
    return Runner("bhattamishra-mask", parse_machine(request.param)).study()


def test_theorem1_rows_match_the_paper(theorem1) -> None:
    _, verdicts = theorem1
    table = {v.component: v for v in verdicts}
    assert set(table) == set(THEOREM1) | {"pos_encoding"}
    for component, (surgery, rebuilt, pair) in THEOREM1.items():
        rows = table[component].rows
        assert (_cell(rows.get("surgery")), _cell(rows.get("rebuilt")), _cell(rows.get("pair"))) == \
            (surgery, rebuilt, pair), component
    assert all(v.agrees_with_paper for v in verdicts)
    assert table["pos_encoding"].rows["surgery"]["breaks"] is False  # m = 1: the average is x_$
    assert _cell(table["pos_encoding"].rows["probe"]) == (0, 1)


def test_theorem2_rows_and_departures(theorem2) -> None:
    results, verdicts = theorem2
    table = {v.component: v for v in verdicts}
    assert all(v.agrees_with_paper for v in verdicts)
    for component in ("enc0.self_attn.head0", "enc0.self_attn.residual", "dec0.self_attn.residual"):
        assert _cell(table[component].rows["surgery"]) == (0, 1)
        assert table[component].claim == "necessary*" and table[component].paper_claim == "one-of-pair"
    assert _cell(table["dec0.self_attn.head0"].rows["surgery"]) == "ok"  # m = 1: $ is right anyway
    assert _cell(table["dec0.self_attn.head0"].rows["probe"]) == (0, 1)
    assert _cell(table["pos_masking"].rows["surgery"]) == (0, 1)
    assert all(r.agrees_with_paper is not None for r in results)


@pytest.mark.parametrize(("construction", "expected", "bound"),
                         [("bhattamishra-pe", 1, "2^1 - 1 = 1"), ("bhattamishra-mask", 2, "2^2 - 1 = 3")])
def test_without_cross_residual_outputs_stay_bounded(construction: str, expected: int, bound: str) -> None:
    runner = Runner(construction, parse_machine(BB2))
    row, bounded = runner.finite_outputs("dec0.cross_attn.residual",
                                         {"machine": "1RA1RA", "ticks": 240})
    assert row.positions >= 240
    assert row.distinct_outputs == expected
    assert row.reference_distinct_outputs == row.positions  # the intact model keeps counting
    assert bounded and f"(bound {bound})" in row.note


def test_paper_specific_properties_come_from_the_compiled_machine() -> None:
    machine = parse_machine(BB2)
    perez, pe, ss = (get_construction(name).compile(machine)
                     for name in ("perez", "bhattamishra-pe", "siegelmann-sontag"))
    assert pe.output_bound("dec0.cross_attn.residual") == OutputBound(1, "2^1 - 1 = 1")
    assert pe.output_bound("dec0.ffn") is None and perez.output_bound("dec0.cross_attn.residual") is None
    assert [pe.configuration_of_tick(t) for t in (1, 2, 3, 5, 6)] == [0, 0, 1, 1, 2]
    assert all(ss.configuration_of_tick(ss.ticks_for(s)) == s for s in range(5))
    with pytest.raises(UsageError, match="does not run in network ticks"):
        perez.configuration_of_tick(5)
    with pytest.raises(UsageError, match="does not support runs on a permuted input"):
        perez.run_permuted(None, 5, "fraction")
    with pytest.raises(AblationError, match="claims no bound"):
        Runner("perez", machine).finite_outputs("dec0.ffn", {"machine": "1RA1RA", "ticks": 24})


def test_positional_encoding_permutation_invariance() -> None:
    row, invariant = Runner("bhattamishra-pe", parse_machine(BB2)).permutation("pos_encoding", "11")
    assert invariant and "identical" in row.note and "differ" in row.note


def test_perez_every_component_claim_agrees() -> None:
    _, verdicts = Runner("perez", parse_machine(BB3)).study()
    assert len(verdicts) == 23 and all(v.agrees_with_paper for v in verdicts)
    table = {v.component: v.rows["surgery"] for v in verdicts}
    assert table["dec1.self_attn.head0"]["first_divergence_step"] == 1
    assert not table["dec1.ffn"]["breaks"]


def test_all_pairs_cover_every_unordered_pair() -> None:
    rows = Runner("bhattamishra-mask", parse_machine(BB2)).all_pairs()
    assert len(rows) == 11 * 10 // 2
    assert all("+" in r.ablation for r in rows)
    assert next(r for r in rows if r.ablation == "enc0.ffn+dec0.self_attn.head0").breaks is False


def test_compare_dates_the_divergence() -> None:
    reference = list(simulate(parse_machine(BB2)))
    assert compare(reference, Observation(list(reference))) is None
    changed = reference[:2] + [Step(3, reference[2].state, reference[2].head, 1 - reference[2].read,
                                    *(getattr(reference[2], f) for f in ("write", "move", "next_state", "halt")))]
    divergence = compare(reference, Observation(changed))
    assert (divergence.step, divergence.fields) == (2, ("symbol",))
    failed = compare(reference, Observation(reference[:1], error="bad", error_configuration=2))
    assert (failed.step, failed.fields, failed.detail) == (2, ("decoding",), "bad")
