"""Start-up: a subcommand imports what it uses. Building the parser and running a machine load neither the
plotting, templating and graph libraries nor the ablation and picture machinery, which only ``ablate``,
``components``, ``diagram`` and ``attention`` need (their handlers import them)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

HEAVY = ("matplotlib", "jinja2", "networkx", "turing_tx.ablation", "turing_tx.pictures")


def modules_loaded_by(code: str) -> list[str]:
    """The HEAVY modules (or their submodules) loaded in a fresh interpreter after running ``code``."""
    script = (f"{code}\nimport json, sys\n"
              f"heavy = {HEAVY!r}\n"
              "print(json.dumps(sorted(m for m in sys.modules if any(m == h or m.startswith(h + '.') "
              "for h in heavy))))")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=120)
    return json.loads(done.stdout.splitlines()[-1])


def test_running_a_machine_loads_no_heavy_module():
    code = ("from turing_tx.cli.main import main\n"
            "assert main(['run', 'bb2', '--json']) == 0")
    assert modules_loaded_by(code) == []


def test_building_the_parser_loads_no_heavy_module():
    assert modules_loaded_by("from turing_tx.cli.main import build_parser\nbuild_parser()") == []


@pytest.mark.parametrize(("argv", "needed"), [
    (["components", "bb2", "-c", "perez"], "turing_tx.ablation"),
    (["ablate", "--help"], "turing_tx.ablation"),
])
def test_subcommands_that_need_the_machinery_import_it_themselves(argv, needed):
    code = ("from turing_tx.cli.main import main\n"
            "import contextlib, io\n"
            "with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(SystemExit):\n"
            f"    main({argv!r})")
    assert needed in modules_loaded_by(code)
