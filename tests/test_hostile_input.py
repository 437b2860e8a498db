"""The hostile-input corpus: bad input of every kind ends in exit 0 (a correct run), 1 (a failed
verification or proof) or 2 with exactly one line on stderr; never a traceback, never a process the
operating system has to kill, never an incomplete output file.

Cases run in-process (``turing_tx.cli.main.main`` with capsys), except the signal and concurrent-write
cases, which need processes of their own. The corpus, by class (parametrized cases; the property
tests add generated examples on top):

1. Operating-system errors (132): a directory, a path through a regular file, a missing file, a path
   inside a missing directory, a FIFO without a writer, a dangling symbolic link and an empty name,
   given as the machine of every command that reads one (63), and as ``--model`` and ``--rnn`` with
   a file that is not JSON (36); an output onto a directory, inside a missing directory, through a
   regular file or with an empty name for every command that writes one (24), onto a FIFO nobody
   reads (4) or one that is read, and through a symbolic link (1); an ablation report directory that
   cannot be made (4). The permission cases (an output directory that cannot be written or searched,
   an unreadable machine file: 21 more) are skipped as root, where permission bits are ignored, and
   the root-proof cases above stand in for them. ``/dev/full`` is deliberately not used: were writes
   to regress to renaming over the target, the test would replace the device itself.
2. Inline machines mistaken for paths (43): valid bbchallenge strings of 1 to 25 states and 2 to 10
   symbols (a 9-state 10-symbol string is 305 characters, past a file name's 255), run and verified;
   strings past the format's bounds (20 symbols, 26 rows, 1 symbol, ragged rows) and long non-machines.
3. Resource bounds (67): mpmath bits, ``--max-steps``, ``--time-limit``, ``--execute-steps``,
   ``--line``, the picture size of ``diagram``/``attention`` and every sweep of ``ablate``
   (``--precision``, ``--window``, ``--temperature``), past their bounds (60) and at them (6), and
   the sweep bounds shown in ``ablate --help`` (1).
4. Model and RNN JSON checked for meaning (57): duplicate symbols ``"1"`` and ``1``, an added integer,
   unhashable symbols, duplicate names, huge integers and rationals, 100,000 nested lists, wrong types
   and unknown keys, through ``run FILE``, ``verify MACHINE --model FILE`` and ``prove MACHINE
   --model FILE`` (45), and through ``verify --model`` and ``run --rnn`` (12).
5. Reports are data (6): a machine file named ``<img src=x onerror=alert(1)>.yaml`` whose states are
   HTML too, through ``prove -o report.html``, ``ablate -o DIR``, ``diagram`` and ``attention``: the
   HTML and SVG show it escaped (4), and headless Chromium, when installed, renders it as text (2).
6. Two processes writing one output (1 case, 3 rounds of two concurrent ``compile``): the file is one
   complete output, never a mix, and no temporary file is left.
7. Signals (1 case, 3 processes): SIGINT during ``run`` and during ``ablate -o DIR`` exits 130,
   SIGTERM exits 143, each with one line and no report or temporary file left.
8. Listing commands and usage (15): extra arguments, unknown commands and options, ``--debug``.
9. Property tests (4, 40 generated examples each): machine files of every format (bbchallenge text,
   turingmachine.io YAML, Morphett, automata-lib DTM JSON; random machines and library files) mutated
   at random through ``run`` and ``convert``; model and RNN JSON mutated at random (types, keys,
   sizes, huge integers, nesting) through ``run``, ``verify --model`` and ``run --rnn``.

In all 322 cases besides the permission cases and the generated examples; ``test_corpus_size``
checks that at least 300 are collected.
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import shutil
import signal
import stat
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import MACHINES
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from machine_strategies import machines
from test_fuzz_parsers import SEEDS, mutate

from turing_tx.cli.main import main
from turing_tx.errors import TuringTxError
from turing_tx.machines.formats.loader import write

BB2 = "1RB1LB_1LA1RZ"
NON_HALTER = "1RB1LB_0LA1RA"
ROOT = os.geteuid() == 0
PROPERTY = settings(max_examples=40, deadline=None, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture,
                                           HealthCheck.data_too_large])


# -- the contract ------------------------------------------------------------------------------------
def run_cli(capsys: pytest.CaptureFixture[str], argv: list[str]) -> tuple[int, str, str]:
    """Exit status, stdout and stderr of ``turing-tx argv`` run in-process, checked against the
    contract: status 0, 1 or 2, one stderr line for 2, no traceback, no internal error."""
    try:
        code = main(argv)
    except SystemExit as exc:
        code = exc.code
    out, err = capsys.readouterr()
    assert code in (0, 1, 2), (argv, code, err)
    assert "Traceback" not in err and "internal error" not in err, err
    if code == 2:
        assert err.count("\n") == 1 and err.startswith("turing-tx"), err
    return code, out, err


def leftovers(directory: Path) -> list[str]:
    """Temporary files of interrupted atomic writes under ``directory``."""
    return [str(path) for path in directory.rglob(".*.tmp")]


@pytest.fixture
def place(tmp_path: Path) -> Callable[[str], str]:
    """Fills in a case's placeholders: ``{dir}`` a directory, ``{file}`` a regular file, ``{fifo}`` a
    FIFO nobody writes or reads, ``{tmp}`` the case's own directory."""
    (tmp_path / "adir.json").mkdir()
    (tmp_path / "file.txt").write_text("not a machine\n")
    os.mkfifo(tmp_path / "fifo")
    (tmp_path / "dangling.yaml").symlink_to("missing.yaml")
    return lambda text: text.format(dir=tmp_path / "adir.json", file=tmp_path / "file.txt",
                                    fifo=tmp_path / "fifo", tmp=tmp_path)


# -- 1. operating-system errors ---------------------------------------------------------------------
READERS = {
    "run": ["run", "{m}", "--max-steps", "5", "-q"],
    "verify": ["verify", "{m}", "--max-steps", "5"],
    "prove": ["prove", "{m}"],
    "compile": ["compile", "{m}", "-o", "{tmp}/out.json"],
    "convert": ["convert", "{m}", "--to", "yaml"],
    "diagram": ["diagram", "{m}", "--max-steps", "5", "-o", "{tmp}/out.svg"],
    "attention": ["attention", "{m}", "--max-steps", "5", "-o", "{tmp}/out.png"],
    "ablate": ["ablate", "{m}", "-c", "perez", "--no-prove", "--max-steps", "5", "-o", "{tmp}/report", "-q"],
    "components": ["components", "{m}"],
}
BAD_MACHINES = {"a directory": "{dir}", "through a file": "{file}/machine.txt",
                "a missing file": "{tmp}/missing.txt", "inside a missing directory": "{tmp}/no/such/m.yaml",
                "a FIFO without a writer": "{fifo}", "a dangling symbolic link": "{tmp}/dangling.yaml",
                "an empty name": ""}
NETWORK_OPTIONS = {
    "verify --model": ["verify", BB2, "--max-steps", "5", "--model", "{n}"],
    "prove --model": ["prove", BB2, "--model", "{n}"],
    "run --rnn": ["run", "--rnn", "{n}", "--input", "a"],
    "prove --rnn": ["prove", "--rnn", "{n}", "-c", "bhattamishra-pe"],
}
WRITERS = {
    "compile": ["compile", BB2, "-o", "{o}.json"],
    "convert": ["convert", BB2, "--to", "yaml", "-o", "{o}.yaml"],
    "prove .json": ["prove", BB2, "-o", "{o}.json"],
    "prove .html": ["prove", BB2, "-o", "{o}.html"],
    "diagram": ["diagram", BB2, "--max-steps", "5", "-o", "{o}.svg"],
    "attention": ["attention", BB2, "--max-steps", "5", "-o", "{o}.png"],
}
BAD_OUTPUTS = {"inside a missing directory": "{tmp}/no/such/out", "through a regular file": "{file}/out",
               "onto a directory": "{tmp}/adir"}
FIFO_WRITERS = ("compile", "convert", "diagram", "attention")


def fill(template: list[str], place: Callable[[str], str], **values: str) -> list[str]:
    """``template`` with ``{m}``/``{n}``/``{o}`` replaced by ``values`` and then the placeholders."""
    return [place(part.replace("{m}", values.get("m", "{m}")).replace("{n}", values.get("n", "{n}"))
                  .replace("{o}", values.get("o", "{o}"))) for part in template]


@pytest.mark.parametrize("machine", list(BAD_MACHINES.values()), ids=list(BAD_MACHINES))
@pytest.mark.parametrize("command", list(READERS))
def test_machine_path_that_is_not_a_readable_file(capsys, place, tmp_path, command, machine):
    code, _, err = run_cli(capsys, fill(READERS[command], place, m=machine))
    assert code == 2
    assert not (tmp_path / "out.json").exists() and not (tmp_path / "report").exists()


@pytest.mark.parametrize("path", [*BAD_MACHINES.values(), "{file}", ""], ids=[*BAD_MACHINES, "not JSON", "empty"])
@pytest.mark.parametrize("option", list(NETWORK_OPTIONS))
def test_network_path_that_is_not_a_network_file(capsys, place, option, path):
    code, _, err = run_cli(capsys, fill(NETWORK_OPTIONS[option], place, n=path))
    assert code == 2


@pytest.mark.parametrize("output", list(BAD_OUTPUTS.values()), ids=list(BAD_OUTPUTS))
@pytest.mark.parametrize("command", list(WRITERS))
def test_output_path_that_cannot_be_written(capsys, place, tmp_path, command, output):
    if output.endswith("adir"):  # the directory must carry the command's extension to be taken for a file
        suffix = WRITERS[command][-1].rpartition(".")[2]
        (tmp_path / f"adir.{suffix}").mkdir(exist_ok=True)
    code, _, err = run_cli(capsys, fill(WRITERS[command], place, o=output))
    assert code == 2 and (tmp_path / "file.txt").read_text() == "not a machine\n"
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize("command", list(WRITERS))
def test_empty_output_name(capsys, command):
    argv = [part if not part.startswith("{o}") else "" for part in WRITERS[command]]
    assert run_cli(capsys, argv)[0] == 2


@pytest.mark.parametrize("command", FIFO_WRITERS)
def test_output_onto_a_fifo_nobody_reads(capsys, place, tmp_path, command):
    argv = fill(WRITERS[command], place, o=str(tmp_path / "pipe"))
    os.mkfifo(argv[-1])
    code, _, err = run_cli(capsys, argv)
    assert code == 2 and "no process reads" in err
    assert stat.S_ISFIFO(Path(argv[-1]).stat().st_mode) and leftovers(tmp_path) == []


def test_output_onto_a_fifo_with_a_reader_and_through_a_symlink(capsys, tmp_path):
    fifo = tmp_path / "pipe.json"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()))
    reader.start()
    time.sleep(0.1)
    assert run_cli(capsys, ["compile", BB2, "-o", str(fifo)])[0] == 0
    reader.join(10)
    assert json.loads(received[0])["format"] == "turing-tx-model" and stat.S_ISFIFO(fifo.stat().st_mode)
    target, link = tmp_path / "target.yaml", tmp_path / "link.yaml"
    target.write_text("old\n")
    link.symlink_to(target.name)
    assert run_cli(capsys, ["convert", BB2, "--to", "yaml", "-o", str(link)])[0] == 0
    assert link.is_symlink() and "table:" in target.read_text()


@pytest.mark.parametrize("output", ["{file}", "{file}/sub", "{file}/sub/deeper", ""])
def test_ablate_output_directory_that_cannot_be_made(capsys, place, tmp_path, output):
    argv = ["ablate", BB2, "-c", "perez", "--no-prove", "--max-steps", "5", "-o", place(output), "-q"]
    assert run_cli(capsys, argv)[0] == 2 and (tmp_path / "file.txt").is_file()


@pytest.mark.skipif(ROOT, reason="permission bits do not bind root (the root-proof cases stand in)")
@pytest.mark.parametrize("mode", [0o500, 0o600], ids=["not writable", "not searchable"])
@pytest.mark.parametrize("command", list(WRITERS))
def test_output_in_a_directory_without_permission(capsys, tmp_path, command, mode):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(mode)
    try:
        code, _, err = run_cli(capsys, [part.replace("{o}", str(locked / "out")) for part in WRITERS[command]])
    finally:
        locked.chmod(0o700)
    assert code == 2 and str(locked) in err and list(locked.iterdir()) == []


@pytest.mark.skipif(ROOT, reason="permission bits do not bind root (the root-proof cases stand in)")
@pytest.mark.parametrize("command", list(READERS))
def test_unreadable_machine_file(capsys, tmp_path, command):
    machine = tmp_path / "bb2.txt"
    machine.write_text(BB2 + "\n")
    machine.chmod(0)
    argv = [part.replace("{m}", str(machine)).replace("{tmp}", str(tmp_path)) for part in READERS[command]]
    code, _, err = run_cli(capsys, argv)
    assert code == 2 and str(machine) in err


# -- 2. inline machines that are not paths ----------------------------------------------------------
def random_machine(states: int, symbols: int, seed: int) -> str:
    """A random valid bbchallenge string of ``states`` rows and ``symbols`` triples per row."""
    rng = random.Random(seed)
    letters = [chr(ord("A") + q) for q in range(states)] + ["Z"]
    return "_".join("".join(f"{rng.randrange(symbols)}{rng.choice('LR')}{rng.choice(letters)}"
                            for _ in range(symbols)) for _ in range(states))


SHAPES = [(n, k) for n in (1, 2, 5, 9, 13, 20, 25) for k in (2, 3, 7, 10)]


@pytest.mark.parametrize(("states", "symbols"), SHAPES)
def test_valid_inline_machine_runs(capsys, states, symbols):
    machine = random_machine(states, symbols, seed=states * 100 + symbols)
    code, out, _ = run_cli(capsys, ["run", machine, "--max-steps", "5", "--json"])
    assert code == 0 and json.loads(out)["verified"] is True


def test_nine_state_ten_symbol_string_is_past_a_file_name_and_still_runs(capsys):
    machine = random_machine(9, 10, seed=910)
    assert len(machine) > 255
    assert run_cli(capsys, ["verify", machine, "--max-steps", "5"])[0] == 0
    assert run_cli(capsys, ["convert", machine, "--to", "automata"])[0] == 0


@pytest.mark.parametrize("machine", [
    random_machine(9, 20, seed=1), random_machine(2, 20, seed=2), random_machine(26, 2, seed=3),
    "1RZ", "1RB1LB_1LA1R", "1RB1LB_1LA1RZ_", "_1RB1LB", "1RB1LB__1LA1RZ", "1RB1XB_1LA1RZ", "9RB1LB_1LA1RZ",
    "x" * 300, "a/" * 3000, BB2 * 30, BB2 + "_" * 300,
], ids=["9x20", "2x20", "26 rows", "1 symbol", "short row", "trailing _", "leading _", "empty row",
        "bad move", "bad digit", "300 x", "6000-character path", "repeated", "300 underscores"])
def test_invalid_inline_machine_is_one_line(capsys, machine):
    assert run_cli(capsys, ["run", machine, "--max-steps", "5"])[0] == 2


# -- 3. resource bounds -----------------------------------------------------------------------------
BOUNDS = [
    ["run", BB2, "--backend", "mpmath:99999999999999999999"],
    ["run", BB2, "--backend", "mpmath:9223372036854775808"],
    ["run", BB2, "--backend", "mpmath:1000000000"],
    ["run", BB2, "--backend", "mpmath:100001"],
    ["run", BB2, "--backend", "mpmath:1"],
    ["run", BB2, "--backend", "mpmath:-5"],
    ["run", BB2, "--backend", "mpmath:"],
    ["run", BB2, "--backend", "mpmath:" + "9" * 5000],
    ["run", BB2, "--backend", "float16"],
    ["verify", BB2, "--backend", "mpmath:99999999999999999999"],
    ["run", BB2, "--max-steps", "1000000000000001"],
    ["run", BB2, "--max-steps", "1e16"],
    ["run", BB2, "--max-steps", "1e99999999"],
    ["run", BB2, "--max-steps", "9" * 5000],
    ["run", BB2, "--max-steps", "-1"],
    ["run", BB2, "--max-steps", "1.5"],
    ["verify", BB2, "--max-steps", "2e15"],
    ["run", BB2, "--steps", "1e16"],
    ["run", BB2, "--time-limit", "inf"],
    ["run", BB2, "--time-limit", "nan"],
    ["run", BB2, "--time-limit", "-1"],
    ["run", BB2, "--time-limit", "0"],
    ["run", BB2, "--time-limit", "1000000001"],
    ["verify", BB2, "--time-limit", "-inf"],
    ["prove", BB2, "--execute-steps", "1000001"],
    ["prove", BB2, "--execute-steps", "1e7"],
    ["prove", BB2, "--execute-steps", "-1"],
    ["prove", BB2, "--execute-steps", "1e99999999"],
    ["run", BB2, "--line", "99999999999999999999999"],
    ["run", BB2, "--line", "-1"],
    ["diagram", "1RA1RA", "--max-steps", "2000", "-o", "{tmp}/x.svg"],
    ["diagram", BB2, "--max-steps", "99999999999999999999999", "-o", "{tmp}/x.svg"],
    ["diagram", BB2, "--max-steps", "9" * 5000, "-o", "{tmp}/x.svg"],
    ["diagram", BB2, "--max-steps", "-5", "-o", "{tmp}/x.svg"],
    ["attention", BB2, "--max-steps", "99999999999999999999999", "-o", "{tmp}/x.png"],
    ["attention", BB2, "--input", "1" * 5000, "--max-steps", "1000", "-o", "{tmp}/x.png"],
    *[["ablate", BB2, "-c", "perez", "--no-prove", "-q", "-o", "{tmp}/report", flag, value] for flag, value in [
        ("--precision", "mpmath:1-99999999999"), ("--precision", "mpmath:2-1002"),
        ("--precision", "mpmath:100000-100001"), ("--precision", "mpmath:3-5/0"), ("--precision", "mpmath:9-3"),
        ("--precision", "mpmath:" + "9" * 500 + "-" + "9" * 501), ("--precision", "mpmath:99999999999999999999"),
        ("--precision", "float16"), ("--window", "1-99999999999"), ("--window", "1000001"),
        ("--window", "1-1001"), ("--window", "0"), ("--window", "5-"), ("--window", "9" * 5000),
        ("--temperature", "1e400"), ("--temperature", "1e9999999999"), ("--temperature", "1e-101"),
        ("--temperature", "1e101"), ("--temperature", "0"), ("--temperature", "-1"), ("--temperature", "1/0"),
        ("--temperature", ",".join(["1"] * 1001)), ("--max-steps", "1e16"), ("--max-steps", "-1")]],
]


@pytest.mark.parametrize("argv", BOUNDS, ids=[" ".join(a)[:60] for a in BOUNDS])
def test_past_a_bound_is_one_line(capsys, place, tmp_path, argv):
    assert run_cli(capsys, [place(part) for part in argv])[0] == 2
    assert not (tmp_path / "x.svg").exists() and not (tmp_path / "report").exists()


AT_BOUNDS = [
    ["run", BB2, "--backend", "mpmath:100000", "--max-steps", "2"],
    ["run", BB2, "--max-steps", "1000000000000000", "-c", "reference"],
    ["run", BB2, "--time-limit", "1e-300"],
    ["run", BB2, "--time-limit", "1000000000"],
    ["diagram", "1RA1RA", "--max-steps", "1999", "-o", "{tmp}/x.svg"],
    ["ablate", BB2, "-c", "perez", "--no-prove", "-q", "-o", "{tmp}/report", "--max-steps", "5",
     "--temperature", "1e100,1e-100", "--window", "1000000", "--precision", "mpmath:99999-100000"],
]


@pytest.mark.parametrize("argv", AT_BOUNDS, ids=[" ".join(a)[:60] for a in AT_BOUNDS])
def test_at_a_bound_runs(capsys, place, argv):
    assert run_cli(capsys, [place(part) for part in argv])[0] == 0


def test_sweep_bounds_are_in_the_help(capsys):
    code, out, _ = run_cli(capsys, ["ablate", "--help"])
    assert code == 0 and "1,000,000 keys" in out and "1e-100" in out and "at most 1,000 values" in out


# -- 4. model and RNN JSON checked for meaning ------------------------------------------------------
@pytest.fixture(scope="module")
def networks(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """A compiled BB(2) model JSON and RNN JSON, as documents, and a directory for their mutants."""
    directory = tmp_path_factory.mktemp("networks")
    assert main(["compile", BB2, "-o", str(directory / "model.json")]) == 0
    assert main(["compile", BB2, "-c", "siegelmann-sontag", "-o", str(directory / "rnn.json")]) == 0
    return {"dir": directory, "model": json.loads((directory / "model.json").read_text()),
            "rnn": json.loads((directory / "rnn.json").read_text()),
            "counter": json.loads((MACHINES / "rnn" / "counter.json").read_text())}


def nested(depth: int) -> list[Any]:
    """``depth`` nested lists."""
    value: list[Any] = []
    for _ in range(depth):
        value = [value]
    return value


def _set(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    """A mutation setting the value at the ``/``-separated ``path`` of a document."""
    def apply(document: dict[str, Any]) -> None:
        *parents, last = path.split("/")
        node: Any = document
        for key in parents:
            node = node[int(key)] if isinstance(node, list) else node[key]
        if isinstance(node, list):
            node[int(last)] = value
        else:
            node[last] = value
    return apply


def _append(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    """A mutation appending ``value`` to the list at ``path``."""
    def apply(document: dict[str, Any]) -> None:
        node: Any = document
        for key in path.split("/"):
            node = node[int(key)] if isinstance(node, list) else node[key]
        node.append(value)
    return apply


#: a value written as 100,000 nested lists
DEEP = "<deep nesting>"
MODEL_MUTATIONS = {
    "symbols '1' and 1": _set("metadata/machine/symbols", ["1", 1]),
    "duplicate symbols": _set("metadata/machine/symbols", ["0", "0"]),
    "unhashable symbol": _set("metadata/machine/symbols", ["0", ["x"]]),
    "object symbol": _set("metadata/machine/symbols", ["0", {"x": 1}]),
    "an added integer coordinate": _append("coords", 7),
    "duplicate coordinate": _append("coords", "state:A+"),
    "duplicate states": _set("metadata/machine/states", ["A", "A"]),
    "huge version": _set("version", 10 ** 100),
    "huge rational": _set("embedding/0/inp:0", "9" * 100000),
    "huge write": _set("metadata/machine/table/0/0/write", 10 ** 30),
    "boolean write": _set("metadata/machine/table/0/0/write", True),
    "unknown key": _set("extra", 1),
    "deep nesting": _set("coords", DEEP),
    "construction unknown": _set("construction", "nonsense"),
    "format number": _set("format", 1),
}
RNN_MUTATIONS = {
    "units '1' and 1": _set("units", ["1", 1]),
    "unhashable unit": _set("units", [["x"]]),
    "huge rational": _set("h0", ["9" * 100000]),
    "deep nesting": _set("W_h", DEEP),
    "unknown key": _set("extra", 1),
    "huge version": _set("version", 10 ** 100),
}


def _write(networks: dict[str, Any], kind: str, mutation: Callable[[dict[str, Any]], None], name: str) -> str:
    """``networks[kind]`` mutated, written as ``name``.json (the DEEP marker as 100,000 nested lists,
    which json.dumps itself could not write); its path."""
    document = json.loads(json.dumps(networks[kind]))
    mutation(document)
    path = networks["dir"] / f"{name}.json"
    path.write_text(json.dumps(document).replace(json.dumps(DEEP), "[" * 100_000 + "]" * 100_000))
    return str(path)


@pytest.mark.parametrize("how", ["run", "verify", "prove"])
@pytest.mark.parametrize("mutation", list(MODEL_MUTATIONS))
def test_model_json_checked_for_meaning(capsys, networks, mutation, how):
    path = _write(networks, "model", MODEL_MUTATIONS[mutation], "model-" + mutation.replace(" ", "-").replace("'", ""))
    argv = {"run": ["run", path, "--max-steps", "5", "-q"], "verify": ["verify", BB2, "--model", path],
            "prove": ["prove", BB2, "--model", path]}[how]
    code, _, err = run_cli(capsys, argv)
    assert code == 2 and Path(path).name in err


@pytest.mark.parametrize("how", ["verify", "run --rnn"])
@pytest.mark.parametrize("mutation", list(RNN_MUTATIONS))
def test_rnn_json_checked_for_meaning(capsys, networks, mutation, how):
    kind = "rnn" if how == "verify" else "counter"
    path = _write(networks, kind, RNN_MUTATIONS[mutation], f"{kind}-{mutation.replace(' ', '-').replace(chr(39), '')}")
    argv = (["verify", BB2, "--model", path, "--max-steps", "5"] if how == "verify"
            else ["run", "--rnn", path, "--input", "ab$", "--max-steps", "3"])
    code, _, err = run_cli(capsys, argv)
    assert code == 2 and Path(path).name in err


# -- 5. reports are data ----------------------------------------------------------------------------
HOSTILE = "<img src=x onerror=alert(1)>"
HOSTILE_YAML = f"""input: '1<'
blank: ' '
start state: '{HOSTILE}'
table:
  '{HOSTILE}':
    ['1', '<']: R
    ' ': {{L: '"><script>alert(2)</script>'}}
  '"><script>alert(2)</script>':
    '1': {{write: '<', L}}
    ['<', ' ']: {{write: '1', L: '&amp;done'}}
  '&amp;done':
"""
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="module")
def hostile_outputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The reports and pictures of a machine whose file name and state names are HTML."""
    directory = tmp_path_factory.mktemp("hostile")
    machine = directory / f"{HOSTILE}.yaml"
    machine.write_text(HOSTILE_YAML)
    outputs = {"proof": directory / "report.html", "ablation": directory / "ablation" / "report.html",
               "diagram": directory / "diagram.svg", "attention": directory / "attention.svg"}
    for argv in (["prove", str(machine), "-o", str(outputs["proof"])],
                 ["ablate", str(machine), "-c", "perez", "--no-prove", "--max-steps", "5", "-q",
                  "-o", str(outputs["ablation"].parent)],
                 ["diagram", str(machine), "-o", str(outputs["diagram"])],
                 ["attention", str(machine), "-o", str(outputs["attention"])]):
        assert main(argv) == 0
    return outputs


@pytest.mark.parametrize("output", ["proof", "ablation", "diagram", "attention"])
def test_html_in_names_is_shown_as_text(hostile_outputs, output):
    text = hostile_outputs[output].read_text(encoding="utf-8")
    assert "<img" not in text and "<script>alert" not in text
    assert "&lt;img src=x onerror=alert(1)&gt;" in text or "&lt;script&gt;alert(2)" in text


@pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed")
@pytest.mark.parametrize("output", ["proof", "ablation"])
def test_html_in_names_is_text_in_a_browser(hostile_outputs, output):
    done = subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--dump-dom",
                           hostile_outputs[output].as_uri()], capture_output=True, text=True, timeout=120,
                          check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "<img" not in done.stdout and "alert(2)</script>" not in done.stdout


# -- 6. two processes writing one output ------------------------------------------------------------
def test_concurrent_compiles_leave_one_complete_file(tmp_path):
    machines_ = {"bb2": BB2, "bb3": "1RB1RZ_1LB0RC_1LC1LA"}
    complete = {}
    for name, machine in machines_.items():
        assert main(["compile", machine, "-o", str(tmp_path / f"{name}.json")]) == 0
        complete[name] = (tmp_path / f"{name}.json").read_text()
    target = tmp_path / "shared" / "model.json"
    target.parent.mkdir()
    for _ in range(3):
        processes = [subprocess.Popen([sys.executable, "-m", "turing_tx", "compile", machine, "-o", str(target)],
                                      stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
                     for machine in machines_.values()]
        for process in processes:
            _, err = process.communicate(timeout=120)
            assert process.returncode == 0, err
        text = target.read_text()
        assert text in complete.values() and json.loads(text)["format"] == "turing-tx-model"
        assert sorted(p.name for p in target.parent.iterdir()) == ["model.json"]


# -- 7. signals -------------------------------------------------------------------------------------
def _default_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)  # so the child's Python turns SIGINT into KeyboardInterrupt


def test_sigint_and_sigterm_exit_cleanly_without_partial_outputs(tmp_path):
    report = tmp_path / "report"
    report.mkdir()
    cases = [(["run", NON_HALTER, "--max-steps", "1000000", "-q"], signal.SIGINT, 130, "interrupted"),
             (["ablate", NON_HALTER, "-c", "perez", "--no-prove", "--max-steps", "1000000", "-q", "-o", str(report)],
              signal.SIGINT, 130, "interrupted"),
             (["run", NON_HALTER, "--max-steps", "1000000", "-q"], signal.SIGTERM, 143, "terminated")]
    processes = [subprocess.Popen([sys.executable, "-m", "turing_tx", *argv], stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True, cwd=tmp_path, preexec_fn=_default_sigint)
                 for argv, *_ in cases]
    time.sleep(4)
    for process, (_, signum, _, _) in zip(processes, cases, strict=True):
        process.send_signal(signum)
    for process, (argv, _, status, word) in zip(processes, cases, strict=True):
        _, err = process.communicate(timeout=60)
        assert process.returncode == status, (argv, process.returncode, err)
        assert err.count("\n") == 1 and word in err and "Traceback" not in err
    assert list(report.iterdir()) == [] and leftovers(tmp_path) == []


# -- 8. listing commands and usage ------------------------------------------------------------------
USAGE = [["machines", "extra"], ["constructions", "--all"], ["components", BB2, "-c", "nonsense"],
         ["components", "{dir}"], ["nonsense"], [], ["run", "--nonsense"], ["run"], ["verify"], ["compile", BB2],
         ["convert", BB2], ["convert", BB2, "--to", "xml"], ["ablate", BB2, "-o", "{tmp}/r"],
         ["run", BB2, "--input", "\x01"]]


@pytest.mark.parametrize("argv", USAGE, ids=[" ".join(a) or "nothing" for a in USAGE])
def test_usage_errors_are_one_line(capsys, place, argv):
    assert run_cli(capsys, [place(part) for part in argv])[0] == 2


def test_debug_shows_the_traceback(capsys, tmp_path):
    with pytest.raises(TuringTxError):
        main(["--debug", "run", str(tmp_path / "missing.txt")])
    with pytest.raises(TuringTxError):
        main(["run", str(tmp_path / "missing.txt"), "--debug"])
    assert run_cli(capsys, ["machines", "--debug"])[0] == 0


# -- 9. property tests ------------------------------------------------------------------------------
EXTENSIONS = {"bbchallenge": "txt", "yaml": "yaml", "morphett": "morphett", "automata": "dtm"}


@st.composite
def machine_files(draw: st.DrawFn) -> tuple[str, str]:
    """A machine file of a random format: a random machine written in it, or a library seed, mutated."""
    format = draw(st.sampled_from(list(EXTENSIONS)))
    rng = draw(st.randoms(use_true_random=False))
    seeds = list(SEEDS[format])
    with contextlib.suppress(TuringTxError):  # a format that cannot express the machine: the seeds only
        seeds.append(write(draw(machines()), format, ()))
    text = rng.choice(seeds) if draw(st.booleans()) else mutate(seeds, rng)
    return format, text


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A directory for generated files."""
    return tmp_path_factory.mktemp("generated")


@PROPERTY
@given(machine_files())
def test_mutated_machine_files_run(capsys, scratch, generated):
    format, text = generated
    path = scratch / f"machine.{EXTENSIONS[format]}"
    path.write_text(text, encoding="utf-8")
    run_cli(capsys, ["run", str(path), "--max-steps", "5", "-q"])


@PROPERTY
@given(machine_files(), st.sampled_from(list(EXTENSIONS)))
def test_mutated_machine_files_convert(capsys, scratch, generated, target):
    format, text = generated
    path = scratch / f"convert.{EXTENSIONS[format]}"
    path.write_text(text, encoding="utf-8")
    output = scratch / f"out.{EXTENSIONS[target]}"
    output.unlink(missing_ok=True)
    code, _, _ = run_cli(capsys, ["convert", str(path), "--to", target, "-o", str(output)])
    assert output.exists() == (code == 0) and leftovers(scratch) == []


#: values a mutation puts in a document (containers built afresh each time: later mutations change them)
JSON_VALUES = st.one_of(st.none(), st.booleans(), st.integers(), st.integers(min_value=2 ** 63, max_value=10 ** 400),
                        st.floats(allow_nan=False), st.text(max_size=5), st.just("9" * 2000), st.just("1/0"),
                        st.builds(list), st.builds(dict), st.builds(nested, st.just(50)))


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Every path to a value in a JSON document."""
    yield prefix
    children = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
    for key, child in children:
        yield from _paths(child, (*prefix, key))


@st.composite
def mutated_json(draw: st.DrawFn, document: dict[str, Any]) -> str:
    """``document`` with one to three values replaced, deleted or given a new sibling key."""
    document = json.loads(json.dumps(document))
    for _ in range(draw(st.integers(1, 3))):
        paths = [path for path in _paths(document) if path]
        *parents, last = draw(st.sampled_from(paths))
        node: Any = document
        for key in parents:
            node = node[key]
        action = draw(st.sampled_from(["replace", "delete", "add"]))
        if action == "replace":
            node[last] = draw(JSON_VALUES)
        elif action == "delete":
            del node[last]
        elif isinstance(node, dict):
            node[draw(st.text(max_size=5))] = draw(JSON_VALUES)
        else:
            node.append(draw(JSON_VALUES))
    return json.dumps(document)


@PROPERTY
@given(st.data())
def test_mutated_model_json(capsys, networks, data):
    text = data.draw(mutated_json(networks["model"]))
    path = networks["dir"] / "mutated-model.json"
    path.write_text(text)
    run_cli(capsys, ["run", str(path), "--max-steps", "5", "-q"])
    run_cli(capsys, ["verify", BB2, "--model", str(path), "--max-steps", "5"])


@PROPERTY
@given(st.data())
def test_mutated_rnn_json(capsys, networks, data):
    kind = data.draw(st.sampled_from(["rnn", "counter"]))
    path = networks["dir"] / "mutated-rnn.json"
    path.write_text(data.draw(mutated_json(networks[kind])))
    if kind == "rnn":
        run_cli(capsys, ["verify", BB2, "--model", str(path), "--max-steps", "5"])
    else:
        run_cli(capsys, ["run", "--rnn", str(path), "--input", "ab$", "--max-steps", "3"])


def test_corpus_size(request):
    """The corpus holds at least 300 parametrized cases, the permission cases not counted."""
    names = [item.name for item in request.session.items if item.module is request.module]
    skippable = ("test_output_in_a_directory_without_permission", "test_unreadable_machine_file")
    counted = [name for name in names if "[" in name and not name.startswith(skippable)]
    if len(names) < 50:
        pytest.skip("only part of the module was selected")
    assert len(counted) >= 300
