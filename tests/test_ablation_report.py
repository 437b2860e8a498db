"""Reports: required JSON keys, byte-identical reruns, the CLI, and HTML that Chromium renders."""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
from fractions import Fraction
from pathlib import Path

import pytest

from turing_tx.ablation.report import write_report
from turing_tx.ablation.study import StudyOptions, run_study
from turing_tx.cli import ablate as command
from turing_tx.machines.formats.bbchallenge import parse_machine

KEYS = {"construction", "machine", "ablation", "breaks", "first_divergence_step", "distinct_outputs",
        "paper_claim", "agrees_with_paper"}


def _study() -> dict:
    options = StudyOptions(precisions=["float64", "mpmath:3", "mpmath:5"], temperatures=[Fraction(1, 100)],
                           windows=[2, 8, 10], ablations=["dec0.cross_attn.residual.scale=1/2"])
    return run_study(["perez", "bhattamishra-pe"], [(parse_machine("1RB1LB_1LA1RZ"), ())], options)


@pytest.fixture(scope="module")
def report_dir(tmp_path_factory) -> Path:
    directory = tmp_path_factory.mktemp("report")
    write_report(_study(), directory)
    return directory


def test_json_results(report_dir: Path) -> None:
    report = json.loads((report_dir / "report.json").read_text())
    assert report["results"] and all(set(row) >= KEYS for row in report["results"])
    assert any(r["protocol"] == "pair" and "+" in r["ablation"] for r in report["results"])
    assert all(v["agrees_with_paper"] for v in report["verdicts"])
    assert report["window"][0]["agrees"]


def test_rerun_is_byte_identical(report_dir: Path, tmp_path: Path) -> None:
    write_report(_study(), tmp_path)
    for name in ("report.json", "report.md", "report.html"):
        assert (tmp_path / name).read_bytes() == (report_dir / name).read_bytes(), name


def test_html_is_self_contained(report_dir: Path) -> None:
    html = (report_dir / "report.html").read_text()
    assert html.count("<svg") >= 3 and "<script" not in html
    assert 'src="http' not in html and 'href="http' not in html


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="turing-tx")
    command.add_parser(parser.add_subparsers())
    return parser


def test_cli_ablate_and_components(tmp_path: Path, capsys) -> None:
    args = _parser().parse_args(["ablate", "1RB1LB_1LA1RZ", "--construction", "bhattamishra-mask",
                                 "-o", str(tmp_path), "--quiet"])
    assert command.run(args) == 0
    assert json.loads((tmp_path / "report.json").read_text())["constructions"] == ["bhattamishra-mask"]
    assert command.run(_parser().parse_args(["components", "1RB1LB_1LA1RZ", "--construction", "perez"])) == 0
    assert "dec2.ffn" in capsys.readouterr().out


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed")
def test_html_opens_in_headless_chromium(report_dir: Path) -> None:
    result = subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--enable-logging=stderr", "--v=0", "--dump-dom", (report_dir / "report.html").as_uri()],
        capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr[-2000:]
    assert 'id="verdicts"' in result.stdout and 'id="results"' in result.stdout
    assert "<svg" in result.stdout
    console_errors = [line for line in result.stderr.splitlines() if "CONSOLE" in line and "ERROR" in line.upper()]
    assert not console_errors
