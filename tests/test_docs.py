"""The documentation site builds strictly, is generated from the project, and stands alone.

One ``mkdocs build --strict`` (MkDocs Material, ``mkdocs.yml``, hooks in ``docs/hooks.py``) into a temporary
directory; then: every page exists, the figures the project draws are in the site, the CLI reference
names every subcommand and option ``build_parser()`` knows (so it was generated, not written by hand),
and no page, built or source, points outside the repository.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from turing_tx.cli.main import build_parser

ROOT = Path(__file__).resolve().parent.parent
BUILD_TIMEOUT = 300

PAGES = (
    "index.html",
    "constructions/perez/index.html",
    "constructions/siegelmann-sontag/index.html",
    "constructions/bhattamishra/index.html",
    "verification/index.html",
    "ablation/index.html",
    "formats/index.html",
    "cli/index.html",
    "architecture/index.html",
)
#: what must not appear anywhere: a section sign, the shared specification folder outside the repository
#: (spelled in two pieces, so that this guard is not itself a hit of tests/test_self_contained.py)
OUTSIDE = ("\N{SECTION SIGN}", "shared" "/")


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("site")
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    result = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(target)],
                            cwd=ROOT, capture_output=True, text=True, timeout=BUILD_TIMEOUT, env=env)
    assert result.returncode == 0, f"mkdocs build --strict failed:\n{result.stdout}\n{result.stderr}"
    return target


def _subcommands() -> dict[str, argparse.ArgumentParser]:
    for action in build_parser()._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    raise AssertionError("build_parser() has no subcommands")


def test_every_page_is_built(site: Path) -> None:
    missing = [page for page in PAGES if not (site / page).is_file()]
    assert not missing, f"pages missing from the built site: {missing}"


def test_figures_are_drawn_by_the_project(site: Path) -> None:
    figures = sorted(p.name for p in (site / "generated").iterdir() if p.suffix in (".svg", ".png"))
    assert any(name.endswith("diagram.svg") for name in figures), figures
    assert any(name.endswith("attention.png") for name in figures), figures
    for name in figures:
        assert (site / "generated" / name).stat().st_size > 1000, name
    perez = (site / "constructions/perez/index.html").read_text(encoding="utf-8")
    assert "../../generated/bb3-perez-diagram.svg" in perez


def test_cli_reference_is_generated_from_the_parser(site: Path) -> None:
    page = (site / "cli/index.html").read_text(encoding="utf-8")
    subcommands = _subcommands()
    assert len(subcommands) >= 5
    for name, parser in subcommands.items():
        assert f'id="{name}"' in page, f"no section for subcommand {name}"
        assert f"turing-tx {name}" in page, f"no usage for subcommand {name}"
        for action in parser._actions:
            if action.help == argparse.SUPPRESS:  # hidden options (deprecated spellings) stay hidden
                continue
            for option in action.option_strings:
                assert option in page, f"option {option} of {name} missing from the CLI reference"


def test_worked_examples_are_the_projects_output(site: Path) -> None:
    index = (site / "index.html").read_text(encoding="utf-8")
    assert "verified: True" in index
    perez = (site / "constructions/perez/index.html").read_text(encoding="utf-8")
    assert "c:r=1/4" in perez  # BB(2), position 3: folded head 1 = 4 · 1/4
    verification = (site / "verification/index.html").read_text(encoding="utf-8")
    assert "step 3: move L (network) vs R (machine)" in verification
    assert "verified&quot;: null" in verification or '"verified": null' in verification


def _outside_references(text: str) -> list[str]:
    return [bad for bad in OUTSIDE if bad in text]


def test_no_page_points_outside_the_repository(site: Path) -> None:
    offending = {}
    for path in sorted(site.rglob("*.html")):
        text = path.read_text(encoding="utf-8")
        found = _outside_references(text)
        external = re.findall(r'(?:href|src)="((?:https?:)?//[^"]*)"', text)
        if found or external:
            offending[str(path.relative_to(site))] = found + external
    sources = [ROOT / "mkdocs.yml", *sorted(p for p in (ROOT / "docs").rglob("*") if p.is_file()
                                            and "__pycache__" not in p.parts)]
    for path in sources:
        found = _outside_references(path.read_text(encoding="utf-8"))
        if found:
            offending[str(path.relative_to(ROOT))] = found
    assert not offending, f"pages pointing outside the repository: {offending}"
