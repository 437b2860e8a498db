"""Turing machines through Siegelmann–Sontag and Bhattamishra et al. Theorems 1 and 2
(docs/constructions/bhattamishra.md): lockstep runs, widths, every form, the aⁿbⁿ table, surgery spot checks."""

from __future__ import annotations

import pytest
from test_bhattamishra import ALL_FORMS, ablate

from turing_tx.constructions.bhattamishra import BHATTAMISHRA_MASK, BHATTAMISHRA_PE, BhattamishraConstruction
from turing_tx.constructions.lockstep import verify
from turing_tx.constructions.registry import get_construction
from turing_tx.engine.interpreter import Interpreter
from turing_tx.engine.numbers import DEFAULT_BACKEND
from turing_tx.errors import DecodingError, UsageError
from turing_tx.machines.formats.bbchallenge import parse_machine
from turing_tx.machines.simulator import RunRecord

BB2, BB3 = "1RB1LB_1LA1RZ", "1RB1RZ_1LB0RC_1LC1LA"
ANBN = "1RZ0RB2RZ_0LC1RB2RB_2RZ2RZ0LD_0RA1LD2LD"
ACCEPTED = ["", "12", "1122", "111222"]
REJECTED = ["1212", "2211", "21", "112", "122", "1", "2", "11122", "1221"]
BOTH = [BHATTAMISHRA_PE, BHATTAMISHRA_MASK]


def run(construction: BhattamishraConstruction, code: str, word: tuple[int, ...] = (), **options):
    """(compiled, verification, final record) of a full lockstep run."""
    machine = parse_machine(code)
    compiled = construction.compile(machine, word, **options)
    result = verify(compiled, None, keep=True)
    return compiled, result, RunRecord.start(machine, word).consume(result.decoded)


def test_entry_points():
    assert get_construction("bhattamishra-pe") is BHATTAMISHRA_PE
    assert get_construction("bhattamishra-mask") is BHATTAMISHRA_MASK
    assert "Theorem 1" in BHATTAMISHRA_PE.paper and "Theorem 2" in BHATTAMISHRA_MASK.paper


@pytest.mark.parametrize("construction", BOTH)
@pytest.mark.parametrize(("code", "steps", "nonblank", "width", "d_h"), [(BB2, 6, 4, 37, 32), (BB3, 21, 5, 42, 37)])
def test_busy_beavers(construction, code, steps, nonblank, width, d_h):
    compiled, result, record = run(construction, code)
    assert result.verified, result.detail
    assert (result.steps, record.halted, record.tape.nonblank) == (steps, True, nonblank)
    assert compiled.dimension == compiled.model.width == width
    assert compiled.rnn.size == d_h and compiled.tokens == (["$"] if construction is BHATTAMISHRA_PE else ["#", "$"])
    summary = compiled.describe()
    theorem = summary["theorem"]
    assert summary | {"ffn_hidden": None} == {
        "construction": construction.name, "theorem": theorem, "d": width, "d_h": d_h, "input_alphabet": 2,
        "encoder_layers": 1, "decoder_layers": 1, "heads": 3, "ffn_hidden": None, "ticks_per_step": 3,
        "paper_formula": "d = (2k+1)|Q| + 5k + 17", "paper_width": width, "extension": 0,
        "encoder_tokens": theorem}
    assert summary["ffn_hidden"] == {"enc0.ffn": 0, "dec0.ffn": 2 * d_h + width - (theorem - 1)}


@pytest.mark.parametrize(("theorem", "options"), ALL_FORMS)
def test_every_form_runs_bb2(theorem, options):
    compiled, result, record = run(BOTH[theorem - 1], BB2, **options)
    assert result.verified and result.steps == 6 and record.tape.nonblank == 4, result.detail
    assert compiled.model.metadata["options"] == options


@pytest.mark.parametrize("construction", BOTH)
@pytest.mark.parametrize("text", ACCEPTED + REJECTED)
def test_anbn_recognizer(construction, text):
    word = tuple(int(c) for c in text)
    compiled, result, record = run(construction, ANBN, word)
    assert result.verified, result.detail
    assert record.halted
    accepted = record.tape.cells == {record.tape.span()[0]: 1} and record.tape.nonblank == 1
    assert accepted == (text in ACCEPTED)
    assert compiled.dimension == 60 and len(compiled.tokens) == len(word) + construction.theorem


def test_anbn_1122_is_51_ticks():
    compiled, result, _ = run(BHATTAMISHRA_PE, ANBN, (1, 1, 2, 2))
    assert result.steps == 15 and compiled.ss.ticks_for(result.steps) == 51


def test_blank_input_cells_extend_the_width():
    compiled, result, _ = run(BHATTAMISHRA_MASK, ANBN, (1, 0, 2))
    assert result.verified, result.detail
    assert compiled.describe()["extension"] == 2 and compiled.dimension == 62


@pytest.mark.parametrize(("construction", "distinct"), [(BHATTAMISHRA_PE, 1), (BHATTAMISHRA_MASK, 2)])
def test_cross_residual_surgery_bounds_the_outputs(construction, distinct):
    """`1RA1RA` for 240 ticks; without the decoder–encoder residual 1 (Thm 1) / 2 (Thm 2)
    distinct outputs, within the bound 2^N_enc − 1, while the intact model's keep growing."""
    compiled = construction.compile(parse_machine("1RA1RA"))

    def outputs(model) -> int:
        steps = Interpreter(model, DEFAULT_BACKEND).run(compiled.tokens, 240)
        return len({tuple(sorted(step.vector().items())) for step in steps})

    assert outputs(compiled.model) == 240
    assert outputs(ablate(compiled.model, "dec0.cross_attn.residual")) == distinct
    assert distinct <= 2 ** len(compiled.tokens) - 1


@pytest.mark.parametrize(("construction", "residual", "detail"), [
    (BHATTAMISHRA_PE, "dec0.cross_attn.residual", r"tick 2: no unique control unit equal to 1 \(all zero\)"),
    (BHATTAMISHRA_PE, "dec0.self_attn.residual", "tick 2: no unique control unit equal to 1"),
    (BHATTAMISHRA_PE, "dec0.ffn.residual", r"tick 1: decoder output has x:\$ = -1"),
    (BHATTAMISHRA_MASK, "dec0.cross_attn.residual", "tick 1: decoder output has one = 0"),
    (BHATTAMISHRA_MASK, "enc0.ffn.residual", "tick 2: no unique control unit equal to 1"),
])
def test_ablated_models_fail_as_decoding_errors(construction, residual, detail):
    compiled = construction.compile(parse_machine(BB2))
    ablated = ablate(compiled.model, residual)
    with pytest.raises(DecodingError, match=detail):
        list(compiled.trace(None, model=ablated))
    assert verify(compiled, None).verified  # the compiled model itself is untouched


def test_states_unchecked_and_bits():
    compiled = BHATTAMISHRA_PE.compile(parse_machine(BB2))
    ablated = ablate(compiled.model, "dec0.ffn.residual")
    assert len(list(compiled.states(5, model=ablated, check=False))) == 5
    assert list(compiled.states(20)) == list(compiled.rnn.run(compiled.rnn_word, 20))
    assert compiled.max_bits is None
    list(compiled.trace(None, track_bits=True))
    assert compiled.max_bits == 9  # the RNN's own 9 bits (its stack values); t² ≤ 400 fits
    with pytest.raises(UsageError, match="cannot replace"):
        list(compiled.trace(None, model=compiled.rnn))


SURGERY_BB2 = {  # observed: first tick at which h_t differs from the RNN's, BB(2), full model (None: never)
    1: {"enc0.self_attn.head0": None, "enc0.self_attn.residual": 1, "enc0.ffn": None, "enc0.ffn.residual": 1,
        "dec0.self_attn.head0": None, "dec0.self_attn.residual": 2, "dec0.cross_attn.head0": 1,
        "dec0.cross_attn.residual": 2, "dec0.ffn": 1, "dec0.ffn.residual": 1, "pos_encoding": None},
    2: {"enc0.self_attn.head0": 1, "enc0.self_attn.residual": 1, "enc0.ffn": None, "enc0.ffn.residual": 1,
        "dec0.self_attn.head0": None, "dec0.self_attn.residual": 1, "dec0.cross_attn.head0": 1,
        "dec0.cross_attn.residual": 2, "dec0.ffn": 1, "dec0.ffn.residual": 1, "pos_masking": 1},
}


def first_divergence(compiled, component: str, ticks: int) -> int | None:
    decoded = compiled.states(ticks, model=ablate(compiled.model, component), check=False)
    expected = compiled.rnn.run(compiled.rnn_word, ticks)
    return next((t for t, (h, e) in enumerate(zip(decoded, expected, strict=True), start=1) if h != e), None)


@pytest.mark.parametrize(("theorem", "component"), [(t, c) for t, table in SURGERY_BB2.items() for c in table])
def test_surgery_first_divergence_bb2(theorem, component):
    compiled = BOTH[theorem - 1].compile(parse_machine(BB2))
    assert first_divergence(compiled, component, 20) == SURGERY_BB2[theorem][component]


@pytest.mark.parametrize(("theorem", "component"), [(1, "pos_encoding"), (2, "dec0.self_attn.head0")])
def test_surgery_needs_a_probe_input(theorem, component):
    """Parts the blank-tape run does not exercise break at tick 1 on the probe input `11`."""
    compiled = BOTH[theorem - 1].compile(parse_machine(BB2), (1, 1))
    assert first_divergence(compiled, component, 30) == 1
