"""The claims tables are data shipped with each construction; the verdict rules apply them."""

from __future__ import annotations

from turing_tx.ablation.claims import ComponentClaim, Evidence, claims_for, verdict
from turing_tx.ablation.components import component_names
from turing_tx.ablation.subjects import make_subject
from turing_tx.machines.formats.bbchallenge import parse_machine


def test_every_perez_component_has_a_claim() -> None:
    model = make_subject("perez", parse_machine("1RB1LB_1LA1RZ")).model
    assert set(claims_for("perez").components) == set(component_names(model))


def test_verdict_rules() -> None:
    pair = ComponentClaim("x", "one-of-pair", "y", {})
    assert verdict(pair, Evidence(surgery_breaks=True, rebuild_exact=True, pair_breaks=True))[0]
    assert not verdict(pair, Evidence(rebuild_exact=False, pair_breaks=True))[0]
    necessary = ComponentClaim("x", "necessary")
    assert verdict(necessary, Evidence(surgery_breaks=False, probe_breaks=True))[0]
    assert not verdict(necessary, Evidence(surgery_breaks=True, bounded_outputs=False))[0]
    assert not verdict(ComponentClaim("x", "not-needed"), Evidence(rebuild_exact=False))[0]
