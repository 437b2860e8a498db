"""Proof obligations of the Siegelmann–Sontag construction, read from an RNN's own weights.

The invariant (docs/constructions/siegelmann-sontag.md, "What each group computes") says what the
hidden state holds at each tick of a machine step, for a configuration with control c (a state or a
halt name) and stacks L, R:

- **I0(c, L, R)**, the step boundary (G0 due): the control unit of c is 1, the units ``L`` and ``R``
  hold the stack values, the loader is at rest (``ld:S`` = 1), every other unit is 0;
- **I1**, one tick later (G1 due): the case units C:q:a = [c = q ∧ top(R) ≥ a], the thresholds
  thS:j = [top(S) ≥ j], the copies L1 = L, R1 = R, H1:h = [c = h];
- **I2**, two ticks later (G2 due): the case copies C2, H2, and the gated stack terms of the move
  the case makes (L/B, pop(L), pop(R), pop(R)/B², the uncovered top of L), or both stacks copied
  once halted;
- three ticks later: I0 of the configuration δ produces (the same one once halted).

Every stack value is a push of its top onto the value of the rest of the stack: δ = (2·top + 1)/B +
ρ/B, and every ρ lies in [0, 1] (the encoding lemma). So the step lemmas are stated for a finite
case split (control, top of R or empty, top of L or empty) with the rests of the two stacks as real
variables r, l ∈ [0, 1]: then the invariant holds for **every** stack content, not only the ones a
run visits. Each unit's value σ(W_h·h + W_x·x_$ + b) is computed from the network's weights applied
to the invariant of the previous tick, and must equal the invariant's value at this tick: 0 by a
proved argument ≤ 0, 1 by a proved argument ≥ 1 (vertex checks over r, l), or an expression e by the
identity argument = e with 0 ≤ e ≤ 1. Only the expected side comes from the machine's table. The
base case runs the loader exactly on the compiled word; the induction composes the lemmas.

The box r, l ∈ [0, 1] is no wider than the stacks need: its vertices are the empty rest (0) and the
limit of ever deeper rests k−1 k−1 … (1), and an argument is affine in the rests, so a unit whose
argument is on the wrong side of a breakpoint at a vertex is wrong for every deep enough stack. A
refutation is a real failure, if possibly only for stacks deeper than a short run builds.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from fractions import Fraction

import sympy

from turing_tx.constructions.siegelmann_sontag import END, TICKS_PER_STEP, Layout, SSCompiledMachine
from turing_tx.engine.proofs.core import (
    Case,
    Outcome,
    Variable,
    check_affine_on_box,
    check_cases,
    check_identity,
    real,
)
from turing_tx.engine.proofs.obligations import Obligation, by_induction
from turing_tx.engine.proofs.symbolic import rational
from turing_tx.errors import ExecutionError
from turing_tx.rnn.network import RNN, sigma

#: the values of the stacks below their tops (any stack content: the encoding lemma)
REST_R, REST_L = real("r", 0, 1), real("l", 0, 1)
GATES = frozenset({"gLR", "gLL", "gRR", "gRL", "gLH", "gRH"})


# -- affine values in the rests of the two stacks ------------------------------------------------------


class Form:
    """const + r·ρ_R + l·ρ_L: a unit's value (or argument) as an affine function of the two rests.

    Stored as integers over one positive denominator in lowest terms, so that equal forms have equal
    keys: the step lemmas meet the same (argument, value) pair in many cases and check it once."""

    __slots__ = ("key",)

    def __init__(self, const: Fraction | int = 0, r: Fraction | int = 0, l: Fraction | int = 0) -> None:
        parts = (Fraction(const), Fraction(r), Fraction(l))
        den = math.lcm(*(p.denominator for p in parts))
        self.key = _lowest(den, *(p.numerator * (den // p.denominator) for p in parts))

    @classmethod
    def _of(cls, key: tuple[int, int, int, int]) -> Form:
        form = cls.__new__(cls)
        form.key = _lowest(*key)
        return form

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Form) and self.key == other.key

    def __hash__(self) -> int:
        return hash(self.key)

    def __add__(self, other: Form) -> Form:
        (d1, c1, r1, l1), (d2, c2, r2, l2) = self.key, other.key
        return Form._of((d1 * d2, c1 * d2 + c2 * d1, r1 * d2 + r2 * d1, l1 * d2 + l2 * d1))

    def scaled(self, weight: Fraction) -> Form:
        den, c, r, l = self.key
        p, q = weight.numerator, weight.denominator
        return Form._of((den * q, c * p, r * p, l * p))

    @property
    def const(self) -> Fraction:
        return Fraction(self.key[1], self.key[0])

    @property
    def on_rests(self) -> tuple[Fraction, Fraction]:
        """The coefficients of ρ_R and ρ_L."""
        return Fraction(self.key[2], self.key[0]), Fraction(self.key[3], self.key[0])

    @property
    def closed(self) -> bool:
        return not self.key[2] and not self.key[3]

    def variables(self) -> tuple[Variable, ...]:
        """The rests this value depends on, for the core's checks."""
        return tuple(v for v, weight in ((REST_R, self.key[2]), (REST_L, self.key[3])) if weight)

    def expr(self) -> sympy.Expr:
        on_r, on_l = self.on_rests
        return rational(self.const) + rational(on_r) * REST_R.symbol + rational(on_l) * REST_L.symbol

    def at(self, point: Mapping[str, object]) -> Fraction:
        """The value where the rests take the values of a counterexample (absent: 0)."""
        on_r, on_l = self.on_rests
        return (self.const + on_r * Fraction(str(point.get(REST_R.name, 0)))
                + on_l * Fraction(str(point.get(REST_L.name, 0))))


def _lowest(den: int, c: int, r: int, l: int) -> tuple[int, int, int, int]:
    common = math.gcd(den, c, r, l)
    return den // common, c // common, r // common, l // common


ZERO, ONE = Form(), Form(Fraction(1))
RHO_R, RHO_L = Form(r=Fraction(1)), Form(l=Fraction(1))
Vector = dict[str, Form]


def constant(value: Fraction | int) -> Form:
    return Form(Fraction(value))


def indicator(condition: bool) -> Form:
    return ONE if condition else ZERO


# -- the invariant: what the construction says each tick holds (the expected side) ---------------------


@dataclass(frozen=True)
class Situation:
    """One case of the split: the control (a state's index or a halt name) and the tops of R and L
    (None: the stack is empty); the rests below the tops are the variables r and l."""

    control: int | str
    top_r: int | None
    top_l: int | None

    def label(self, layout: Layout) -> str:
        control = self.control if isinstance(self.control, str) else layout.machine.states[self.control]
        tops = (f"{side} {'empty' if top is None else f'top {top}'}"
                for side, top in (("R", self.top_r), ("L", self.top_l)))
        return f"{control}, {', '.join(tops)}"

    @property
    def read(self) -> int:
        """The symbol under the head: R's top, blank on an empty R."""
        return 0 if self.top_r is None else self.top_r

    @property
    def uncovered(self) -> int:
        """The cell left of the head, which a left move uncovers: L's top, blank on an empty L."""
        return 0 if self.top_l is None else self.top_l


def situations(layout: Layout) -> list[Situation]:
    """Every control × (every top of R or empty) × (every top of L or empty)."""
    tops: list[int | None] = [None, *range(layout.k)]
    controls: list[int | str] = [*range(layout.machine.num_states), *layout.halts]
    return [Situation(c, a, b) for c in controls for a in tops for b in tops]


def push(layout: Layout, symbol: int, rest: Form) -> Form:
    """δ[symbol, rest…] = (2·symbol + 1)/B + rest/B."""
    return constant(Fraction(2 * symbol + 1, layout.base)) + rest.scaled(Fraction(1, layout.base))


def stack(layout: Layout, top: int | None, rest: Form) -> Form:
    """The value of a stack with this top over this rest (0 for the empty stack)."""
    return ZERO if top is None else push(layout, top, rest)


def below(top: int | None, rest: Form) -> Form:
    """The stack without its top: the rest (an empty stack stays empty)."""
    return ZERO if top is None else rest


def stacks(layout: Layout, case: Situation) -> tuple[Form, Form]:
    """(L, R) of the case."""
    return stack(layout, case.top_l, RHO_L), stack(layout, case.top_r, RHO_R)


def at_rest() -> Vector:
    """The loader after the first ``$``: ld:S = 1, every other loader unit 0."""
    return {"ld:S": ONE}


def boundary(layout: Layout, case: Situation) -> Vector:
    """I0: the step boundary of the case's configuration."""
    left, right = stacks(layout, case)
    control = layout.halt_unit(case.control) if isinstance(case.control, str) else layout.s(case.control)
    return {**at_rest(), control: ONE, "L": left, "R": right}


def after_read(layout: Layout, case: Situation) -> Vector:
    """I1: case units, thresholds, copies of the stacks and of the halt flag."""
    left, right = stacks(layout, case)
    vector = {**at_rest(), "L1": left, "R1": right}
    if isinstance(case.control, str):
        vector[f"H1:{case.control}"] = ONE
    else:
        vector.update({layout.c(case.control, a): indicator(case.read >= a) for a in range(layout.k)})
    for side, top in (("R", case.top_r), ("L", case.top_l)):
        vector.update({f"th{side}:{j}": indicator(top is not None and top >= j) for j in layout.thresholds})
    return vector


def after_gates(layout: Layout, case: Situation) -> Vector:
    """I2: case copies and the gated stack terms of the case's move (both stacks once halted)."""
    left, right = stacks(layout, case)
    if isinstance(case.control, str):
        return {**at_rest(), f"H2:{case.control}": ONE, "gLH": left, "gRH": right}
    vector = {**at_rest(), **{layout.c(case.control, a, 2): indicator(case.read >= a) for a in range(layout.k)}}
    base = Fraction(layout.base)
    if layout.machine.entry(case.control, case.read).move == "R":
        vector.update({"gLR": left.scaled(1 / base), "gRR": below(case.top_r, RHO_R)})
    else:
        vector.update({"gLL": below(case.top_l, RHO_L), "gRL": below(case.top_r, RHO_R).scaled(1 / base ** 2)})
        vector.update({f"aL:{j}": indicator(case.uncovered >= j) for j in layout.thresholds})
    return vector


def successor(layout: Layout, case: Situation) -> Vector:
    """I0 of the configuration δ produces: the next control, the written symbol pushed on L and R's
    top popped (right move), or L's top popped and pushed on R above the written symbol (left move)."""
    left, right = stacks(layout, case)
    if isinstance(case.control, str):
        return boundary(layout, case)
    entry = layout.machine.entry(case.control, case.read)
    if entry.move == "R":
        left, right = push(layout, entry.write, left), below(case.top_r, RHO_R)
    else:
        written = push(layout, entry.write, below(case.top_r, RHO_R))
        left, right = below(case.top_l, RHO_L), push(layout, case.uncovered, written)
    return {**at_rest(), layout.target(case.control, case.read): ONE, "L": left, "R": right}


#: the invariant at the tick before and at each tick of a step (tick 1, 2, 3)
PHASES: dict[int, tuple[Callable[[Layout, Situation], Vector], Callable[[Layout, Situation], Vector]]] = {
    1: (boundary, after_read), 2: (after_read, after_gates), 3: (after_gates, successor)}


# -- one unit, one tick: σ of the argument the network computes equals the invariant's value -----------


Row = tuple[Form, tuple[tuple[str, Fraction], ...]]


def rows(rnn: RNN, units: Iterable[str]) -> dict[str, Row]:
    """Each unit's constant b + W_x·x_$ and its non-zero recurrent weights, from the network."""
    return {unit: (constant(Fraction(rnn.bias.get(unit, 0)) + Fraction(rnn.w_x.get(unit, {}).get(END, 0))),
                   tuple((source, Fraction(w)) for source, w in rnn.w_h.get(unit, {}).items() if w))
            for unit in units}


def argument(row: Row, previous: Mapping[str, Form]) -> Form:
    """W_h·h + W_x·x_$ + b for one unit's ``row`` (:func:`rows`), h the previous tick's values."""
    total, weights = row
    for source, weight in weights:
        value = previous.get(source)
        if value is not None:
            total = total + value.scaled(weight)
    return total


def unit_outcome(unit: str, pre: Form, expected: Form) -> Outcome:
    """σ(pre) = expected on r, l ∈ [0, 1]: evaluated when both are closed; else 0 by pre ≤ 0, 1 by
    pre ≥ 1 (vertex checks), or an expression e by the identity pre = e with 0 ≤ e ≤ 1."""
    if pre.closed and expected.closed:
        return check_cases([Case(unit, sigma(pre.const), expected.const)])
    variables = tuple(v for v in (REST_R, REST_L) if v in pre.variables() + expected.variables())
    if expected == ZERO:
        return check_affine_on_box(-pre.expr(), variables, strict=False)
    if expected == ONE:
        return check_affine_on_box(pre.expr() - 1, variables, strict=False)
    outcome = check_identity(pre.expr(), expected.expr(), variables)
    for bound in (expected.expr(), 1 - expected.expr()):
        if outcome.proved:
            outcome = check_affine_on_box(bound, variables, strict=False)
    return outcome


def _counterexample(layout: Layout, case: Situation, unit: str, outcome: Outcome) -> dict[str, object]:
    """The failing case and unit, the rests of the core's counterexample, the stack values there and
    what a rest of 1 means (the rests' vertices 0 and 1 are the empty rest and the limit of ever
    deeper rests k−1 k−1 …: a strict failure there is a failure of every deep enough stack)."""
    point = dict(outcome.counterexample or {})
    left, right = stacks(layout, case)
    deep = [side for side, rest in (("R", REST_R), ("L", REST_L)) if point.get(rest.name) == 1]
    return {**point, "case": case.label(layout), "unit": unit, "R": str(right.at(point)), "L": str(left.at(point)),
            **({"deep": f"{' and '.join(deep)} below the top: {layout.k - 1} repeated (a deep enough stack)"}
               if deep else {})}


def check_tick(layout: Layout, rnn: RNN, tick: int, units: tuple[str, ...]) -> Outcome:
    """Tick ``tick`` of a step maps the invariant before it to the invariant after it on ``units``,
    for every case of the split and every rest r, l ∈ [0, 1]; the first failing unit is reported with
    its case and the point of r, l where it fails. The outcome of σ(pre) = expected depends on the
    pair alone, so a pair met again (in another case or unit) is not checked twice."""
    before, after = PHASES[tick]
    weights, cases = rows(rnn, units), situations(layout)
    known: dict[tuple[Form, Form], Outcome] = {}
    for case in cases:
        previous, expected = before(layout, case), after(layout, case)
        for unit in units:
            pair = (argument(weights[unit], previous), expected.get(unit, ZERO))
            if pair not in known:
                known[pair] = unit_outcome(unit, *pair)
            if not known[pair].proved:
                outcome = known[pair]
                return Outcome(outcome.status, "σ per unit", {"failed": outcome.certificate},
                               _counterexample(layout, case, unit, outcome))
    return Outcome("proved", "σ per unit", {"cases": len(cases), "units": len(units), "distinct checks": len(known)})


# -- the obligations ----------------------------------------------------------------------------------


def encoding_obligation(layout: Layout) -> Obligation:
    """Every stack value lies in [0, 1]: the empty stack is 0 and a push maps [0, 1] into
    [(2j+1)/B, (2j+2)/B] ⊆ [0, 1] — so the rests r, l range over [0, 1] for every stack content."""
    x = real("x", 0, 1)

    def check() -> Outcome:
        count = 0
        for j in range(layout.k):
            pushed = push(layout, j, Form(r=Fraction(1))).expr().subs(REST_R.symbol, x.symbol)
            low, high = Fraction(2 * j + 1, layout.base), Fraction(2 * j + 2, layout.base)
            for bound in (pushed - rational(low), rational(high) - pushed, rational(1 - high), rational(low)):
                outcome = check_affine_on_box(bound, (x,), strict=False)
                count += 1
                if not outcome.proved:
                    return Outcome(outcome.status, "vertices", outcome.certificate,
                                   {"symbol": j, **(outcome.counterexample or {})})
        return Outcome("proved", "vertices", {"statements": count})

    pushed = (2 * sympy.Symbol("j") + 1) / layout.base + x.symbol / layout.base
    statement = sympy.And(sympy.Ge(pushed, 0), sympy.Le(pushed, 1))
    return Obligation("every stack value lies in [0, 1], one with top j in [(2j+1)/B, (2j+2)/B]",
                      "stack encoding", statement, (x,), check,
                      f"δ[j, rest] = (2j+1)/{layout.base} + δ[rest]/{layout.base}: by induction on the "
                      "length, every stack is 0 or a push onto a value in [0, 1], so the step lemmas "
                      "below, stated for rests r, l ∈ [0, 1], cover every stack content")


def _tick_statement(tick: int, what: str) -> sympy.Basic:
    """σ(W_h·I_{t−1} + W_x·x_$ + b) = I_t on ``what``, for the report."""
    case, r, l = sympy.Symbol("c"), REST_R.symbol, REST_L.symbol
    sigma_, previous, current = sympy.Function("sigma"), sympy.Function(f"I_{tick - 1}"), sympy.Function(f"I_{tick}")
    w_h, w_x, b = (sympy.Symbol(f"{part}[{what}]") for part in ("W_h", "W_x", "b"))
    return sympy.Eq(sigma_(w_h * previous(case, r, l) + w_x + b), current(case, r, l))


def tick_obligation(layout: Layout, rnn: RNN, tick: int, tag: str, units: tuple[str, ...], name: str,
                    why: str) -> Obligation:
    """The lemma that tick ``tick`` of every step computes the invariant on ``units`` (``tag`` names
    them in the statement)."""
    group = {1: "tick 1: G0 → G1", 2: "tick 2: G1 → G2", 3: "tick 3: G2 → G0"}[tick]
    return Obligation(name, group, _tick_statement(tick, tag), (REST_R, REST_L),
                      lambda: check_tick(layout, rnn, tick, units), why)


def step_obligations(layout: Layout, rnn: RNN) -> list[Obligation]:
    """The step case, three ticks, each split into its units' roles (every unit of the network is in
    exactly one obligation of each tick, so none is left unchecked)."""
    units = tuple(dict.fromkeys((*layout.units, *rnn.units)))

    def split(*predicates: Callable[[str], bool]) -> Iterator[tuple[str, ...]]:
        for index, predicate in enumerate(predicates):
            yield tuple(u for u in units if predicate(u) and not any(p(u) for p in predicates[:index]))
        yield tuple(u for u in units if not any(p(u) for p in predicates))

    thresholds, cases, read_rest = split(lambda u: u.startswith(("thR:", "thL:")), lambda u: u.startswith("C:"))
    gates, gate_rest = split(lambda u: u in GATES or u.startswith("aL:"))
    controls = tuple(u for u in layout.g0 if u not in ("L", "R"))
    control, new_stacks, write_rest = split(lambda u: u in controls, lambda u: u in ("L", "R"))
    return [
        tick_obligation(layout, rnn, 1, "thS:j", thresholds, "the thresholds thS:j read [top of S ≥ j]",
                        "σ(B·S − 2j) is 1 when S's top is at least j and 0 otherwise, for every stack "
                        "(the argument is ≥ 1 or ≤ 0 on the whole interval of each top)"),
        tick_obligation(layout, rnn, 1, "C:q:a", cases, "the case units C:q:a read [state q and head symbol ≥ a]",
                        "so E:q:a = C:q:a − C:q:(a+1) is 1 for exactly the case being executed"),
        tick_obligation(layout, rnn, 1, "G1 rest", read_rest, "G1 copies L, R and the halt flags; every other "
                        "unit is 0", "the stacks and the halting wave move on with the pipeline, nothing else is on"),
        tick_obligation(layout, rnn, 2, "gates", gates, "the gated terms are the stack pieces of the case's move",
                        "σ(v + g − 1) = g·v: L/B and pop(R) on a right move; pop(L), pop(R)/B² and "
                        "the uncovered top of L on a left move; L and R once halted"),
        tick_obligation(layout, rnn, 2, "G2 rest", gate_rest, "G2 copies the case units and halt flags; every "
                        "other unit is 0", "the decoder reads the symbol from C2:q:* at this tick"),
        tick_obligation(layout, rnn, 3, "s:*", control, "the next control unit is δ's next state or halt name",
                        "exactly one control unit is 1: the target of the executed case (a halted "
                        "machine stays in its halt name)"),
        tick_obligation(layout, rnn, 3, "L,R", new_stacks, "L and R are the encodings of the tape after the step",
                        "push the written symbol on L and pop R (right move), or pop L and push its "
                        "top over the written symbol on R (left move): identities in the rests r, l"),
        tick_obligation(layout, rnn, 3, "G0 rest", write_rest, "G1, G2 and the loader are at rest at the step "
                        "boundary", "the pipeline invariant at the G0 tick"),
    ]


def base_obligation(compiled: SSCompiledMachine, rnn: RNN) -> Obligation:
    """The loader, run exactly on the compiled word: G0–G2 stay 0 while it reads, and at tick n + 2
    the hidden state is I0(start, empty L, R = δ[word])."""
    layout, start = compiled.layout, compiled.first_step_tick
    pipeline = (*layout.g0, *layout.g1, *layout.g2)
    word_value = ZERO
    for symbol in reversed(compiled.word):
        word_value = push(layout, symbol, word_value)
    initial = {**at_rest(), layout.s(0): ONE, "R": word_value}

    def check() -> Outcome:
        cases = []
        try:
            run = list(compiled.states(start, rnn=rnn))
        except ExecutionError as exc:  # the network cannot read the input
            return Outcome("refuted", "enumeration", {}, {"run": str(exc)})
        for tick, h in enumerate(run, start=1):
            if tick < start:
                cases += [Case(f"tick {tick}: {unit}", h.get(unit, 0), 0) for unit in pipeline]
            else:
                cases += [Case(f"tick {tick}: {unit}", h.get(unit, 0), initial.get(unit, ZERO).const)
                          for unit in dict.fromkeys((*layout.units, *rnn.units))]
        return check_cases(cases)

    return Obligation(f"the loader places the initial configuration at tick {start}", "base case",
                      sympy.Eq(sympy.Function(f"h_{start}")(sympy.Symbol("w")),
                               sympy.Function("I_0")(sympy.Symbol("start"), 0, sympy.Symbol("delta_w"))),
                      (), check,
                      f"exact run of ticks 1..{start} on the word {list(compiled.word)}: the pipeline is "
                      "silent while the word is read, then the start state's unit is 1, R = δ[word], "
                      "L = 0 and the loader is at rest", reach=lambda _: 1)


def rnn_obligations(compiled: SSCompiledMachine, rnn: RNN) -> list[Obligation]:
    """The encoding lemma, the base case, the step lemmas of the three ticks and their induction,
    stated for ``rnn``'s weights as the network of ``compiled``'s machine and word."""
    layout = compiled.layout
    premises = [encoding_obligation(layout), base_obligation(compiled, rnn), *step_obligations(layout, rnn)]
    explanation = (
        f"Base: at tick {compiled.first_step_tick} the hidden state is I0 of the initial configuration. "
        f"Step: if it is I0(c, L, R) at a step boundary, for any stacks (each a top pushed onto a rest "
        f"in [0, 1]), the tick lemmas give I1 and I2 at the next two ticks and I0 of the configuration "
        f"δ produces {TICKS_PER_STEP} ticks later (the same one once halted). By induction on the "
        "steps, every step boundary holds the machine's configuration and every tick between holds "
        "what the decoder reads, for every step and every stack content.")
    return by_induction(premises, "the invariant holds at every step", "induction", explanation)
