"""What the command line says about itself: --version, what MACHINE may be in every subcommand's help,
the ablation names in ``ablate --help``, the constructions ``-c`` takes, and one flag name per thing
(``--max-steps`` everywhere, the older ``--steps`` still accepted but not shown)."""

from __future__ import annotations

from importlib.metadata import version

import pytest
from test_cli import BB2, run_cli

from turing_tx.cli.main import build_parser
from turing_tx.constructions.registry import construction_names

MACHINE_COMMANDS = ["run", "verify", "compile", "convert", "components", "ablate", "diagram", "attention"]
#: the commands with a step limit, each with the rest of a valid command line
STEP_COMMANDS = {"run": [BB2], "verify": [BB2], "ablate": [BB2, "-c", "perez", "-o", "report"],
                 "diagram": [BB2, "-o", "x.svg"], "attention": [BB2, "-o", "x.svg"]}


@pytest.fixture(autouse=True)
def wide_help(monkeypatch):
    """One line per option, so that names are not wrapped at their hyphens."""
    monkeypatch.setenv("COLUMNS", "1000")


def help_text(capsys, command: str) -> str:
    code, out, _ = run_cli(capsys, command, "--help")
    assert code == 0
    return out


def test_version_comes_from_the_package_metadata(capsys):
    code, out, _ = run_cli(capsys, "--version")
    assert code == 0 and out == f"turing-tx {version('turing-tx')}\n"


@pytest.mark.parametrize("command", MACHINE_COMMANDS)
def test_every_machine_help_says_what_machine_may_be(capsys, command):
    text = " ".join(help_text(capsys, command).split())
    for kind in ("bbchallenge text", "turingmachine.io YAML", "Morphett", "automata-lib DTM JSON",
                 "inline bbchallenge string", "library name"):
        assert kind in text, (command, kind)
    assert ("model JSON written by turing-tx compile" in text) == (command in ("run", "verify"))


def test_ablate_help_lists_the_ablation_names(capsys):
    text = help_text(capsys, "ablate")
    names = text.split("ablation names for --ablation")[1]
    for name in ("dec0.cross_attn.residual", "dec2.ffn", "pos_encoding", "pos_masking", "softmax(tau=1/10)",
                 "X.window=8", "X.residual.scale=1/2", "precision=float32"):
        assert f"\n  {name} " in names, name


@pytest.mark.parametrize("command", ["run", "verify", "compile", "components", "ablate", "diagram", "attention"])
def test_construction_option_lists_the_constructions(capsys, command):
    option = help_text(capsys, command).split("-c CONSTRUCTION")[1].split("\n  -")[0]
    assert all(name in option for name in construction_names()), option


@pytest.mark.parametrize("command", STEP_COMMANDS)
def test_step_limit_is_max_steps_everywhere_and_steps_an_alias(capsys, command):
    text = help_text(capsys, command)
    assert "--max-steps N" in text and "--steps" not in text
    parser = build_parser()
    for flag in ("--max-steps", "--steps"):
        assert parser.parse_args([command, *STEP_COMMANDS[command], flag, "7"]).max_steps == 7


@pytest.mark.parametrize("flag", ["--max-steps", "--steps"])
def test_a_negative_step_limit_names_the_flag_typed(capsys, tmp_path, flag):
    code, _, err = run_cli(capsys, "diagram", BB2, flag, "-1", "-o", str(tmp_path / "x.svg"))
    assert code == 2 and err == f"turing-tx: {flag} must be a non-negative integer, got -1\n"
    code, _, err = run_cli(capsys, "run", BB2, flag, "-1")
    assert code == 2 and flag in err and err.count("\n") == 1


def test_input_and_quiet_have_the_same_short_flags_everywhere(capsys):
    for command in ("run", "verify", "compile", "convert", "components", "ablate", "diagram", "attention"):
        assert "-i WORD" in help_text(capsys, command), command
    for command in ("run", "verify", "ablate"):
        assert "--quiet, -q" in help_text(capsys, command), command
