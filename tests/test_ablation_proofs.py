"""The proof column of the ablation study: every component the runs show breaking the construction is
proved necessary (an obligation fails, and the run executing its counterexample diverges), every
component the runs show not needed is proved not needed (the proof of the rebuilt, or surgery, model
goes through), and the reports show it."""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path
from typing import Any

import pytest

from turing_tx.ablation import summary
from turing_tx.ablation.proofs import (
    NOT_APPLICABLE,
    PROVED_NECESSARY,
    PROVED_NOT_NEEDED,
    Attempt,
    execution_sentence,
    prove_model,
)
from turing_tx.ablation.runner import Runner
from turing_tx.ablation.subjects import make_subject
from turing_tx.cli import ablate as command
from turing_tx.machines.formats.bbchallenge import parse_machine

BB2 = "1RB1LB_1LA1RZ"
BB3 = "1RB1RZ_1LB0RC_1LC1LA"
STUDIES = [("perez", BB2), ("perez", BB3)]  # and bhattamishra-mask on BB(2) through the CLI (report_dir)


@pytest.fixture(scope="module", params=STUDIES, ids=[f"{c}-{m}" for c, m in STUDIES])
def verdicts(request: pytest.FixtureRequest) -> list[dict[str, Any]]:
    """The verdicts of one construction's component protocol on one machine, each with its proof."""
    construction, machine = request.param
    _, rows = Runner(construction, parse_machine(machine)).study(prove=True)
    return [v.to_json() for v in rows]


@pytest.fixture(scope="module")
def report_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``turing-tx ablate BB2 -c bhattamishra-mask`` (proofs on by default) into a directory."""
    directory = tmp_path_factory.mktemp("proofs")
    parser = argparse.ArgumentParser(prog="turing-tx")
    command.add_parser(parser.add_subparsers())
    assert command.run(parser.parse_args(["ablate", BB2, "-c", "bhattamishra-mask", "-o", str(directory), "-q"])) == 0
    return directory


def _breaks(verdict: dict[str, Any]) -> bool:
    """Whether the study saw the construction break without the component (given or probe input)."""
    return any(verdict["rows"][p]["breaks"] for p in ("surgery", "probe") if p in verdict["rows"])


def _check(verdicts: list[dict[str, Any]]) -> None:
    """Each verdict's proof bears out what the runs showed."""
    for v in verdicts:
        proof = v["proof"]
        if _breaks(v):
            assert proof["status"] == PROVED_NECESSARY, v["component"]
            failure = proof["first_failure"]  # refuted with a counterexample, or a statement the core cannot read
            assert failure["name"] and (failure["counterexample"] or failure["error"]), v["component"]
            assert proof["executions"][-1]["diverged"], v["component"]
            assert "diverges from the reference" in execution_sentence(proof)
        else:  # the surgery model runs exactly: the proof goes through
            assert proof["status"] == PROVED_NOT_NEEDED, v["component"]
            assert proof["first_failure"] is None and proof["executions"] == []
        if v["claim"] == "not-needed":
            assert (proof["rebuilt"] or proof)["status"] == PROVED_NOT_NEEDED, v["component"]
        if "rebuilt" in v["rows"]:  # the model the rebuilt run ran is proved too
            assert proof["rebuilt"]["status"] == PROVED_NOT_NEEDED, v["component"]
        else:
            assert proof["rebuilt"] is None


def test_proofs_bear_out_the_study(verdicts: list[dict[str, Any]]) -> None:
    _check(verdicts)
    statuses = {v["proof"]["status"] for v in verdicts}
    assert statuses == {PROVED_NECESSARY, PROVED_NOT_NEEDED}  # both kinds occur in every study here


def test_proofs_through_the_cli(report_dir: Path) -> None:
    report = json.loads((report_dir / "report.json").read_text(encoding="utf-8"))
    assert report["options"]["prove"] is True
    _check(report["verdicts"])
    # dec0.self_attn.head0 breaks only on the probe input: so does the run executing its counterexample
    head = next(v for v in report["verdicts"] if v["component"] == "dec0.self_attn.head0")
    assert [e["word"] for e in head["proof"]["executions"]] == ["", "11"]
    counts = report["overview"]["proof_counts"]
    assert counts[PROVED_NECESSARY] == sum(_breaks(v) for v in report["verdicts"]) and counts["unconfirmed"] == 0


def test_reports_show_the_proof_column(report_dir: Path) -> None:
    md = (report_dir / "report.md").read_text(encoding="utf-8")
    html = (report_dir / "report.html").read_text(encoding="utf-8")
    assert "| verdict | proof | reason |" in md and "<th>verdict</th><th>proof</th><th>reason</th>" in html
    assert "| `dec0.ffn` | necessary | ✓ necessary (surgery: step 0 / tick 1; proved necessary) |" in md
    assert "surgery proved necessary, rebuilt proved not needed" in md  # dec0.ffn.residual (not-needed)
    assert "- `proved necessary` — " in md and re.search(r"<dt[^>]*>proved not needed</dt>", html)
    assert "### Proofs" in md and 'id="proofs"' in html and 'id="proof-summary"' in html
    assert "seconds" not in md and "seconds" not in html  # the reports stay byte-identical on a rerun


def test_proof_text_and_counts_without_proofs() -> None:
    verdict = {"proof": None}
    assert summary.proof_text(verdict) == "" and summary.proof_details(verdict) == []
    assert summary.proof_counts([verdict]) == {} and summary.proof_rows([verdict]) == []


def test_a_network_the_construction_states_no_obligations_for_is_not_applicable() -> None:
    perez = make_subject("perez", parse_machine(BB2)).model
    assert perez is not None
    proof = prove_model(make_subject("siegelmann-sontag", parse_machine(BB2)), Attempt(perez, ()), 10)
    assert proof["status"] == NOT_APPLICABLE and "RNN" in proof["summary"] and proof["executions"] == []
