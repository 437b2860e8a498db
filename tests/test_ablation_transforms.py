"""Ablations are model transformations with canonical names; the interpreter sees only a model."""

from __future__ import annotations

from fractions import Fraction

import pytest

from turing_tx.ablation.subjects import make_subject
from turing_tx.ablation.transforms import AblationError, parse_ablation
from turing_tx.machines.formats.bbchallenge import parse_machine

BB3 = parse_machine("1RB1RZ_1LB0RC_1LC1LA")


@pytest.fixture(scope="module")
def perez():
    return make_subject("perez", BB3)


def _head(model, name):
    return next(h for h in model.heads() if h.name == name)


def test_removals_change_only_their_part(perez) -> None:
    model = perez.model
    ablated = parse_ablation("dec2.self_attn.head0+dec0.cross_attn.residual+dec2.ffn+pos_encoding", model).apply(model)
    assert _head(ablated, "dec2.self_attn.head0").value.is_zero
    assert not _head(model, "dec2.self_attn.head0").value.is_zero
    assert not next(r for r in ablated.residuals() if r.name == "dec0.cross_attn.residual").enabled
    assert all(r.enabled for r in ablated.residuals() if r.name != "dec0.cross_attn.residual")
    assert ablated.decoder[2].ffn.is_inert and not ablated.decoder[0].ffn.is_inert
    assert ablated.positional_encoding is None
    assert ablated.ablations == ("dec2.self_attn.head0+dec0.cross_attn.residual+dec2.ffn+pos_encoding",)


def test_pos_masking_unmasks_only_the_encoder() -> None:
    model = make_subject("bhattamishra-mask", parse_machine("1RB1LB_1LA1RZ")).model
    ablated = parse_ablation("pos_masking", model).apply(model)
    assert _head(ablated, "enc0.self_attn.head0").pattern.kind == "all"
    assert _head(ablated, "dec0.self_attn.head0").pattern.kind == "causal"


@pytest.mark.parametrize(("text", "canonical"), [
    ("softmax(tau=0.1)", "softmax(tau=1/10)"),
    ("dec2.self_attn.window=8", "dec2.self_attn.window=8"),
    ("dec2.self_attn.strided(w=2,stride=4)", "dec2.self_attn.strided(stride=4,w=2)"),
    ("dec1.self_attn.favor(m=8)", "dec1.self_attn.favor(m=8,seed=0,tau=1)"),
    ("dec0.cross_attn.residual.scale=2/4", "dec0.cross_attn.residual.scale=1/2"),
    ("precision=mpmath:24", "precision=mpmath:24"),
])
def test_canonical_names(perez, text: str, canonical: str) -> None:
    assert parse_ablation(text, perez.model).name == canonical


def test_pattern_normalizer_and_scale_reach_the_heads(perez) -> None:
    model = perez.model
    ablated = parse_ablation("dec2.self_attn.window=3+softmax(tau=1/5)+dec1.self_attn.residual.scale=2",
                             model).apply(model)
    assert _head(ablated, "dec2.self_attn.head0").pattern.get("w") == 3
    assert _head(ablated, "dec2.cross_attn.head0").pattern.kind == "all"
    assert _head(ablated, "dec2.cross_attn.head0").normalizer.temperature == Fraction(1, 5)
    assert _head(ablated, "dec0.self_attn.head0").normalizer.kind == "hardmax"  # inert heads untouched
    assert next(r for r in ablated.residuals() if r.name == "dec1.self_attn.residual").scale == 2


@pytest.mark.parametrize("text", ["dec9.ffn", "dec2.cross_attn.favor(m=4)", "softmax(tau=0)", "precision=gmpy2",
                                  "window=3", "dec2.ffn+dec2.ffn", "dec7.self_attn.window=2"])
def test_bad_names_are_one_line_errors(perez, text: str) -> None:
    with pytest.raises(AblationError) as info:
        parse_ablation(text, perez.model)
    assert "\n" not in str(info.value)


def test_unit_scale_and_inert_removal_change_nothing(perez) -> None:
    for name in ("dec0.cross_attn.residual.scale=1", "enc0.ffn", "dec1.cross_attn.head0"):
        observation = perez.observe(parse_ablation(name, perez.model).apply(perez.model), "gmpy2", 21)
        assert len(observation.steps) == 21 and observation.error is None


def test_admin_scaling_breaks(perez) -> None:
    ablated = parse_ablation("dec0.cross_attn.residual.scale=1/2", perez.model).apply(perez.model)
    observation = perez.observe(ablated, "gmpy2", 21)
    assert observation.error is not None or len(observation.steps) < 21
