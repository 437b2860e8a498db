"""Bhattamishra et al. Theorems 1 and 2 at the RNN level: a two-unit toy RNN value by value, random RNNs
through every form, widths, options, decoding and the claims table."""

from __future__ import annotations

import itertools
from dataclasses import replace
from fractions import Fraction as F

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from turing_tx.constructions.bhattamishra import (
    RESIDUALS,
    compile_rnn_transformer,
    compile_theorem1,
    compile_theorem2,
    decode_hidden,
    rebuild_without,
    run_rnn_transformer,
    tokens,
)
from turing_tx.engine.interpreter import Interpreter
from turing_tx.engine.linear import LinearMap
from turing_tx.engine.model import Model
from turing_tx.engine.numbers import DEFAULT_BACKEND
from turing_tx.engine.patterns import ALL
from turing_tx.errors import DecodingError, ModelError, UsageError
from turing_tx.rnn.network import RNN

WORD = ["a", "$"]
CROSS = "dec0.cross_attn.head0"

THEOREM1_FORMS = [dict(zip(("form", "cross_score", "encoder_self", "encoder_ffn", "decoder_self"), values,
                           strict=True))
                  for values in itertools.product(("full", "paper"), ("negabs", "dot"), ("inert", "self-select"),
                                                  ("inert", "identity"), ("inert", "self-select"))]
THEOREM2_FORMS = [{"form": form, "encoder_ffn": ffn} for form in ("full", "paper") for ffn in ("inert", "identity")]
ALL_FORMS = [(1, options) for options in THEOREM1_FORMS] + [(2, options) for options in THEOREM2_FORMS]


@pytest.fixture(scope="module")
def example() -> RNN:
    """A two-unit toy RNN: d_h = 2, Σ_x = {a, $}, h_0 = 0."""
    return RNN(("u1", "u2"), ("a", "$"),
               w_h={"u1": {"u1": F(1, 2), "u2": F(1, 3)}, "u2": {"u1": F(-1), "u2": F(1, 4)}},
               w_x={"u1": {"a": F(1)}, "u2": {"a": F(1, 2), "$": F(1, 3)}},
               bias={"u1": F(1, 8)}, h0={})


def ablate(model: Model, component: str) -> Model:
    """Surgery (docs/ablation.md, "The protocol"): ``model`` with ``component`` removed and every other
    weight unchanged. A removed head or FFN contributes 0, a removed residual passes nothing, a removed
    mask sees everything."""
    if component == "pos_encoding":
        return replace(model, positional_encoding=None)
    if component == "pos_masking":
        return ablate_heads(model, "enc0.self_attn.head0", lambda head: replace(head, pattern=ALL))

    def part(p):
        if p is None:
            return p
        if p.residual.name == component:
            return replace(p, residual=replace(p.residual, enabled=False))
        if p.name == component:  # an FFN
            return replace(p, hidden=(), w1=LinearMap.zero(), b1={}, w2=LinearMap.zero(), b2={})
        return p

    def layer(l):
        return replace(l, self_attn=part(l.self_attn), ffn=part(l.ffn), cross_attn=part(l.cross_attn))

    model = replace(model, encoder=tuple(map(layer, model.encoder)), decoder=tuple(map(layer, model.decoder)))
    return ablate_heads(model, component, lambda head: replace(head, value=LinearMap.zero()))


def ablate_heads(model: Model, name: str, change) -> Model:
    """``model`` with ``change`` applied to the head called ``name``."""
    def attention(a):
        return None if a is None else replace(a, heads=tuple(change(h) if h.name == name else h for h in a.heads))

    def layer(l):
        return replace(l, self_attn=attention(l.self_attn), cross_attn=attention(l.cross_attn))

    return replace(model, encoder=tuple(map(layer, model.encoder)), decoder=tuple(map(layer, model.decoder)))


def sublayer(step, name: str) -> dict[str, F]:
    return step.vector(step.sublayers[name])


def encoded(model: Model, word: list[str]) -> list[dict[str, F]]:
    interpreter = Interpreter(model, DEFAULT_BACKEND)
    names = list(model.coords)
    return [{names[i]: interpreter.backend.to_fraction(v) for i, v in enumerate(e) if v}
            for e in interpreter.encode(word)]


def score_pair(vector: dict[str, F]) -> tuple[F, F]:
    """A query or key in the two-dimensional score space, as (a, b)."""
    return vector.get("a", F(0)), vector.get("b", F(0))


def scores(head, z: dict[str, F], memory: list[dict[str, F]]) -> list[F]:
    q = head.query.apply(z)
    products = [sum((q[n] * k[n] for n in q if n in k), F(0)) for k in map(head.key.apply, memory)]
    return [-abs(p) for p in products] if head.score == "negabs" else products


def cross_head(model: Model):
    return next(h for h in model.heads() if h.name == CROSS)


def ffn_preactivations(model: Model, u: dict[str, F]) -> list[F]:
    ffn = model.decoder[0].ffn
    pre = ffn.w1.apply(u)
    return [pre.get(unit, F(0)) + ffn.b1.get(unit, F(0)) for unit in ("p:u1", "n:u1", "p:u2", "n:u2")]


# -- the toy RNN, value by value --------------------------------------------------------------------

def test_example_rnn_table(example):
    assert list(example.run(WORD, 3)) == [{"u1": F(1), "u2": F(1, 2)}, {"u1": F(19, 24), "u2": F(0)},
                                          {"u1": F(25, 48), "u2": F(0)}]


THEOREM1_ROWS = [
    # y_t, q_t (negabs), negabs scores, dot scores, picked (1-based), FFN pre-activations, o_t
    ({"pos:1": 1, "pos:1/i": 1, "pos:1/i^2": 1}, (1, -1), (0, F(-1, 2)), (1, F(3, 4)), 1,
     (F(9, 8), F(1, 8), F(1, 2), F(-1, 2)), {"h:u1": 1, "h:u2": F(1, 2)}),
    ({"h:u1": 1, "h:u2": F(1, 2), "pos:1": 1, "pos:1/i": F(1, 2), "pos:1/i^2": F(1, 4)}, (F(1, 2), -1),
     (F(-1, 2), 0), (0, F(1, 4)), 2, (F(19, 24), F(-5, 24), F(-13, 24), F(-37, 24)), {"h:u1": F(19, 24)}),
    ({"h:u1": F(19, 24), "pos:1": 1, "pos:1/i": F(1, 3), "pos:1/i^2": F(1, 9)}, (F(1, 3), -1),
     (F(-2, 3), F(-1, 6)), (F(-1, 3), F(1, 12)), 2, (F(25, 48), F(-23, 48), F(-11, 24), F(-35, 24)),
     {"h:u1": F(25, 48)}),
]


@pytest.mark.parametrize("score", ["negabs", "dot"])
@pytest.mark.parametrize("form", ["full", "paper"])
def test_example_theorem1(example, score, form):
    model = compile_theorem1(example, form=form, cross_score=score)
    memory = encoded(model, WORD)
    assert memory == [{"x:a": 1, "pos:1": 1, "pos:1/i": 1, "pos:1/i^2": 1},
                      {"x:$": 1, "pos:1": 1, "pos:1/i": F(1, 2), "pos:1/i^2": F(1, 4)}]
    head = cross_head(model)
    expected_keys = [(1, 1), (1, F(1, 2))] if score == "negabs" else [(1, 1), (F(1, 2), F(1, 4))]
    assert [score_pair(head.key.apply(e)) for e in memory] == expected_keys
    run = Interpreter(model, DEFAULT_BACKEND, record_sublayers=True, record_attention=True).run(WORD, 3)
    for t, (step, row) in enumerate(zip(run, THEOREM1_ROWS, strict=True), start=1):
        y, q, negabs, dot, picked, pre, out = row
        z = sublayer(step, "dec0.self_attn")
        assert z == y  # the inert self-attention passes y_t through
        assert score_pair(head.query.apply(z)) == (q if score == "negabs" else (2 * q[0], q[1]))
        assert scores(head, z, memory) == list(negabs if score == "negabs" else dot)
        assert list(step.attention[CROSS]) == [picked - 1]
        u = sublayer(step, "dec0.cross_attn")
        assert u == {**y, f"x:{WORD[picked - 1]}": 1}
        assert ffn_preactivations(model, u) == list(pre)
        assert step.vector() == out, f"tick {t}"


def test_example_full_form_cancellation_units(example):
    model = compile_theorem1(example)
    ffn = model.decoder[0].ffn
    step = list(Interpreter(model, DEFAULT_BACKEND, record_sublayers=True).run(WORD, 2))[1]
    pre = ffn.w1.apply(sublayer(step, "dec0.cross_attn"))
    cancel = {unit: value for unit, value in pre.items() if unit.startswith("c:")}
    assert cancel == {"c:h:u1": 1, "c:h:u2": F(1, 2), "c:x:$": 1, "c:pos:1": 1, "c:pos:1/i": F(1, 2),
                      "c:pos:1/i^2": F(1, 4)}


THEOREM2_ROWS = [
    # y_t, decoder average of start, q_t, scores (i = 1, 2, 3), picked, o_t
    ({"one": 1, "start": 1}, 1, (1, -2), (-1, 0, F(-1, 3)), 2, {"h:u1": 1, "h:u2": F(1, 2), "one": 1}),
    ({"h:u1": 1, "h:u2": F(1, 2), "one": 1}, F(1, 2), (F(1, 2), F(-3, 2)), (-1, F(-1, 4), 0), 3,
     {"h:u1": F(19, 24), "one": 1}),
    ({"h:u1": F(19, 24), "one": 1}, F(1, 3), (F(1, 3), F(-4, 3)), (-1, F(-1, 3), F(-1, 9)), 3,
     {"h:u1": F(25, 48), "one": 1}),
]


@pytest.mark.parametrize("form", ["full", "paper"])
def test_example_theorem2(example, form):
    model = compile_theorem2(example, form=form)
    encoder_tokens = tokens(WORD, 2)
    assert encoder_tokens == ["#", "a", "$"]
    memory = encoded(model, encoder_tokens)
    assert memory == [{"start": 1, "one": 1, "pos:1/i": 1}, {"x:a": 1, "one": 1, "pos:1/i": F(1, 2)},
                      {"x:$": 1, "one": 1, "pos:1/i": F(1, 3)}]
    head = cross_head(model)
    assert [score_pair(head.key.apply(e)) for e in memory] == [(1, 1), (1, F(1, 2)), (1, F(1, 3))]
    previous = dict(model.decoder_seed)
    run = Interpreter(model, DEFAULT_BACKEND, record_sublayers=True, record_attention=True).run(encoder_tokens, 3)
    for step, (y, average, q, expected_scores, picked, out) in zip(run, THEOREM2_ROWS, strict=True):
        assert previous == y
        z = sublayer(step, "dec0.self_attn")
        assert z == {**y, "pos:1/i": average}
        assert score_pair(head.query.apply(z)) == q
        assert scores(head, z, memory) == list(expected_scores)
        assert list(step.attention[CROSS]) == [picked - 1]
        assert ffn_preactivations(model, sublayer(step, "dec0.cross_attn")) == \
            ffn_preactivations(compile_theorem1(example), sublayer(step, "dec0.cross_attn"))
        assert step.vector() == out
        previous = step.vector()


# -- random RNNs through every form ---------------------------------------------------------------

fractions = st.builds(F, st.integers(-4, 4), st.integers(1, 4))


@st.composite
def rnns(draw) -> tuple[RNN, list[str]]:
    """A random rational RNN (2–6 units, 1–3 symbols; h_0 may be negative) and an input word."""
    units = tuple(f"u{j}" for j in range(draw(st.integers(2, 6))))
    inputs = tuple("abc"[:draw(st.integers(1, 3))])
    matrix = st.fixed_dictionaries
    rnn = RNN(units, inputs,
              w_h=draw(matrix({j: matrix({k: fractions for k in units}) for j in units})),
              w_x=draw(matrix({j: matrix({a: fractions for a in inputs}) for j in units})),
              bias=draw(matrix({j: fractions for j in units})),
              h0=draw(matrix({j: st.builds(F, st.integers(-2, 3), st.just(3)) for j in units})))
    word = draw(st.lists(st.sampled_from(inputs), min_size=1, max_size=6))
    return rnn, word


TICKS = 32


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rnns())
def test_random_rnns_every_form(case):
    rnn, word = case
    expected = list(rnn.run(word, TICKS))
    for theorem, options in ALL_FORMS:
        model = compile_rnn_transformer(rnn, theorem, **options)
        assert list(run_rnn_transformer(model, rnn, word, TICKS)) == expected, (theorem, options)


@settings(max_examples=10, deadline=None)
@given(rnns(), st.sampled_from([1, 2]))
def test_finite_outputs_without_cross_residual(case, theorem):
    """Without the decoder–encoder residual, at most 2^N_enc − 1 distinct decoder outputs."""
    rnn, word = case
    model = compile_rnn_transformer(rnn, theorem, residuals={"dec0.cross_attn.residual": False})
    run = Interpreter(model, DEFAULT_BACKEND).run(tokens(word, theorem), 40)
    outputs = {tuple(sorted(step.vector().items())) for step in run}
    assert len(outputs) <= 2 ** len(tokens(word, theorem)) - 1


@pytest.mark.parametrize(("theorem", "options"), ALL_FORMS)
def test_negative_initial_state(example, theorem, options):
    """h_0 outside [0, 1]: the full form cancels h with ReLU(v) − ReLU(−v)."""
    rnn = replace(example, h0={"u1": F(-2, 3), "u2": F(3, 2)})
    model = compile_rnn_transformer(rnn, theorem, **options)
    assert list(run_rnn_transformer(model, rnn, WORD, 4)) == list(rnn.run(WORD, 4))
    extra = 1 if options["form"] == "full" else 0
    assert len(model.decoder[0].ffn.hidden) == len(compile_rnn_transformer(example, theorem, **options)
                                                   .decoder[0].ffn.hidden) + extra


# -- sizes ----------------------------------------------------------------------------------------

@pytest.mark.parametrize(("theorem", "options"), ALL_FORMS)
def test_widths_layers_heads(example, theorem, options):
    model = compile_rnn_transformer(example, theorem, **options)
    d_h, inputs = 2, 2
    d = d_h + inputs + 3
    assert model.width == d == model.metadata["paper_width"]
    assert len(model.encoder) == len(model.decoder) == 1
    assert sum(1 for _ in model.heads()) == 3
    full = {1: 2 * d_h + d, 2: 2 * d_h + d - 1}[theorem]
    assert len(model.decoder[0].ffn.hidden) == (full if options["form"] == "full" else 2 * d_h)
    assert len(model.encoder[0].ffn.hidden) == (d if options["encoder_ffn"] == "identity" else 0)
    assert model.metadata["theorem"] == theorem and model.metadata["form"] == options["form"]
    assert model.metadata["rnn_units"] == d_h


def test_residuals_follow_the_forms(example):
    model = compile_theorem1(example, form="paper", encoder_self="self-select", encoder_ffn="identity",
                             decoder_self="self-select")
    assert {r.name: r.enabled for r in model.residuals()} == {
        "enc0.self_attn.residual": False, "enc0.ffn.residual": False, "dec0.self_attn.residual": False,
        "dec0.cross_attn.residual": True, "dec0.ffn.residual": False}
    standard = compile_theorem2(example)
    assert all(r.enabled for r in standard.residuals())
    assert [r.name for r in standard.residuals()] == list(RESIDUALS)


def test_residual_override_matches_surgery(example):
    name = "dec0.cross_attn.residual"
    rebuilt = compile_theorem1(example, residuals={name: False})
    assert rebuilt.metadata["residuals"][name] is False
    assert replace(rebuilt, metadata={}) == replace(ablate(compile_theorem1(example), name), metadata={})


# -- options, tokens, decoding --------------------------------------------------------------------

@pytest.mark.parametrize(("theorem", "options"), [
    (1, {"form": "half"}), (1, {"cross_score": "softmax"}), (1, {"encoder_self": "identity"}),
    (1, {"residuals": {"dec0.nothing.residual": False}}), (2, {"cross_score": "dot"}),
    (2, {"decoder_self": "self-select"}), (3, {}),
])
def test_bad_options(example, theorem, options):
    with pytest.raises(UsageError):
        compile_rnn_transformer(example, theorem, **options)


def test_start_marker_clash():
    rnn = RNN(("u",), ("#", "$"), {}, {}, {}, {})
    with pytest.raises(ModelError, match="start marker"):
        compile_theorem2(rnn)
    assert compile_theorem1(rnn).width == 6


def test_tokens_and_word_checks(example):
    assert tokens(["a", "a", "$"], 1) == ["a", "a", "$"]
    assert tokens(["$"], 2) == ["#", "$"]
    with pytest.raises(UsageError):
        tokens([], 1)
    with pytest.raises(UsageError, match="alphabet"):
        list(run_rnn_transformer(compile_theorem1(example), example, ["b"], 1))


@pytest.mark.parametrize("theorem", [1, 2])
def test_decoding_checks_the_invariant(example, theorem):
    """Without the decoder-FFN residual the full form's cancellation units leave −x and −pos behind."""
    ablated = ablate(compile_rnn_transformer(example, theorem), "dec0.ffn.residual")
    with pytest.raises(DecodingError, match="tick 1: decoder output has"):
        next(run_rnn_transformer(ablated, example, WORD, 3))
    raw = next(run_rnn_transformer(ablated, example, WORD, 3, check=False))
    assert raw == {"u1": F(1), "u2": F(1, 2)}  # h_1 − h_0 with h_0 = 0: the h block alone is right


def test_decode_hidden_theorem2_needs_one(example):
    model = compile_theorem2(example, form="paper")
    step = next(Interpreter(model, DEFAULT_BACKEND).run(tokens(WORD, 2), 1))
    assert decode_hidden(step) == {"u1": 1, "u2": F(1, 2)}
    layer = model.decoder[0]
    no_bias = replace(model, decoder=(replace(layer, ffn=replace(layer.ffn, b2={})),))
    step = next(Interpreter(no_bias, DEFAULT_BACKEND).run(tokens(WORD, 2), 1))
    with pytest.raises(DecodingError, match="one = 0, expected 1"):
        decode_hidden(step)
    assert decode_hidden(step, check=False) == {"u1": 1, "u2": F(1, 2)}


# -- claims ---------------------------------------------------------------------------------------

def claims_tables() -> dict[int, dict]:  # noqa: N802 - reads like the table it returns
    """The claims tables of both theorems, by theorem."""
    from turing_tx.ablation.claims import claims_for

    return {1: claims_for("bhattamishra-pe").components, 2: claims_for("bhattamishra-mask").components}


def test_claims_table():
    pairs = {1: {"enc0.self_attn.head0": "enc0.self_attn.residual", "enc0.ffn": "enc0.ffn.residual",
                 "dec0.self_attn.head0": "dec0.self_attn.residual"},
             2: {"enc0.ffn": "enc0.ffn.residual"}}
    necessary_star = ["enc0.self_attn.head0", "enc0.self_attn.residual", "dec0.self_attn.head0",
                      "dec0.self_attn.residual"]
    for theorem, claims in claims_tables().items():
        kinds = {name: claim.claim for name, claim in claims.items()}
        for block, residual in pairs[theorem].items():
            assert kinds[block] == kinds[residual] == "one-of-pair"
            assert claims[block].partner == residual and claims[residual].partner == block
        for name in ("dec0.cross_attn.head0", "dec0.cross_attn.residual", "dec0.ffn"):
            assert kinds[name] == "necessary" and claims[name].rebuild is None
        assert kinds["dec0.ffn.residual"] == "not-needed"
        assert kinds.get("pos_encoding" if theorem == 1 else "pos_masking") == "necessary"
        assert len(claims) == 11
    assert all(claims_tables()[2][name].claim == "necessary*" and claims_tables()[2][name].paper == "one-of-pair"
               for name in necessary_star)


@pytest.mark.parametrize(("theorem", "component"),
                         [(t, name) for t, claims in claims_tables().items() for name in claims])
def test_rebuild_without_each_component(example, theorem, component):
    """Each rebuild does without its component and reproduces the RNN; otherwise none exists."""
    model = rebuild_without(example, theorem, component)
    claim = claims_tables()[theorem][component]
    if claim.claim in ("necessary", "necessary*"):
        assert model is None
        return
    parts = {r.name: r.enabled for r in model.residuals()}
    parts |= {h.name: not h.is_inert for h in model.heads()}
    parts |= {layer.ffn.name: not layer.ffn.is_inert for layer in model.layers()}
    assert parts[component] is False
    assert list(run_rnn_transformer(model, example, ["a", "a", "$"], 12)) == list(example.run(["a", "a", "$"], 12))


def test_rebuild_without_unknown_component(example):
    with pytest.raises(UsageError):
        rebuild_without(example, 2, "pos_encoding")
