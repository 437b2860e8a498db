"""Space-time diagrams: the decoded transformer trace gives the reference simulator's arrays, and the
pictures (and the ``diagram`` subcommand) render headlessly, atomically, as PNG or SVG."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from conftest import COLLECTION

from turing_tx.cli import pictures as pictures_command
from turing_tx.constructions.registry import get_construction
from turing_tx.errors import UsageError
from turing_tx.machines.machine import TuringMachine
from turing_tx.machines.resolve import load
from turing_tx.machines.simulator import simulate
from turing_tx.pictures.diagrams import HALTED, SpaceTime, render_space_time, space_time
from turing_tx.pictures.figures import image_format

BB3 = "1RB1RZ_1LB0RC_1LC1LA"
# Head after each of BB(3)'s 21 steps (plain simulator), step 0 included.
BB3_HEADS = [0, 1, 0, 1, 0, 1, 2, 1, 0, -1, 0, 1, 0, 1, 2, 1, 2, 3, 2, 1, 0, 1]


def diagrams(spec: str, steps: int, word: tuple[int, ...] = ()) -> tuple[TuringMachine, SpaceTime, SpaceTime]:
    """The machine, and its diagrams from the decoded Pérez trace and from the reference simulator."""
    machine = load(spec)[0].machine
    decoded = space_time(get_construction("perez").compile(machine, word).trace(steps), word)
    reference = space_time(simulate(machine, word, steps), word)
    return machine, decoded, reference


def test_bb3_decoded_diagram_equals_reference() -> None:
    _, decoded, reference = diagrams(BB3, 100)
    assert np.array_equal(decoded.cells, reference.cells)
    assert np.array_equal(decoded.heads, reference.heads)
    assert np.array_equal(decoded.states, reference.states)
    assert decoded.cells.any()
    assert decoded.cells.shape == (22, 5) and decoded.first_cell == -1
    assert decoded.heads.tolist() == BB3_HEADS
    assert decoded.cells[-1].tolist() == [1, 1, 1, 1, 1]
    assert decoded.states[-1] == HALTED and decoded.halt == "Z"


@pytest.mark.parametrize("spec, word", [("1RB2LB1RZ_2LA2RB1LB", ()), ("0LB1RA2RA_2LZ2LZ1LB", (2, 1, 2, 2))])
def test_decoded_diagram_equals_reference_other_machines(spec: str, word: tuple[int, ...]) -> None:
    _, decoded, reference = diagrams(spec, 60, word)
    assert np.array_equal(decoded.cells, reference.cells)
    assert np.array_equal(decoded.heads, reference.heads)


def test_rows_are_steps_and_columns_cover_input_and_head() -> None:
    machine = load(BB3)[0].machine
    assert space_time(simulate(machine, (), 0)).cells.shape == (1, 1)
    # On input 101, BB(3) reads 1 in state A: write 1, move R, halt after one step.
    short = space_time(simulate(machine, (1, 0, 1), 5), (1, 0, 1))
    assert short.steps == 1 and short.cell_range == range(0, 3)
    assert short.cells.tolist() == [[1, 0, 1], [1, 0, 1]]
    assert short.heads.tolist() == [0, 1] and short.state_names(machine) == ["A", "Z"]


def test_state_names_show_halt() -> None:
    machine, decoded, _ = diagrams(BB3, 100)
    names = decoded.state_names(machine)
    assert names[:4] == ["A", "B", "B", "C"] and names[-1] == "Z"


@pytest.mark.parametrize("fmt, magic", [("png", b"\x89PNG"), ("svg", b"<?xml")])
def test_render_formats(fmt: str, magic: bytes) -> None:
    machine, decoded, _ = diagrams(BB3, 100)
    data = render_space_time(decoded, machine, fmt)
    assert data.startswith(magic)
    assert render_space_time(decoded, machine, fmt) == data  # no timestamps: same run, same bytes


def test_image_format_from_extension() -> None:
    assert image_format("a/b.PNG") == "png" and image_format("x.svg") == "svg"
    for bad in ("out.jpg", "out"):
        with pytest.raises(UsageError) as error:
            image_format(bad)
        assert "\n" not in str(error.value) and bad in str(error.value)


def command(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    pictures_command.add_parser(parser.add_subparsers(dest="command"))
    return parser.parse_args(list(argv))


def test_diagram_command_writes_png_and_svg(tmp_path: Path) -> None:
    for name in ("bb3.png", "bb3.svg"):
        out = tmp_path / name
        assert pictures_command.run(command("diagram", BB3, "--steps", "30", "-o", str(out))) == 0
        assert out.stat().st_size > 1000
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bb3.png", "bb3.svg"]  # no temporary left


def test_diagram_command_other_construction_and_input(tmp_path: Path) -> None:
    out = tmp_path / "inc.png"
    args = command("diagram", "0LB1RA2RA_2LZ2LZ1LB", "--input", "2122", "--steps", "10",
                   "--construction", "bhattamishra-pe", "-o", str(out))
    assert pictures_command.run(args) == 0 and out.read_bytes().startswith(b"\x89PNG")


@pytest.mark.parametrize("argv, message", [
    (("--steps", "-1", "-o", "x.png"), "--steps must be a non-negative integer"),
    (("-o", "x.gif"), "use .png or .svg"),
])
def test_diagram_command_errors(tmp_path: Path, argv: tuple[str, ...], message: str) -> None:
    argv = tuple(str(tmp_path / a) if a.startswith("x.") else a for a in argv)
    with pytest.raises(UsageError) as error:
        pictures_command.run(command("diagram", BB3, *argv))
    assert message in str(error.value) and "\n" not in str(error.value)
    assert not list(tmp_path.iterdir())


def test_a_failed_run_leaves_an_existing_output_untouched(tmp_path: Path) -> None:
    out = tmp_path / "keep.png"
    out.write_bytes(b"old picture")
    with pytest.raises(UsageError):
        pictures_command.run(command("attention", BB3, "-c", "siegelmann-sontag", "-o", str(out)))
    assert out.read_bytes() == b"old picture" and [p.name for p in tmp_path.iterdir()] == ["keep.png"]


def test_several_machines_in_a_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="holds 7 machines"):
        pictures_command.run(command("diagram", str(COLLECTION), "-o",
                                     str(tmp_path / "x.png")))


def test_renders_without_a_display(tmp_path: Path) -> None:
    """A fresh interpreter with no DISPLAY and no MPLBACKEND still writes both formats."""
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "MPLBACKEND", "WAYLAND_DISPLAY")}
    script = ("import sys; from turing_tx.cli import pictures as pc; import argparse\n"
              "p = argparse.ArgumentParser(); pc.add_parser(p.add_subparsers())\n"
              "for out in sys.argv[1:]:\n"
              f"    assert pc.run(p.parse_args(['diagram', '{BB3}', '-o', out])) == 0\n"
              "print('matplotlib.pyplot' in sys.modules)")
    outs = [str(tmp_path / "d.png"), str(tmp_path / "d.svg")]
    done = subprocess.run([sys.executable, "-c", script, *outs], env=env, capture_output=True, text=True,
                          check=True)
    assert all(Path(out).stat().st_size > 1000 for out in outs)
    assert done.stdout.splitlines()[-1] == "False"  # pyplot (GUI backend selection) never imported


def test_through_the_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from turing_tx.cli.main import main

    assert main(["diagram", "bb3", "-o", str(tmp_path / "bb3.svg")]) == 0
    assert (tmp_path / "bb3.svg").read_bytes().startswith(b"<?xml")
    capsys.readouterr()
    assert main(["diagram", "bb3", "--steps", "-1", "-o", str(tmp_path / "x.png")]) == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and "--steps must be a non-negative integer" in error
