"""The component graph of a compiled model: every removable part as a named node.

Ablation studies name parts the way the papers do (``dec0.cross_attn.residual``), so the first job is
to list them. :func:`component_graph` returns a :class:`networkx.DiGraph` whose nodes are

- every attention head (``enc0.self_attn.head0``), kind ``head``;
- every residual connection (``dec0.cross_attn.residual``), kind ``residual``;
- every feed-forward block (``dec2.ffn``), kind ``ffn``;
- the positional encoding (``pos_encoding``), kind ``positional_encoding``, when the model has one;
- the positional masking (``pos_masking``), kind ``masking``, when an encoder self-attention head is
  masked to prefixes (Bhattamishra et al. Theorem 2).

Edges follow the residual stream: every part of a sublayer feeds every part of the next sublayer
(``stream``), the encoder's last sublayer feeds each decoder–encoder head (``memory``), the positional
encoding feeds the first sublayers (``stream``) and the masking constrains the heads it masks
(``mask``). Node attributes: ``kind``, ``layer``, ``sublayer``, ``inert`` (contributes nothing in
the compiled model), ``order`` (a stable listing order).
"""

from __future__ import annotations

from collections.abc import Iterator

import networkx as nx

from turing_tx.engine.model import Attention, FeedForward, Layer, Model

POS_ENCODING = "pos_encoding"
POS_MASKING = "pos_masking"


def masked_encoder_heads(model: Model) -> list[str]:
    """Encoder self-attention heads restricted to prefixes: the positional masking of Theorem 2."""
    return [head.name for layer in model.encoder for head in layer.self_attn.heads
            if head.pattern.kind == "causal"]


def _sublayer_parts(sublayer: Attention | FeedForward) -> Iterator[tuple[str, str, bool]]:
    """(name, kind, inert) of the block(s) and the residual of one sublayer."""
    if isinstance(sublayer, Attention):
        for head in sublayer.heads:
            yield head.name, "head", head.is_inert
    else:
        yield sublayer.name, "ffn", sublayer.is_inert
    yield sublayer.residual.name, "residual", False


def component_graph(model: Model) -> nx.DiGraph:
    """The named, removable parts of ``model`` and how the residual stream connects them."""
    graph = nx.DiGraph(construction=model.construction)
    order = 0

    def add(name: str, **attributes: object) -> None:
        nonlocal order
        graph.add_node(name, order=order, **attributes)
        order += 1

    if model.positional_encoding is not None:
        add(POS_ENCODING, kind="positional_encoding", layer=None, sublayer=None, inert=False)
    masked = masked_encoder_heads(model)
    if masked:
        add(POS_MASKING, kind="masking", layer=None, sublayer=None, inert=False)

    def stack(layers: tuple[Layer, ...]) -> list[str]:
        previous: list[str] = [POS_ENCODING] if model.positional_encoding is not None else []
        for layer in layers:
            for sublayer in layer.sublayers():
                names = []
                for name, kind, inert in _sublayer_parts(sublayer):
                    add(name, kind=kind, layer=layer.name, sublayer=sublayer.name, inert=inert)
                    names.append(name)
                    graph.add_edges_from(((p, name) for p in previous), kind="stream")
                if isinstance(sublayer, Attention) and sublayer.source == "encoder":
                    graph.add_edges_from(((e, h.name) for e in encoder_out for h in sublayer.heads),
                                         kind="memory")
                previous = names
        return previous

    encoder_out: list[str] = []
    encoder_out = stack(model.encoder)
    stack(model.decoder)
    graph.add_edges_from(((POS_MASKING, head) for head in masked), kind="mask")
    return graph


def component_names(model: Model) -> list[str]:
    """Every component name of ``model`` in a stable order (positional parts first, then by layer)."""
    graph = component_graph(model)
    return sorted(graph.nodes, key=lambda n: graph.nodes[n]["order"])


def component_table(model: Model) -> list[dict[str, object]]:
    """One row per component: name, kind, layer, sublayer, inert (for listings and reports)."""
    graph = component_graph(model)
    return [{"name": name, **{k: graph.nodes[name][k] for k in ("kind", "layer", "sublayer", "inert")}}
            for name in component_names(model)]
