"""Reports: required JSON keys, byte-identical reruns, the CLI, what the report says before its run log
(legend, verdict counts, matrices, where checks ran, sweep bounds), and HTML that Chromium renders
with the matrices in the first screen."""

from __future__ import annotations

import argparse
import copy
import json
import re
import shutil
import subprocess
from fractions import Fraction
from html.parser import HTMLParser
from pathlib import Path

import pytest

from turing_tx.ablation import summary
from turing_tx.ablation.report import render, write_report
from turing_tx.ablation.study import StudyOptions, run_study
from turing_tx.cli import ablate as command
from turing_tx.machines.formats.bbchallenge import parse_machine

BB2 = "1RB1LB_1LA1RZ"
KEYS = {"construction", "machine", "ablation", "breaks", "first_divergence_step", "distinct_outputs",
        "paper_claim", "agrees_with_paper"}
REPORT_KEYS = {"claims", "components", "constructions", "format", "machines", "options", "precision", "results",
               "temperature", "trace_diffs", "verdicts", "window"}
# Marks whose meaning is not self-evident; each must be in the legend exactly when the report uses it.
MARKS = ("✓", "†", "✗", "necessary*", "one-of-pair", "not-needed", "≤ ", "> ", "tick ", "–")


def _study() -> dict:
    options = StudyOptions(precisions=["float64", "mpmath:3", "mpmath:5"], temperatures=[Fraction(1, 100)],
                           windows=[2, 8, 10], ablations=["dec0.cross_attn.residual.scale=1/2"])
    return run_study(["bhattamishra-mask", "perez", "bhattamishra-pe"], [(parse_machine(BB2), ())], options)


@pytest.fixture(scope="module")
def study() -> dict:
    return _study()


@pytest.fixture(scope="module")
def report_dir(tmp_path_factory, study: dict) -> Path:
    directory = tmp_path_factory.mktemp("report")
    write_report(study, directory)
    return directory


@pytest.fixture(scope="module")
def md(report_dir: Path) -> str:
    return (report_dir / "report.md").read_text()


@pytest.fixture(scope="module")
def html(report_dir: Path) -> str:
    return (report_dir / "report.html").read_text()


def test_json_results(report_dir: Path) -> None:
    report = json.loads((report_dir / "report.json").read_text())
    assert set(report) >= REPORT_KEYS | {"overview"}
    assert report["results"] and all(set(row) >= KEYS for row in report["results"])
    assert any(r["protocol"] == "pair" and "+" in r["ablation"] for r in report["results"])
    assert all(v["agrees_with_paper"] for v in report["verdicts"])
    assert report["window"][0]["agrees"]


def test_rerun_is_byte_identical(report_dir: Path, tmp_path: Path) -> None:
    write_report(_study(), tmp_path)
    for name in ("report.json", "report.md", "report.html"):
        assert (tmp_path / name).read_bytes() == (report_dir / name).read_bytes(), name


# -- 1. a legend of the marks actually used ---------------------------------------------------------
def _md_legend(md: str) -> tuple[list[str], str]:
    """The legend's marks and the Markdown without the legend."""
    block = md[md.index("Legend:"):md.index("\n## ")]
    return re.findall(r"^- `([^`]+)` — ", block, flags=re.M), md.replace(block, "")


def test_legend_explains_exactly_the_marks_used(md: str, html: str) -> None:
    legend, body = _md_legend(md)
    for mark in MARKS:
        in_legend = any(entry == mark.strip() or entry.startswith(mark) for entry in legend)
        assert in_legend == (mark in body), mark
    assert "†" in legend and "necessary*" in legend and "✗" not in legend  # Theorem 2 departs; nothing disagrees
    html_legend = re.findall(r"<dt[^>]*>([^<]+)</dt>", html[html.index('id="legend"'):])
    assert html_legend == [entry.replace(">", "&gt;") for entry in legend]


def test_legend_says_which_paper_claim_a_variant_departs_from(study: dict) -> None:
    meanings = dict(summary.legend(study, summary.matrices(study), [], []))
    assert "where the paper says one-of-pair" in meanings["necessary*"]
    assert "where the paper says" not in meanings["necessary"]


# -- 2. only the constructions run; where each check ran ------------------------------------------
def test_lists_only_the_constructions_it_ran(tmp_path: Path) -> None:
    report = run_study(["perez", "siegelmann-sontag"], [(parse_machine(BB2), ())], StudyOptions())
    write_report(report, tmp_path)
    md = (tmp_path / "report.md").read_text()
    assert "Constructions run: perez." in md
    assert [line for line in md.splitlines() if "siegelmann-sontag" in line] == [
        "Not run: siegelmann-sontag, nothing to run with these options (Siegelmann & Sontag (1995): an RNN, "
        "not a transformer; it has no heads, residuals or FFNs to remove, so only precision ablations apply; "
        "see docs/constructions/siegelmann-sontag.md, \"Ablations\")."]
    overview = json.loads((tmp_path / "report.json").read_text())["overview"]
    assert overview["constructions_run"] == ["perez"] and overview["constructions_not_run"] == ["siegelmann-sontag"]
    assert "<b>siegelmann-sontag</b>" not in (tmp_path / "report.html").read_text()


def test_a_report_without_verdicts_says_so() -> None:
    report = run_study(["siegelmann-sontag"], [(parse_machine(BB2), ())], StudyOptions(precisions=["mpmath:8"]))
    assert "\nNo component verdicts: no construction run has components to remove.\n" in render(report, "md")
    assert 'id="matrices"' not in render(report, "html")


def test_says_where_each_check_ran(study: dict, md: str, report_dir: Path) -> None:
    sites = {(s.construction, s.protocol): s for s in summary.check_sites(study)}
    finite = sites["bhattamishra-pe", "finite-outputs"]
    assert [(s.machine, s.word, s.origin) for s in finite.sites] == [("1RA1RA", "", "machine from the claims table")]
    assert [(s.machine, s.word, s.origin) for s in sites["bhattamishra-pe", "permutation"].sites] == [
        (BB2, "11", "input from the claims table")]
    assert [(s.machine, s.origin) for s in sites["perez", "surgery"].sites] == [(BB2, "")]
    assert {"precision", "window", "window+bos", "temperature", "named"} <= {p for c, p in sites if c == "perez"}
    assert "| bhattamishra-mask | finite-outputs | 1 | `1RA1RA` (empty input), machine from the claims table |" in md
    overview = json.loads((report_dir / "report.json").read_text())["overview"]
    probe = {"machine": BB2, "word": "11", "origin": "input from the claims table"}
    assert {"construction": "bhattamishra-mask", "protocol": "probe", "runs": 1, "sites": [probe]} \
        in overview["check_sites"]


# -- 3. sweep minima at the end of the range --------------------------------------------------------
def test_bounded_minimum() -> None:
    assert summary.bounded(8, 8, 40) == "≤ 8"
    assert summary.bounded(None, 8, 40) == "> 40"
    assert summary.bounded(16, 8, 40) == "16"


def test_sweep_minima_at_the_bottom_of_the_range_say_so(study: dict, md: str) -> None:
    perez = next(p for p in summary.precision_minima(study) if p["construction"] == "perez")
    assert (perez["low"], perez["high"]) == (3, 5) and {m["bound"] for m in perez["minimal"]} == {"≤ 3"}
    assert "| perez | `1RB1LB_1LA1RZ` | 3 to 5 | 6 | ≤ 3 | 12.9 |" in md
    assert "| bhattamishra-pe | `1RB1LB_1LA1RZ` | 3 to 5 | 6 | > 5 | 12.9 |" in md
    window = summary.window_minima(study)[0]
    assert (window["with_bos"], window["plain"]) == ("≤ 2", "8")
    assert "Smallest working window, swept 2 to 10: plain 8; with the BOS key ≤ 2;" in md


# -- 4. documented departures counted apart --------------------------------------------------------
def test_departures_are_counted_apart_from_agreement(study: dict, md: str, html: str) -> None:
    counts = summary.verdict_counts(study["verdicts"])
    assert counts == {"agree": len(study["verdicts"]) - 4, "departs": 4, "disagrees": 0}
    assert {v["component"] for v in study["verdicts"] if summary.status(v) == "departs"} == {
        "enc0.self_attn.head0", "enc0.self_attn.residual", "dec0.self_attn.head0", "dec0.self_attn.residual"}
    assert f"{counts['agree']} agree ✓, 4 depart from the paper as documented †, 0 disagree." in md
    assert "4 depart (documented)" in html


def test_a_disagreement_is_counted_and_shown(study: dict) -> None:
    broken = copy.deepcopy(study)
    verdict = next(v for v in broken["verdicts"] if v["construction"] == "perez" and v["claim"] == "not-needed")
    verdict["agrees_with_paper"] = False
    assert summary.verdict_counts(broken["verdicts"])["disagrees"] == 1
    html = render(broken, "html")
    assert '<span class="count disagrees">✗ 1 disagree</span>' in html
    assert html.count('class="verdict disagrees"') == 1
    assert ", 1 disagree ✗." in render(broken, "md")


# -- 5. the HTML reads like the paper's figure -----------------------------------------------------
class _StrictHTML(HTMLParser):
    """Checks that every element is closed in order and that ids are unique."""

    VOID = {"meta", "br", "img", "hr", "input", "link", "col", "wbr", "source"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.ids: list[str] = []
        self.errors: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.ids += [v for k, v in attrs if k == "id" and v]
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.ids += [v for k, v in attrs if k == "id" and v]

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes {self.stack[-1:]}")
        else:
            self.stack.pop()


def test_html_is_valid_and_self_contained(html: str) -> None:
    assert html.startswith("<!DOCTYPE html>\n<html lang=\"en\">")
    parser = _StrictHTML()
    parser.feed(html)
    assert not parser.errors and not parser.stack
    assert len(parser.ids) == len(set(parser.ids))  # also across the inline SVG figures
    assert set(re.findall(r'(?:href="#|url\(#)([^")]+)', html)) <= set(parser.ids)
    assert "<script" not in html and "<link" not in html and "@import" not in html
    assert not re.search(r"(src|href)=\"(https?:)?//", html)


def test_html_opens_on_the_matrices_and_folds_the_run_log(html: str) -> None:
    sections = re.findall(r"<(section|details) id=\"([\w-]+)\"", html)
    assert [name for _, name in sections][:2] == ["matrices", "checks"]
    assert sections[-1] == ("details", "run-log")
    log = html[html.index('<details id="run-log">'):]
    assert 'id="verdicts"' in log and 'id="results"' in log
    figures = re.findall(r'<figure class="matrix" id="matrix-([\w-]+)">', html)
    assert figures == ["bhattamishra-mask", "perez", "bhattamishra-pe"]


def test_matrix_cells_carry_status_and_witness(html: str) -> None:
    cell = re.search(r'<td class="verdict departs" title="([^"]*)"><span class="mark">†</span>necessary\*'
                     r"<small>surgery: step 0 / tick 1</small></td>", html)
    assert cell is not None
    assert cell.group(1).startswith("enc0.self_attn.head0 on 1RB1LB_1LA1RZ: departs (documented). Claimed "
                                    "necessary*, the paper one-of-pair; surgery breaks.")
    assert "diverged: expected A reads 0 at cell 0, writes 1, moves R, next B; decoded" in cell.group(1)
    assert "† <code>enc0.self_attn.head0</code>: necessary* here, one-of-pair in the paper" in html


def test_sweeps_are_plots_with_labelled_axes(html: str) -> None:
    sweeps = html[html.index('<section id="sweeps">'):html.index("</section>", html.index('<section id="sweeps">'))]
    for label in ("mantissa bits", "steps T run exactly", "minimal mantissa bits", "window size w (keys)",
                  "softmax temperature τ", "first divergence step"):
        assert label in sweeps, label
    assert sweeps.count("<svg") == 4


def test_user_strings_are_escaped(study: dict) -> None:
    hostile = '<img src=x onerror=alert(1)>&$x$"'
    report = json.loads(json.dumps(study).replace(BB2, hostile.replace('"', '\\"')))
    html = render(report, "html")
    assert "<img" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;&amp;$x$&#34;" in html


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="turing-tx")
    command.add_parser(parser.add_subparsers())
    return parser


def test_cli_ablate_and_components(tmp_path: Path, capsys) -> None:
    args = _parser().parse_args(["ablate", BB2, "--construction", "bhattamishra-mask",
                                 "-o", str(tmp_path), "--quiet", "--no-prove"])  # proofs: test_ablation_proofs
    assert command.run(args) == 0
    report = json.loads((tmp_path / "report.json").read_text())
    assert report["constructions"] == ["bhattamishra-mask"] and report["options"]["prove"] is False
    assert all(v["proof"] is None for v in report["verdicts"]) and report["overview"]["proof_counts"] == {}
    assert command.run(_parser().parse_args(["components", BB2, "--construction", "perez"])) == 0
    assert "dec2.ffn" in capsys.readouterr().out


# -- 6. what a reader sees in the first screen (headless Chromium) ----------------------------------
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FIRST_SCREEN = (1280, 900)
AGREE, DEPARTS = (0xDC, 0xF0, 0xD8), (0xFD, 0xEC, 0xC0)  # the matrix cells' backgrounds (--agree, --departs)


def _chromium(*args: str) -> subprocess.CompletedProcess[str]:
    result = subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                             "--disable-background-networking", "--enable-logging=stderr", "--v=0", *args],
                            capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr[-2000:]
    return result


def _pixels(png: Path, colour: tuple[int, int, int]) -> int:
    from PIL import Image  # matplotlib's own dependency

    with Image.open(png) as image:
        return sum(count for count, rgb in image.convert("RGB").getcolors(1 << 24)
                   if all(abs(a - b) <= 2 for a, b in zip(rgb, colour, strict=True)))


@pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed")
def test_first_screen_in_headless_chromium(report_dir: Path) -> None:
    page = (report_dir / "report.html").as_uri()
    dom = _chromium("--dump-dom", page)
    assert not [line for line in dom.stderr.splitlines() if "CONSOLE" in line and "ERROR" in line.upper()]
    text = dom.stdout
    first_matrix = text.index('id="matrix-bhattamishra-mask"')
    assert text.index("<h2>Components × verdict</h2>") < first_matrix < text.index('id="legend"')
    assert first_matrix < text.index('<details id="run-log">') < text.index('id="results"')
    assert not re.search(r'<details id="run-log"[^>]* open', text)
    screenshot = report_dir / "first-screen.png"
    _chromium(f"--screenshot={screenshot}", f"--window-size={FIRST_SCREEN[0]},{FIRST_SCREEN[1]}", page)
    # the first construction's matrix is on the first screen: its agreeing cells and Theorem 2's four
    # departures on BB(2) (each at least 150 × 18 px) are painted there
    assert _pixels(screenshot, AGREE) > 7 * 150 * 18
    assert _pixels(screenshot, DEPARTS) > 4 * 150 * 18
