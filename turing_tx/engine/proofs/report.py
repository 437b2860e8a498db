"""Render a :class:`~turing_tx.engine.proofs.obligations.ProofReport` as Markdown or as a
self-contained HTML page (inline CSS, no script, nothing fetched from the network).

Both open with the summary line (``proved: N obligations, 0 failed``), the facts of the run and a
table of contents by group; then every obligation, grouped by ``group`` in the order the groups first
appear: its status, name, explanation, statement, the ranges of its variables, method, seconds, a
compact certificate and, for a failure, the counterexample and error. Statements are LaTeX in
``$…$`` in Markdown and presentation MathML (sympy's printer) in HTML, which browsers render natively.

Every name, group, explanation, fact and value is user data (a machine file's name, a state's name
can be anything): HTML is autoescaped by jinja2, Markdown text goes through :func:`escape_markdown`
on every ``{{ … }}`` of its template, and symbol names never reach sympy's printers unescaped (its
MathML printer writes text verbatim). The output depends only on the report, so a rerun is identical
up to the seconds each check took.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import jinja2
import markupsafe
import sympy
from sympy.printing.mathml import mathml

from turing_tx.engine.proofs.obligations import ProofReport, Result

#: a list or mapping in a certificate or counterexample shows this many entries, then "… (n more)"
MAX_ITEMS = 12
#: one value shows at most this many characters, then "… (n characters)"
MAX_TEXT = 200
#: a certificate shows at most this many lines
MAX_LINES = 40

#: status → the mark shown beside it
MARKS = {"proved": "✓", "refuted": "✗", "unproved": "?", "error": "!"}


class MarkdownText(str):
    """Text that is Markdown already (a formula, a code block, a link): printed as it is."""


# -- escaping ----------------------------------------------------------------------------------------

_MARKDOWN_ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
_MARKDOWN_PUNCTUATION = frozenset("\\`*_[]|#~!$")
_MARKDOWN_LINE_START = re.compile(r"(\d+)([.)])(?=\s|$)|[-+=]")


def escape_markdown(text: str) -> str:
    """``text`` shown as itself in Markdown: one line; ``<``, ``>``, ``&`` as entities (no HTML);
    emphasis, code, link, table, heading and math characters backslash-escaped; a leading list or
    heading marker escaped."""
    line = re.sub(r"\s*[\r\n]+\s*", " ", text).strip()
    escaped = "".join(_MARKDOWN_ENTITIES.get(ch) or (f"\\{ch}" if ch in _MARKDOWN_PUNCTUATION else ch)
                      for ch in line)
    start = _MARKDOWN_LINE_START.match(escaped)
    if start is None:
        return escaped
    if start.group(1):
        return f"{start.group(1)}\\{escaped[len(start.group(1)):]}"
    return f"\\{escaped}"


def _markdown_output(value: object) -> str:
    """The Markdown environment's ``finalize``: every ``{{ … }}`` is escaped unless it is Markdown."""
    return value if isinstance(value, MarkdownText) else escape_markdown(str(value))


def fenced(lines: Sequence[str]) -> MarkdownText:
    """A fenced code block of ``lines``, its fence longer than any run of backticks in them."""
    longest = max((len(run) for run in re.findall(r"`+", "\n".join(lines))), default=0)
    fence = "`" * max(3, longest + 1)
    return MarkdownText("\n".join([f"{fence}text", *lines, fence]))


_LOADER = jinja2.PackageLoader("turing_tx.engine.proofs", "templates")
_ENVIRONMENT = {
    "markdown": jinja2.Environment(loader=_LOADER, autoescape=False, keep_trailing_newline=True,
                                   undefined=jinja2.StrictUndefined, finalize=_markdown_output),
    "html": jinja2.Environment(loader=_LOADER, autoescape=True, keep_trailing_newline=True,
                               undefined=jinja2.StrictUndefined),
}
_TEMPLATE = {"markdown": "proof.md.j2", "html": "proof.html.j2"}


# -- formulas ----------------------------------------------------------------------------------------

#: a name sympy prints well as it is: letters, digits, at most one subscript (``t``, ``x1``, ``c_p``)
_PLAIN_NAME = re.compile(r"[A-Za-z]+[0-9]*(_[A-Za-z0-9]+)?")
_LATEX_TEXT = {"#": r"\#", "$": r"\$", "%": r"\%", "&": r"\&", "_": r"\_", "{": r"\{", "}": r"\}"}
_LATEX_MATH = {"<": r"{\lt}", ">": r"{\gt}", "\\": r"{\backslash}", "^": r"{\hat{}}", "~": r"{\sim}",
               "|": r"{\vert}", "*": r"{\ast}", "[": r"{\lbrack}", "]": r"{\rbrack}", "`": r"{\grave{}}"}
_LATEX_RELATION = {"<": r" \lt ", ">": r" \gt "}


def _textual(expr: sympy.Basic) -> list[sympy.Symbol]:
    """The free symbols whose names are words rather than variables, in a fixed order."""
    return sorted((s for s in expr.free_symbols if not _PLAIN_NAME.fullmatch(s.name)), key=lambda s: s.name)


def _latex_text(name: str) -> str:
    """A symbol's name as one group of upright LaTeX text, every LaTeX, HTML and Markdown special
    character as a command: the name shows as itself and cannot end the math or open a tag."""
    parts, run = [], ""
    for ch in name:
        if ch in _LATEX_MATH:
            parts += [rf"\text{{{run}}}"] if run else []
            parts.append(_LATEX_MATH[ch])
            run = ""
        else:
            run += _LATEX_TEXT.get(ch, ch)
    parts += [rf"\text{{{run}}}"] if run else []
    return "{" + "".join(parts) + "}"


def latex(expr: sympy.Basic) -> MarkdownText:
    """``expr`` as inline Markdown math ``$…$``: sympy's LaTeX, word-like symbol names as escaped
    ``\\text{…}`` and its relation signs ``<``/``>`` as ``\\lt``/``\\gt``, so no HTML can appear."""
    names = {s: _latex_text(s.name) for s in _textual(expr)}
    body = sympy.latex(expr, symbol_names=names)
    return MarkdownText("$" + re.sub(r"\s*([<>])\s*", lambda m: _LATEX_RELATION[m.group(1)], body) + "$")


_MATHML_TAGS = frozenset({"math", "mrow", "mi", "mn", "mo", "mtext", "mspace", "mfrac", "msqrt", "mroot", "msub",
                          "msup", "msubsup", "mover", "munder", "munderover", "mfenced", "mstyle", "mpadded",
                          "mphantom", "menclose", "mtable", "mtr", "mtd"})
#: one start or end tag with plain attribute values, a run of text, or a character reference
_MATHML_TOKEN = re.compile(r"</?([a-z]+)(?:\s+[a-z]+=\"[^\"<>&]*\")*\s*/?>|[^<>&]+|"
                           r"&(?:#x[0-9A-Fa-f]+|#[0-9]+|[A-Za-z]+);")


def _safe_mathml(markup: str) -> bool:
    """``markup`` is nothing but MathML elements, plain attribute values, text and character
    references: sympy writes its text nodes unescaped, so this is checked rather than assumed."""
    position = 0
    for match in _MATHML_TOKEN.finditer(markup):
        if match.start() != position or (match.group(1) and match.group(1) not in _MATHML_TAGS):
            return False
        position = match.end()
    return position == len(markup)


def math_markup(expr: sympy.Basic) -> markupsafe.Markup:
    """``expr`` as a ``<math display="block">`` element of presentation MathML from sympy.

    Word-like symbols are printed through placeholders and put back as escaped ``<mtext>``; sympy's
    bare ``<mo><</mo>`` and ``<mo>></mo>`` get their references. Anything else sympy would write
    unescaped (an odd function name) fails :func:`_safe_mathml`, and the statement is shown as
    escaped text instead."""
    textual = _textual(expr)
    placeholders = {s: sympy.Symbol(f"Zplaceholder{_letters(i)}", **s.assumptions0) for i, s in enumerate(textual)}
    body = mathml(expr.xreplace(placeholders), printer="presentation")
    body = body.replace("<mo><</mo>", "<mo>&lt;</mo>").replace("<mo>></mo>", "<mo>&gt;</mo>")
    for symbol, placeholder in placeholders.items():
        body = body.replace(f"<mi>{placeholder.name}</mi>", f"<mtext>{html.escape(symbol.name)}</mtext>")
    if not _safe_mathml(body):
        body = f"<mtext>{html.escape(str(expr))}</mtext>"
    return markupsafe.Markup(f'<math display="block">{body}</math>')


def _letters(index: int) -> str:
    """``index`` in the letters a–z (a, b, …, z, ba, …): a placeholder sympy prints as one ``<mi>``."""
    digits = ""
    while True:
        index, digit = divmod(index, 26)
        digits = chr(ord("a") + digit) + digits
        if index == 0:
            return digits


# -- certificates and counterexamples ----------------------------------------------------------------

def _cut(text: str) -> str:
    """``text`` cut to MAX_TEXT characters, saying how long it was."""
    return text if len(text) <= MAX_TEXT else f"{text[:MAX_TEXT]}… ({len(text)} characters)"


def _more(shown: int, total: int) -> list[str]:
    return [f"… ({total - shown} more)"] if total > shown else []


def _inline(value: object) -> str:
    """A value of plain data on one line: mappings as ``{k: v, …}``, lists as ``[a, …]``, both cut to
    MAX_ITEMS entries."""
    if isinstance(value, Mapping):
        items = [f"{k}: {_inline(v)}" for k, v in list(value.items())[:MAX_ITEMS]]
        return "{" + ", ".join(items + _more(len(items), len(value))) + "}"
    if isinstance(value, list | tuple):
        items = [_inline(v) for v in value[:MAX_ITEMS]]
        return "[" + ", ".join(items + _more(len(items), len(value))) + "]"
    return str(value)


def _nested(value: object) -> bool:
    """A mapping or list holding mappings or lists: shown over several lines."""
    children = value.values() if isinstance(value, Mapping) else value if isinstance(value, list | tuple) else ()
    return any(isinstance(child, Mapping | list | tuple) for child in children)


def _lines(certificate: Mapping[str, object], depth: int = 0) -> list[str]:
    """A certificate as indented ``key: value`` lines: flat values inline, nested ones one level down
    (a rational sign's numerator and denominator certificates, a vertex list)."""
    pad, lines = "  " * depth, []
    for key, value in certificate.items():
        if isinstance(value, Mapping) and _nested(value):
            lines += [f"{pad}{key}:", *_lines(value, depth + 1)]
        elif isinstance(value, list | tuple) and _nested(value):
            items = [f"{pad}  - {_cut(_inline(v))}" for v in value[:MAX_ITEMS]]
            lines += [f"{pad}{key}:", *items, *(f"{pad}  {m}" for m in _more(len(items), len(value)))]
        else:
            lines.append(f"{pad}{key}: {_cut(_inline(value))}")
    return lines


def certificate_lines(certificate: Mapping[str, object]) -> list[str]:
    """The certificate, without the premises (listed apart), at most MAX_LINES lines."""
    lines = _lines({k: v for k, v in certificate.items() if k != "premises"})
    return lines[:MAX_LINES] + [f"… ({len(lines) - MAX_LINES} more lines)"] * (len(lines) > MAX_LINES)


# -- what the templates show -------------------------------------------------------------------------

@dataclass(frozen=True)
class Entry:
    """One obligation as the templates show it; ``formula`` is Markdown or MathML by the kind."""

    anchor: str
    name: str
    group: str
    status: str
    mark: str
    explanation: str
    formula: str
    ranges: list[str]
    method: str
    seconds: str
    certificate: list[str]
    premises: list[tuple[str, str | None]]
    counterexample: list[tuple[str, str]] | None
    error: str | None

    @property
    def proved(self) -> bool:
        return self.status == "proved"


@dataclass(frozen=True)
class Group:
    """The obligations of one group, in the order stated."""

    anchor: str
    name: str
    entries: list[Entry]

    @property
    def failed(self) -> int:
        return sum(not e.proved for e in self.entries)


def _status(result: Result) -> str:
    return "error" if result.error else result.outcome.status


def _premises(result: Result, anchors: Mapping[str, str]) -> list[tuple[str, str | None]]:
    """The names a composed obligation rests on, each with the anchor of its obligation if shown."""
    premises = result.outcome.certificate.get("premises")
    if not isinstance(premises, list | tuple):
        return []
    return [(str(name), anchors.get(str(name))) for name in premises]


def _entry(result: Result, anchor: str, kind: str, anchors: Mapping[str, str]) -> Entry:
    ob, outcome = result.obligation, result.outcome
    counterexample = outcome.counterexample
    return Entry(
        anchor=anchor, name=ob.name, group=ob.group, status=_status(result), mark=MARKS[_status(result)],
        explanation=ob.explanation,
        formula=math_markup(ob.statement) if kind == "html" else latex(ob.statement),
        ranges=[v.describe() for v in ob.variables], method=outcome.method, seconds=f"{result.seconds:.4f}",
        certificate=certificate_lines(outcome.certificate), premises=_premises(result, anchors),
        counterexample=None if counterexample is None else [(str(k), _cut(_inline(v)))
                                                            for k, v in counterexample.items()],
        error=result.error)


def groups(report: ProofReport, kind: str) -> list[Group]:
    """The report's obligations grouped by ``group``, the groups in the order they first appear."""
    anchors: dict[str, str] = {}
    for index, result in enumerate(report.results, 1):
        anchors.setdefault(result.obligation.name, f"o{index}")
    by_group: dict[str, list[Entry]] = {}
    for index, result in enumerate(report.results, 1):
        by_group.setdefault(result.obligation.group, []).append(_entry(result, f"o{index}", kind, anchors))
    return [Group(f"g{i}", name, entries) for i, (name, entries) in enumerate(by_group.items(), 1)]


def _failures(grouped: Iterable[Group]) -> list[Entry]:
    return [e for g in grouped for e in g.entries if not e.proved]


def render(report: ProofReport, kind: Literal["markdown", "html"], *, title: str,
           facts: Mapping[str, str] | None = None, execution: str | None = None) -> str:
    """The report as Markdown or as one self-contained HTML page.

    ``title`` heads it; ``facts`` are key → value lines shown under the summary, in their order (the
    machine, the construction, the network's source, the input word …); ``execution`` is a sentence
    on the executed counterexample, if one ran."""
    grouped = groups(report, kind)
    context: dict[str, Any] = {
        "title": title, "summary": report.summary(), "proved": report.proved, "facts": dict(facts or {}),
        "execution": execution, "groups": grouped, "failures": _failures(grouped), "marks": MARKS,
        "total_seconds": f"{sum(r.seconds for r in report.results):.2f}", "fenced": fenced,
        "link": _markdown_link,
    }
    return _ENVIRONMENT[kind].get_template(_TEMPLATE[kind]).render(**context)


def _markdown_link(text: str, anchor: str) -> MarkdownText:
    """``[text](#anchor)`` with ``text`` escaped: a link within the document."""
    return MarkdownText(f"[{escape_markdown(text)}](#{anchor})")
