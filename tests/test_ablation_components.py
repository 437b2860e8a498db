"""The component graph names every removable part with the papers' stable names."""

from __future__ import annotations

import pytest

from turing_tx.ablation.components import component_graph, component_names
from turing_tx.ablation.subjects import make_subject
from turing_tx.machines.formats.bbchallenge import parse_machine

BB2 = parse_machine("1RB1LB_1LA1RZ")


def test_perez_lists_every_head_residual_ffn_and_the_encoding() -> None:
    model = make_subject("perez", BB2).model
    names = component_names(model)
    assert names[0] == "pos_encoding"
    assert "pos_masking" not in names
    assert {"enc0.self_attn.head0", "dec0.cross_attn.residual", "dec2.ffn", "dec2.ffn.residual"} <= set(names)
    assert len(names) == 1 + 7 + 11 + 4  # encoding, 7 heads, 11 residuals, 4 FFNs


@pytest.mark.parametrize(("construction", "positional"), [("bhattamishra-pe", "pos_encoding"),
                                                          ("bhattamishra-mask", "pos_masking")])
def test_bhattamishra_positional_part(construction: str, positional: str) -> None:
    names = component_names(make_subject(construction, BB2).model)
    assert names[0] == positional
    assert {"pos_encoding", "pos_masking"} - {positional} & set(names) == set()
    assert len(names) == 11  # 3 heads, 5 residuals, 2 FFNs, and the positional part


def test_graph_edges_follow_the_stream() -> None:
    graph = component_graph(make_subject("bhattamishra-mask", BB2).model)
    assert graph.edges["pos_masking", "enc0.self_attn.head0"]["kind"] == "mask"
    assert graph.edges["enc0.ffn.residual", "dec0.cross_attn.head0"]["kind"] == "memory"
    assert graph.has_edge("dec0.cross_attn.residual", "dec0.ffn")
    assert graph.nodes["enc0.ffn"]["inert"] and not graph.nodes["dec0.ffn"]["inert"]
