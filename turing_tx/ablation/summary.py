"""What a reader needs before the run log, derived from a study's report dict for the templates and JSON.

The report dict (:func:`~turing_tx.ablation.study.run_study`) is a log: one row per run, one verdict
per component and machine. These pure functions turn it into what the paper's figure shows, so the
Markdown and the HTML report say the same thing:

- :func:`status`: a verdict as ``agree``, ``departs`` (the construction's claims table documents a
  departure from the paper, e.g. ``necessary*`` where Fig. 2 says one-of-pair) or ``disagrees``;
- :func:`proof_text` and :func:`proof_counts`: the prover's account of a verdict's component (proved
  necessary, proved not needed, unconfirmed), when the study proved it;
- :func:`matrices`: per construction, components × machines of observed verdicts with their witness;
- :func:`check_sites`: on which machine and input each kind of run was made (the finite-outputs check
  runs on the claims table's own machine, the probe on the probe word, …);
- :func:`precision_minima` and :func:`window_minima`: sweep minima that say when they hit the end of
  the swept range (``≤ 8`` rather than ``8``);
- :func:`legend`: the meaning of every mark the report uses, and of no other.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from turing_tx.ablation import proofs
from turing_tx.ablation.sweeps import mantissa_bits

Row = Mapping[str, Any]
STATUSES = ("agree", "departs", "disagrees")
MARKS = {"agree": "✓", "departs": "†", "disagrees": "✗"}
STATUS_TEXT = {"agree": "agrees", "departs": "departs (documented)", "disagrees": "DISAGREES"}
PROTOCOLS = {
    "surgery": "the component removed from the compiled model",
    "probe": "surgery on the probe input, for a component the given input does not exercise",
    "rebuilt": "the model compiled in the form that does without the component, the component then removed",
    "pair": "the component and its partner removed together",
    "finite-outputs": "distinct decoder outputs without the component over a long run of a non-halting machine",
    "permutation": "outputs without the component on a word and on its reversal",
    "pairs": "every pair of components removed together",
    "named": "an ablation named on the command line",
    "precision": "the intact model with a float backend",
    "temperature": "softmax(τ) instead of hardmax in every active head",
    "window": "the attention sublayer restricted to a sliding window of w keys",
    "window+bos": "a sliding window of w keys plus the BOS position as a global key",
}
CLAIMS = {
    "necessary": "removing it breaks the simulation",
    "one-of-pair": "one of it and its partner suffices: a rebuild without it is exact, removing both breaks",
    "not-needed": "a rebuild without it is exact",
}


# -- verdicts ------------------------------------------------------------------------------------
def status(verdict: Row) -> str:
    """``disagrees`` when the runs contradict the claim, else ``departs`` when the construction's claim
    differs from the paper's (a departure its claims table documents), else ``agree``."""
    if not verdict["agrees_with_paper"]:
        return "disagrees"
    return "departs" if verdict["claim"] != verdict["paper_claim"] else "agree"


def run_status(row: Row, claims: Mapping[str, Any]) -> str:
    """The status of one run of the component protocol ('' for a run no claim is about), by the rule of
    :func:`status` with the claims table of the run's construction."""
    if row["agrees_with_paper"] is None:
        return ""
    claim = claims[row["construction"]]["components"].get(row["ablation"].partition("+")[0])
    return status({"agrees_with_paper": row["agrees_with_paper"], "claim": claim["claim"] if claim else None,
                   "paper_claim": claim["paper_claim"] if claim else None})


def verdict_counts(verdicts: Iterable[Row]) -> dict[str, int]:
    """How many verdicts agree, depart (documented) and disagree; every status is a key."""
    counts = dict.fromkeys(STATUSES, 0)
    for verdict in verdicts:
        counts[status(verdict)] += 1
    return counts


# -- proofs ----------------------------------------------------------------------------------------
def proof_text(verdict: Row) -> str:
    """The proof column: the surgery model's status, and the rebuilt model's beside it when the rebuilt
    run was made (e.g. ``surgery proved necessary, rebuilt proved not needed``); '' without proofs."""
    proof = verdict.get("proof")
    if not proof:
        return ""
    if not proof["rebuilt"]:
        return proof["status"]
    return f"surgery {proof['status']}, rebuilt {proof['rebuilt']['status']}"


def _accounts(verdict: Row) -> list[tuple[str, Row]]:
    """The verdict's proofs by model: the surgery model's, then the rebuilt model's if it was made."""
    proof = verdict.get("proof")
    if not proof:
        return []
    return [("surgery", proof)] + ([("rebuilt", proof["rebuilt"])] if proof["rebuilt"] else [])


def _obligation_text(failure: Row | None) -> str:
    """The first failing obligation as ``group: name``, with the core's error when it could not read it."""
    if not failure:
        return ""
    return f"{failure['group']}: {failure['name']}" + (f" ({failure['error']})" if failure["error"] else "")


def proof_rows(verdicts: Iterable[Row]) -> list[dict[str, str]]:
    """One row per proof (surgery, then rebuilt model) for the reports' proof table and hover texts: the
    status, the first failing obligation with its counterexample, and the deciding execution."""
    return [{"construction": verdict["construction"], "machine": verdict["machine"],
             "component": verdict["component"], "model": model, "status": account["status"],
             "summary": account["summary"], "obligation": _obligation_text(account["first_failure"]),
             "counterexample": ", ".join(f"{k} = {v}" for k, v in
                                         ((account["first_failure"] or {}).get("counterexample") or {}).items()),
             "execution": proofs.execution_sentence(account)}
            for verdict in verdicts for model, account in _accounts(verdict)]


def proof_details(verdict: Row) -> list[str]:
    """Every line the prover has to say about a verdict's component (none without proofs)."""
    lines = []
    for row in proof_rows([verdict]):
        lines.append(f"proof of the {row['model']} model: {row['status']} ({row['summary']})")
        if row["obligation"]:
            lines.append(f"first failing obligation: {row['obligation']}"
                         + (f"; counterexample: {row['counterexample']}" if row["counterexample"] else ""))
        if row["execution"]:
            lines.append(row["execution"])
    return lines


def proof_counts(verdicts: Iterable[Row]) -> dict[str, int]:
    """How many proofs (surgery and rebuilt models) end in each status; empty when none was made."""
    statuses = [account["status"] for verdict in verdicts for _, account in _accounts(verdict)]
    return {s: statuses.count(s) for s in proofs.STATUSES} if statuses else {}


def constructions_run(report: Row) -> list[str]:
    """The constructions asked for that made at least one run, in the order asked."""
    ran = {r["construction"] for r in report["results"]}
    return [c for c in report["constructions"] if c in ran]


def constructions_not_run(report: Row) -> list[dict[str, str]]:
    """The constructions asked for that made no run, each with its claims source (which says why)."""
    ran = set(constructions_run(report))
    return [{"construction": c, "source": report["claims"][c]["source"]}
            for c in report["constructions"] if c not in ran]


# -- the matrices ----------------------------------------------------------------------------------
def divergence(row: Row | None) -> str:
    """``ok``, ``step s`` or ``step s / tick t`` for a run (empty when it was not made)."""
    if row is None:
        return ""
    if not row["breaks"]:
        return "ok"
    tick = row.get("first_divergence_tick")
    return f"step {row['first_divergence_step']}" + (f" / tick {tick}" if tick is not None else "")


def _step_text(step: Row) -> str:
    return (f"{step['state']} reads {step['read']} at cell {step['head']}, writes {step['write']}, "
            f"moves {step['move']}, next {step['next']}")


def witness_text(row: Row) -> str:
    """The first divergence of a broken run: what diverged, expected against decoded step."""
    witness = row.get("witness")
    if not witness:
        return ""
    expected = _step_text(witness["expected"]) if witness["expected"] else "the machine had halted"
    decoded = _step_text(witness["decoded"]) if witness["decoded"] else "nothing"
    detail = f" ({witness['detail']})" if witness["detail"] else ""
    return f"{', '.join(row['diverged'])} diverged: expected {expected}; decoded {decoded}{detail}"


def _site(machine: str, word: str) -> str:
    return f"{machine} on {word}" if word else f"{machine}, empty input"


@dataclass(frozen=True)
class Cell:
    """One observed verdict: its status, the claim it tests, the run it rests on, every run, and the
    prover's account ('' without proofs)."""

    status: str
    claim: str
    protocol: str
    divergence: str
    detail: str
    proof: str = ""

    @property
    def mark(self) -> str:
        return MARKS[self.status]

    @property
    def evidence(self) -> str:
        """The deciding run and its first divergence, e.g. ``surgery: step 0 / tick 1``."""
        return f"{self.protocol}: {self.divergence}"


@dataclass(frozen=True)
class MatrixRow:
    """One component: the paper's claim and the observed verdict on each machine (None: not run)."""

    component: str
    paper: str
    note: str
    cells: tuple[Cell | None, ...]


@dataclass(frozen=True)
class Matrix:
    """Components × machines for one construction, like the paper's figure; ``departures`` are the
    documented ones, as (component, claim, paper claim, note)."""

    construction: str
    source: str
    machines: tuple[str, ...]
    rows: tuple[MatrixRow, ...]
    departures: tuple[tuple[str, str, str, str], ...]


def _deciding(verdict: Row) -> str:
    """The run the verdict rests on: surgery (or probe) for necessary, pair for one-of-pair, rebuild
    for not-needed."""
    rows = verdict["rows"]
    if verdict["claim"].startswith("necessary"):
        return "probe" if "probe" in rows and not rows["surgery"]["breaks"] else "surgery"
    preferred = "pair" if verdict["claim"] == "one-of-pair" else "rebuilt"
    return preferred if preferred in rows else "surgery"


class _Runs:
    """The results rows by (construction, protocol, ablation, machine), to find a verdict row's run."""

    def __init__(self, results: Iterable[Row]) -> None:
        self._rows: dict[tuple[str, str, str, str], Row] = {}
        for r in results:
            self._rows.setdefault((r["construction"], r["protocol"], r["ablation"], r["machine"]), r)

    def find(self, construction: str, protocol: str, summary: Row) -> Row:
        return self._rows.get((construction, protocol, summary["ablation"], summary["machine"]), summary)


def _cell(verdict: Row, runs: _Runs) -> Cell:
    """The verdict's cell; its detail (the hover text) names every run, where it ran and its witness."""
    lines = [f"{verdict['component']} on {verdict['machine']}: {STATUS_TEXT[status(verdict)]}. Claimed "
             f"{verdict['claim']}, the paper {verdict['paper_claim']}; {verdict['reason']}."]
    for protocol, summary in verdict["rows"].items():
        run = runs.find(verdict["construction"], protocol, summary)
        text = f"{protocol} ({summary['ablation']}) on {_site(run['machine'], run.get('word', ''))}: " \
               + divergence(summary)
        witness = witness_text(run)
        lines.append(text + (f"; {witness}" if witness else "") + (f"; {summary['note']}" if summary["note"] else ""))
    deciding = _deciding(verdict)
    return Cell(status(verdict), verdict["claim"], deciding, divergence(verdict["rows"][deciding]),
                "\n".join(lines + proof_details(verdict)), proof_text(verdict))


def _machine_columns(report: Row, verdicts: Sequence[Row]) -> tuple[str, ...]:
    studied = {v["machine"] for v in verdicts}
    return tuple(dict.fromkeys(m["machine"] for m in report["machines"] if m["machine"] in studied))


def matrices(report: Row) -> list[Matrix]:
    """One matrix per construction that has verdicts, in the order the constructions were asked for."""
    runs = _Runs(report["results"])
    figures = []
    for construction in report["constructions"]:
        verdicts = [v for v in report["verdicts"] if v["construction"] == construction]
        if not verdicts:
            continue
        machines = _machine_columns(report, verdicts)
        by_key = {(v["component"], v["machine"]): v for v in verdicts}
        components = list(dict.fromkeys(v["component"] for v in verdicts))
        rows = tuple(MatrixRow(c, next(v["paper_claim"] for v in verdicts if v["component"] == c),
                               next(v["note"] for v in verdicts if v["component"] == c),
                               tuple(_cell(by_key[c, m], runs) if (c, m) in by_key else None for m in machines))
                     for c in components)
        departures = tuple(dict.fromkeys((v["component"], v["claim"], v["paper_claim"], v["note"])
                                         for v in verdicts if status(v) == "departs"))
        figures.append(Matrix(construction, report["claims"][construction]["source"], machines, rows, departures))
    return figures


# -- where the checks ran --------------------------------------------------------------------------
@dataclass(frozen=True)
class Site:
    """A machine and input some runs were made on; ``origin`` says what the claims table chose when it
    is not a machine and input the report was asked about ('' when it is)."""

    machine: str
    word: str
    origin: str

    def to_json(self) -> dict[str, str]:
        return {"machine": self.machine, "word": self.word, "origin": self.origin}


@dataclass(frozen=True)
class CheckSite:
    """Every run of one kind for one construction: how many, of what, and on which machines and inputs."""

    construction: str
    protocol: str
    meaning: str
    runs: int
    ablations: tuple[str, ...]
    sites: tuple[Site, ...]

    def to_json(self) -> dict[str, Any]:
        return {"construction": self.construction, "protocol": self.protocol, "runs": self.runs,
                "sites": [s.to_json() for s in self.sites]}


def _origin(machine: str, word: str, asked: set[tuple[str, str]]) -> str:
    if (machine, word) in asked:
        return ""
    return "input from the claims table" if any(m == machine for m, _ in asked) else "machine from the claims table"


def check_sites(report: Row) -> list[CheckSite]:
    """Per construction and kind of run (surgery, probe, finite-outputs, permutation, sweeps, …), in
    the order first run, the machines and inputs it ran on."""
    asked = {(m["machine"], m["word"]) for m in report["machines"]}
    groups: dict[tuple[str, str], list[Row]] = {}
    for row in report["results"]:
        groups.setdefault((row["construction"], row["protocol"]), []).append(row)
    return [CheckSite(construction, protocol, PROTOCOLS.get(protocol, protocol), len(rows),
                      tuple(dict.fromkeys(r["ablation"] for r in rows)),
                      tuple(dict.fromkeys(Site(r["machine"], r["word"], _origin(r["machine"], r["word"], asked))
                                          for r in rows)))
            for (construction, protocol), rows in groups.items()]


# -- sweeps ----------------------------------------------------------------------------------------
def bounded(value: int | None, low: int, high: int) -> str:
    """A sweep minimum as the range allows it to be stated: ``≤ low`` when the smallest value swept
    already works (the true minimum may be lower), ``> high`` when none works, else the value."""
    if value is None:
        return f"> {high}"
    return f"≤ {value}" if value <= low else str(value)


def precision_minima(report: Row) -> list[dict[str, Any]]:
    """Per precision section: the swept mantissa range and, per T, the minimal bits as :func:`bounded`."""
    sections = []
    for section in report["precision"]:
        bits = sorted({mantissa_bits(r["backend"]) for r in report["results"]
                       if r["protocol"] == "precision" and r["backend"].startswith("mpmath:")
                       and r["construction"] == section["construction"] and r["machine"] == section["machine"]})
        if not bits:
            continue
        rows = [{**m, "bound": bounded(m["minimal_bits"], bits[0], bits[-1])} for m in section["minimal"]]
        sections.append({"construction": section["construction"], "machine": section["machine"],
                         "steps": section["steps"], "low": bits[0], "high": bits[-1], "minimal": rows})
    return sections


def window_minima(report: Row) -> list[dict[str, Any]]:
    """Per window section: the swept range and the smallest working window, plain and with BOS, as
    :func:`bounded`, beside the maximal distance to the last write that predicts the latter."""
    sizes = report["options"]["windows"]
    return [{"construction": s["construction"], "machine": s["machine"], "target": s["target"],
             "low": min(sizes), "high": max(sizes),
             "plain": bounded(s["smallest_window"], min(sizes), max(sizes)),
             "with_bos": bounded(s["smallest_window_with_bos"], min(sizes), max(sizes)),
             "predicted": s["requirement"]["written_threshold"]} for s in report["window"]] if sizes else []


# -- the legend ------------------------------------------------------------------------------------
STATUS_MEANINGS = {
    "agree": "the runs bear out the paper's claim",
    "departs": "the runs bear out this construction's claim, a departure from the paper's that its claims "
               "table documents (footnotes say why)",
    "disagrees": "the runs contradict the claim",
}


def _status_entries(cells: Sequence[Cell]) -> list[tuple[str, str]]:
    used = {c.status for c in cells}
    return [(MARKS[s], f"{STATUS_TEXT[s]}: {STATUS_MEANINGS[s]}") for s in STATUSES if s in used]


def _claim_entries(verdicts: Iterable[Row]) -> list[tuple[str, str]]:
    """Each claim used; a construction's own variant (``necessary*``) says which paper claim it departs from."""
    papers: dict[str, list[str]] = {}
    for v in verdicts:
        papers.setdefault(v["paper_claim"], [])
        papers.setdefault(v["claim"], [])
        if v["claim"] != v["paper_claim"] and v["paper_claim"] not in papers[v["claim"]]:
            papers[v["claim"]].append(v["paper_claim"])
    order = list(CLAIMS)

    def meaning(claim: str) -> str:
        base = CLAIMS.get(claim.rstrip("*"), claim)
        if not papers[claim]:
            return base
        return f"{base} in this construction, where the paper says {' or '.join(papers[claim])}"

    def key(claim: str) -> tuple[int, str]:
        base = claim.rstrip("*")
        return (order.index(base) if base in order else len(order), claim)

    return [(claim, meaning(claim)) for claim in sorted(papers, key=key)]


DIVERGENCE_MARKS = (
    ("ok", "ok", "the ablated run decodes every step exactly as the intact run"),
    ("step", "step s", "the first configuration (0 = initial) that the ablated run decodes differently"),
    ("tick", "tick t", "the decoder tick of that first difference (the RNN-based constructions take several "
                       "ticks per step)"),
)


def _divergence_entries(cells: Sequence[Cell]) -> list[tuple[str, str]]:
    used = {word for c in cells for word in c.divergence.split()}
    return [(mark, text) for word, mark, text in DIVERGENCE_MARKS if word in used]


def _proof_entries(verdicts: Iterable[Row]) -> list[tuple[str, str]]:
    counts = proof_counts(verdicts)
    return [(s, proofs.MEANINGS[s]) for s in proofs.STATUSES if counts.get(s)]


def _bound_entries(bounds: Sequence[str]) -> list[tuple[str, str]]:
    entries = {"≤": "the smallest value swept already works: the true minimum may be lower",
               ">": "no value swept works: the minimum lies above the range"}
    return [(f"{mark} n", text) for mark, text in entries.items() if any(b.startswith(mark) for b in bounds)]


def legend(report: Row, figures: Sequence[Matrix], precision: Sequence[Row],
           windows: Sequence[Row]) -> list[tuple[str, str]]:
    """(mark, meaning) for every mark the report uses and no other: verdict marks, claims, divergence
    cells, proof statuses, sweep bounds, and the dash of a step the ablated run never decoded."""
    cells = [c for m in figures for r in m.rows for c in r.cells if c is not None]
    bounds = [m["bound"] for p in precision for m in p["minimal"]] \
        + [w[k] for w in windows for k in ("plain", "with_bos")]
    entries = _status_entries(cells) + _claim_entries(report["verdicts"]) + _divergence_entries(cells) \
        + _proof_entries(report["verdicts"]) + _bound_entries(bounds)
    if any(s["decoded_head"] is None for d in report["trace_diffs"] for s in d["steps"]):
        entries.append(("–", "no decoded step: the ablated run stopped before it"))
    return entries
