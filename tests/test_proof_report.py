"""The proof report as Markdown and as a self-contained HTML page: the summary first, groups in the
order they first appear, formulas as LaTeX and MathML, failures with their counterexample, and every
piece of user data (names, groups, explanations, facts, symbol names) shown as text, never as markup."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
import sympy

from turing_tx.engine.proofs.core import Case, check_cases, check_identity, check_rational_sign, integer
from turing_tx.engine.proofs.obligations import Obligation, ProofReport, by_induction, discharge
from turing_tx.engine.proofs.report import certificate_lines, escape_markdown, math_markup, render

HOSTILE = "<img src=x onerror=alert(1)>"
T, B = integer("t", low=1), integer("<b>bold", low=0)
t, b = T.symbol, B.symbol
TITLE = "Proof: toy on 1RB1LB_1LA1RZ"
FACTS = {"machine": HOSTILE, "input word": "1*0|1"}
EXECUTION = "the counterexample t = 1 was executed: the run diverges at step 1"


def _report() -> ProofReport:
    """Two groups of lemmas (one refuted, one with a hostile name, group and explanation and a symbol
    named ``<b>bold``), composed by induction."""
    lemmas = [
        Obligation("t + 1 is positive", "layer 1", t + 1 > 0, (T,),
                   lambda: check_rational_sign(t + 1, [T], strict=True), "the score's denominator"),
        Obligation("t - 1 is positive", "layer 1", t - 1 > 0, (T,),
                   lambda: check_rational_sign(t - 1, [T], strict=True), "off by one on purpose"),
        Obligation(HOSTILE, HOSTILE, sympy.Eq(b * (t + 1), b * t + b), (T, B),
                   lambda: check_identity(b * (t + 1), b * t + b, [T, B]), HOSTILE),
        Obligation("a wrong case", "layer 0", sympy.Lt(t, b + 2), (T, B),
                   lambda: check_cases([Case("state A | symbol `1`", 1, 2)]), "a table cell | with *stars*"),
    ]
    return discharge(by_induction(lemmas, "o_p is configuration p", "induction", "base and step"))


@pytest.fixture(scope="module")
def report() -> ProofReport:
    return _report()


@pytest.fixture(scope="module")
def markdown(report: ProofReport) -> str:
    return render(report, "markdown", title=TITLE, facts=FACTS, execution=EXECUTION)


@pytest.fixture(scope="module")
def page(report: ProofReport) -> str:
    return render(report, "html", title=TITLE, facts=FACTS, execution=EXECUTION)


class _Checker(HTMLParser):
    """Collects what the page would load or run: resource attributes, links, scripts; and checks that
    every element is closed in order."""

    VOID = frozenset({"meta", "br", "hr", "img", "link", "input", "mspace"})

    def __init__(self) -> None:
        super().__init__()
        self.open: list[str] = []
        self.problems: list[str] = []
        self.tags: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        for name, value in attrs:
            if name == "src" or name.startswith("on") or (name == "href" and not (value or "").startswith("#")):
                self.problems.append(f"{tag} {name}={value}")
        if tag not in self.VOID:
            self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.open or self.open.pop() != tag:
            self.problems.append(f"unbalanced </{tag}>")


def _parsed(page: str) -> _Checker:
    checker = _Checker()
    checker.feed(page)
    checker.close()
    return checker


# -- Markdown ------------------------------------------------------------------------------------------

def test_markdown_opens_with_the_summary_and_facts(markdown: str, report: ProofReport):
    lines = markdown.splitlines()
    assert lines[0] == r"# Proof: toy on 1RB1LB\_1LA1RZ"
    assert report.summary() == "not proved: 5 obligations, 3 failed"
    assert report.summary() in lines[2]
    assert r"- **input word:** 1\*0\|1" in markdown
    assert EXECUTION in markdown


def test_markdown_groups_in_first_appearance_order_with_a_contents_list(markdown: str):
    headings = [line[3:] for line in markdown.splitlines() if line.startswith("## ")]
    assert headings == ["Failed", "Contents", "layer 1", "&lt;img src=x onerror=alert(1)&gt;", "layer 0",
                        "induction"]
    assert "1. [layer 1](#g1): 2 obligations, 1 failed" in markdown


def test_markdown_shows_latex_the_counterexample_and_the_premises(markdown: str):
    assert r"Statement: $t - 1 \gt 0$" in markdown
    assert "**Counterexample:** t = 1" in markdown
    assert r"**Counterexample:** case = state A \| symbol \`1\`, lhs = 1, rhs = 2" in markdown
    assert "- [t + 1 is positive](#o1)" in markdown and "- [a wrong case](#o4)" in markdown
    assert "numerator: t - 1" in markdown and "substitution: {t: 1 + t_}" in markdown


def test_markdown_shows_user_text_as_text(markdown: str):
    assert "<img" not in markdown and "<b>" not in markdown
    assert "### ✓ &lt;img src=x onerror=alert(1)&gt;" in markdown
    assert r"{{\lt}\text{b}{\gt}\text{bold}}" in markdown  # the symbol's name inside the LaTeX
    assert r"a table cell \| with \*stars\*" in markdown


def test_escape_markdown_neutralises_markup_and_line_starts():
    assert escape_markdown("a <b> & c") == "a &lt;b&gt; &amp; c"
    assert escape_markdown("[x](http://e) `y` *z* _w_ | $q$") == (
        r"\[x\](http://e) \`y\` \*z\* \_w\_ \| \$q\$")
    assert escape_markdown("1. first\n# second") == r"1\. first \# second"
    assert escape_markdown("- item") == r"\- item" and escape_markdown("0.25") == "0.25"


# -- HTML ------------------------------------------------------------------------------------------------

def test_html_is_well_formed_self_contained_and_escaped(page: str):
    checker = _parsed(page)
    assert checker.problems == [] and checker.open == []
    assert "img" not in checker.tags and "script" not in checker.tags and "b" in checker.tags
    assert "<img" not in page and "<b>bold" not in page
    assert "http://" not in page and "https://" not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page


def test_html_shows_mathml_the_summary_and_the_failures(page: str, report: ProofReport):
    assert page.count('<math display="block">') == len(report.results)
    assert "<mtext>&lt;b&gt;bold</mtext>" in page
    assert "<mo>&lt;</mo>" in page  # sympy writes t < … as a bare "<"
    assert f'class="summary failed">✗ {report.summary()}</p>' in page
    assert '<tr><th scope="row"><code>t</code></th><td><code>1</code></td></tr>' in page
    headings = [line for line in page[page.index("<main>"):].splitlines() if line.startswith("<h2>")]
    assert headings == ["<h2>layer 1</h2>", "<h2>&lt;img src=x onerror=alert(1)&gt;</h2>", "<h2>layer 0</h2>",
                        "<h2>induction</h2>"]


def test_mathml_falls_back_to_escaped_text_when_sympy_would_write_markup():
    """sympy prints function names verbatim: such a statement is shown as escaped text."""
    markup = str(math_markup(sympy.Function("f<img>")(sympy.Symbol("x")) > 0))
    assert markup == '<math display="block"><mtext>f&lt;img&gt;(x) &gt; 0</mtext></math>'


def test_rendering_is_deterministic(report: ProofReport):
    for kind in ("markdown", "html"):
        assert render(report, kind, title=TITLE) == render(report, kind, title=TITLE)


def test_a_huge_certificate_is_cut():
    lines = certificate_lines({"numerator": "x" * 1000, "coefficients": {str(k): k for k in range(50)},
                               "vertices": [{"at": {"x": k}, "value": k} for k in range(30)]})
    assert lines[0] == f"numerator: {'x' * 200}… (1000 characters)"
    assert lines[1].endswith(", … (38 more)}")
    assert lines[-1] == "  … (18 more)" and len(lines) == 16


# -- a real report -----------------------------------------------------------------------------------------

def test_the_perez_report_renders_in_both_kinds():
    from turing_tx.constructions.perez import PEREZ
    from turing_tx.machines.formats.bbchallenge import parse_machine

    proved = discharge(PEREZ.compile(parse_machine("1RB1LB_1LA1RZ")).obligations())
    title, facts = "Proof: perez on 1RB1LB_1LA1RZ", {"construction": "perez", "machine": "1RB1LB_1LA1RZ"}
    markdown = render(proved, "markdown", title=title, facts=facts)
    page = render(proved, "html", title=title, facts=facts)
    assert proved.proved and f"**✓ {proved.summary()}**" in markdown
    assert page.count("<math") == len(proved.results)
    assert _parsed(page).problems == []
    assert "Premises:" in markdown and "- [every position scores the same](#o5)" in markdown
