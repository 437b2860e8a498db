"""The prover's trusted core on its own: true statements are proved with a certificate a reader can
check, and deliberately false ones (an inequality off by one, a non-identity that agrees at many
sample points, a vertex that breaks an affine bound, a wrong case) are refuted with a counterexample
that is then checked again by plain exact arithmetic here."""

from __future__ import annotations

from fractions import Fraction

import pytest
import sympy

from turing_tx.engine.proofs.core import (
    Case,
    ProofError,
    check_affine_on_box,
    check_cases,
    check_identity,
    check_polynomial_sign,
    integer,
    real,
)

T, P, C = integer("t", low=1), integer("p", low=0), integer("c", low=0)
t, p, c = T.symbol, P.symbol, C.symbol


# -- identities ----------------------------------------------------------------------------------------

def test_an_averaging_identity_is_proved_by_a_zero_numerator():
    """A uniform average of a start flag over t positions is 1/t, and 1/(p+1) − 1/(p+2) =
    1/((p+1)(p+2)): in lowest terms, the difference of the two sides has numerator 0."""
    outcome = check_identity(sum([sympy.Integer(1)] + [0] * 3) / t, 1 / t, [T])
    assert outcome.proved and outcome.certificate["numerator"] == "0"
    combined = check_identity(1 / (p + 1) - 1 / (p + 2), 1 / ((p + 1) * (p + 2)), [P])
    assert combined.proved and combined.certificate["numerator"] == "0"


def test_a_non_identity_that_agrees_at_ten_sample_points_is_refuted():
    """t + t(t−1)…(t−9) equals t at t = 0, …, 9, and nowhere else among the integers ≥ 0."""
    agreeing = t + sympy.prod(t - k for k in range(10))
    start = integer("t", low=0)
    outcome = check_identity(agreeing.subs(t, start.symbol), start.symbol, [start])
    assert outcome.status == "refuted" and outcome.counterexample == {"t": 10}
    assert agreeing.subs(t, 10) != 10


def test_a_false_multivariate_identity_is_refuted_at_a_point_that_really_differs():
    outcome = check_identity((p + c) ** 2, p ** 2 + c ** 2, [P, C])
    assert outcome.status == "refuted"
    at = {P.symbol: outcome.counterexample["p"], C.symbol: outcome.counterexample["c"]}
    assert ((p + c) ** 2).subs(at) != (p ** 2 + c ** 2).subs(at)


# -- polynomial signs ----------------------------------------------------------------------------------

def test_a_strict_polynomial_inequality_is_proved_by_its_coefficients():
    """(p+1)² − p² > 0 for p ≥ 0: after p = 0 + p′ it is 2p′ + 1, every coefficient ≥ 0, constant 1."""
    outcome = check_polynomial_sign((p + 1) ** 2 - p ** 2, [P], strict=True)
    assert outcome.proved
    assert outcome.certificate["coefficients"] == {"p_": "2", "1": "1"}


def test_an_inequality_off_by_one_is_refuted_at_the_boundary():
    assert check_polynomial_sign(t - 1, [T], strict=False).proved
    outcome = check_polynomial_sign(t - 1, [T], strict=True)
    assert outcome.status == "refuted" and outcome.counterexample == {"t": 1}


def test_a_true_inequality_without_a_coefficient_certificate_is_unproved_not_refuted():
    """(p − 1)² ≥ 0 holds, but p² − 2p + 1 has a negative coefficient: the certificate method is
    sufficient, not necessary, and the core says so instead of claiming a proof."""
    outcome = check_polynomial_sign((p - 1) ** 2, [P], strict=False)
    assert outcome.status == "unproved" and outcome.counterexample is None


def test_an_upper_bound_is_used_when_there_is_no_lower_one():
    below = integer("m", high=5)
    assert check_polynomial_sign(5 - below.symbol, [below], strict=False).proved
    assert check_polynomial_sign(4 - below.symbol, [below], strict=False).counterexample == {"m": 5}


# -- affine bounds on a box ----------------------------------------------------------------------------

def test_an_affine_bound_is_checked_at_every_vertex():
    x, y = real("x", 0, 1), real("y", 0, 1)
    expr = 2 * x.symbol - y.symbol + 1
    proved = check_affine_on_box(expr, [x, y], strict=False)
    assert proved.proved and len(proved.certificate["vertices"]) == 4
    refuted = check_affine_on_box(expr, [x, y], strict=True)
    assert refuted.status == "refuted" and refuted.counterexample == {"x": 0, "y": 1}


def test_relu_pieces_as_affine_bounds():
    """ReLU(ζ) − ReLU(ζ − 1) = ζ on 0 ≤ ζ ≤ 1: on that piece both arguments have a known sign, so the
    identity is affine there and holds at the vertices of the piece."""
    zeta = real("zeta", 0, 1)
    z = zeta.symbol
    assert check_affine_on_box(z - 0, [zeta], strict=False).proved  # first ReLU argument ≥ 0
    assert check_affine_on_box(1 - z, [zeta], strict=False).proved  # second argument ≤ 0
    assert check_identity(z - 0, z, [zeta]).proved


# -- finite enumerations -------------------------------------------------------------------------------

def test_an_enumeration_names_the_first_failing_case():
    cases = [Case(f"a={a}", Fraction(a, 2) * 2, a) for a in range(5)]
    assert check_cases(cases).proved and check_cases(cases).certificate == {"cases": 5}
    wrong = [*cases, Case("the bad one", Fraction(1, 3), Fraction(1, 3) + Fraction(1, 10**30))]
    outcome = check_cases(wrong)
    assert outcome.status == "refuted" and outcome.counterexample["case"] == "the bad one"


# -- statements the core cannot read -------------------------------------------------------------------

def test_misstated_obligations_are_errors_not_proofs():
    with pytest.raises(ProofError, match="not a rational function"):
        check_polynomial_sign(sympy.Abs(p) - 1, [P], strict=False)
    with pytest.raises(ProofError, match="no bound"):
        check_polynomial_sign(integer("n").symbol, [integer("n")], strict=False)
    with pytest.raises(ProofError, match="not affine"):
        check_affine_on_box(real("x", 0, 1).symbol ** 2, [real("x", 0, 1)], strict=False)
    with pytest.raises(ProofError, match="is a float"):
        check_cases([Case("float", 0.1, Fraction(1, 10))])
    with pytest.raises(ProofError, match="not an exact rational"):
        check_cases([Case("irrational", sympy.sqrt(2), 1)])


# -- obligations and the report ------------------------------------------------------------------------

def test_a_report_is_proved_only_when_every_obligation_is():
    from turing_tx.engine.proofs.obligations import Obligation, discharge

    good = Obligation("square gap", "demo", sympy.Gt((p + 1) ** 2 - p ** 2, 0), (P,),
                      lambda: check_polynomial_sign((p + 1) ** 2 - p ** 2, [P], strict=True))
    bad = Obligation("off by one", "demo", sympy.Gt(t - 1, 0), (T,),
                     lambda: check_polynomial_sign(t - 1, [T], strict=True))
    misstated = Obligation("absolute value", "demo", sympy.Ge(sympy.Abs(p), 0), (P,),
                           lambda: check_polynomial_sign(sympy.Abs(p), [P], strict=False))
    assert discharge([good]).summary() == "proved: 1 obligations, 0 failed"
    report = discharge([good, bad, misstated])
    assert report.summary() == "not proved: 3 obligations, 2 failed" and not report.proved
    assert report.first_failure.obligation.name == "off by one"
    rows = report.to_json()["obligations"]
    assert rows[1]["status"] == "refuted" and rows[1]["counterexample"] == {"t": "1"}
    assert rows[2]["status"] == "error" and "not a rational function" in rows[2]["error"]
    assert rows[0]["statement"]["latex"] and rows[0]["statement"]["srepr"].startswith("StrictGreaterThan")
    assert not discharge([]).proved


# -- symbolic evaluation of model parts ----------------------------------------------------------------

def test_a_transition_ffn_read_symbolically_with_proved_signs():
    """Pérez's layer-1 FFN on state A+ reading 0* (BB(2): write 1*, move right by 2, go to B+), with the
    head scalar c:r a symbol in [0, 2]: the output is exact in c:r, and every hidden unit the vector
    reaches was settled by a sign lemma (the c:r cancellation units by the vertex check); the others
    are act(bias), evaluated exactly."""
    from turing_tx.constructions.perez import compile_model
    from turing_tx.engine.proofs.symbolic import feed_forward
    from turing_tx.machines.formats.bbchallenge import parse_machine

    ffn = compile_model(parse_machine("1RB1LB_1LA1RZ")).decoder[0].ffn
    head = real("r", 0, 2)
    out, lemmas = feed_forward(ffn, {"state:A+": sympy.Integer(1), "sym:0*": sympy.Integer(1),
                                     "c:r": head.symbol}, [head])
    assert out == {"state:A+": -1, "state:B+": 1, "sym:0*": -1, "wr:1*": 1, "mv:next": 2, "c:r": -head.symbol}
    reached = {unit for name in ("state:A+", "sym:0*", "c:r") for unit in ffn.w1.entries[name]}
    assert {lemma.unit for lemma in lemmas} == {f"{ffn.name}.{unit}" for unit in reached}
    assert all(lemma.outcome.proved for lemma in lemmas)
    assert {lemma.outcome.method for lemma in lemmas} == {"evaluation", "vertices"}


def test_a_unit_whose_argument_changes_sign_is_not_resolved():
    from turing_tx.constructions.perez import compile_model
    from turing_tx.engine.proofs.symbolic import feed_forward
    from turing_tx.machines.formats.bbchallenge import parse_machine

    ffn = compile_model(parse_machine("1RB1LB_1LA1RZ")).decoder[0].ffn
    signed = real("r", -1, 1)
    with pytest.raises(ProofError, match="not on one side"):
        feed_forward(ffn, {"state:A+": sympy.Integer(1), "sym:0*": sympy.Integer(1), "c:r": signed.symbol},
                     [signed])
