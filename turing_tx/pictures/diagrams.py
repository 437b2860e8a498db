"""Space-time diagrams: the tape after every step as one row of an integer array, and its picture.

The array is built from any iterator of :class:`~turing_tx.machines.simulator.Step` events, so the diagram
of a construction's *decoded* trace and the reference simulator's diagram are computed by the same
code and can be compared as arrays (``np.array_equal``), which is how the tests check a
construction: a picture can look right while a cell is wrong, an array cannot.

Row t is the configuration after t steps (row 0 = the input tape, head on cell 0, start state);
column j is tape cell ``first_cell + j``. The columns span every cell that is non-blank at some
row, holds an input symbol, or carries the head.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from matplotlib import colormaps
from matplotlib.axes import Axes
from matplotlib.colors import BoundaryNorm, ListedColormap
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from turing_tx.machines.machine import TuringMachine
from turing_tx.machines.simulator import Step, Tape
from turing_tx.pictures.figures import figure_bytes, new_figure

HALTED = -1
"""The state recorded in :attr:`SpaceTime.states` for rows after the halting step."""

LABELLED_ROWS = 40
"""Up to this many rows every row is labelled with its step and state; beyond it, steps only."""


@dataclass(frozen=True)
class SpaceTime:
    """A run as arrays: ``cells[t, j]`` = symbol on cell ``first_cell + j`` after t steps;
    ``heads[t]`` = head cell after t steps; ``states[t]`` = state after t steps (:data:`HALTED`)."""

    first_cell: int
    cells: np.ndarray
    heads: np.ndarray
    states: np.ndarray
    halt: str | None = None

    @property
    def steps(self) -> int:
        """Number of steps drawn (rows − 1)."""
        return len(self.heads) - 1

    @property
    def cell_range(self) -> range:
        """The tape cells of the columns, in order."""
        return range(self.first_cell, self.first_cell + self.cells.shape[1])

    def state_names(self, machine: TuringMachine) -> list[str]:
        """Each row's state by name; a halted row shows the halt name."""
        return [(self.halt or "halt") if q == HALTED else machine.states[q] for q in self.states]


def space_time(steps: Iterable[Step], word: Sequence[int] = ()) -> SpaceTime:
    """The space-time arrays of a run on ``word`` given as its steps (decoded or simulated)."""
    tape = Tape.from_word(word)
    rows: list[dict[int, int]] = [dict(tape.cells)]
    heads, states = [0], [0]
    halt: str | None = None
    for step in steps:
        tape.write(step.head, step.write)
        rows.append(dict(tape.cells))
        heads.append(step.head_after)
        states.append(HALTED if step.halted else step.next_state)  # type: ignore[arg-type]
        halt = step.halt
    used = set(heads).union(*rows, range(len(word)))
    low, high = min(used), max(used)
    cells = np.zeros((len(rows), high - low + 1), dtype=np.int64)
    for t, row in enumerate(rows):
        for cell, symbol in row.items():
            cells[t, cell - low] = symbol
    return SpaceTime(low, cells, np.array(heads, dtype=np.int64), np.array(states, dtype=np.int64), halt)


def symbol_colors(count: int) -> ListedColormap:
    """White for the blank, black for symbol 1 of a binary machine, a viridis ramp for more symbols."""
    if count <= 2:
        return ListedColormap(["white", "black"][:count])
    ramp = colormaps["viridis"].resampled(count - 1)
    return ListedColormap(["white", *(ramp(i) for i in range(count - 1))])


def _label_axes(ax: Axes, diagram: SpaceTime, machine: TuringMachine) -> None:
    """Cells along x, steps (with states, when few enough) down y."""
    columns = diagram.cells.shape[1]
    ticks = range(columns) if columns <= 40 else range(0, columns, max(1, columns // 20))
    ax.set_xticks(list(ticks), [str(diagram.first_cell + j) for j in ticks])
    ax.set_xlabel("tape cell")
    rows = diagram.steps + 1
    if rows <= LABELLED_ROWS:
        names = diagram.state_names(machine)
        ax.set_yticks(range(rows), [f"{t} {name}" for t, name in enumerate(names)])
        ax.set_ylabel("step, state")
    else:
        ax.set_ylabel("step")


def render_space_time(diagram: SpaceTime, machine: TuringMachine, fmt: str = "png", title: str = "") -> bytes:
    """The diagram as ``png`` or ``svg`` bytes: rows = steps, columns = cells, the head outlined in red,
    symbols coloured and named in the legend with the machine's own symbol names."""
    rows, columns = diagram.cells.shape
    figure = new_figure(min(20.0, 2.5 + 0.3 * columns), min(30.0, 1.5 + 0.22 * rows))
    ax = figure.add_subplot()
    k = machine.num_symbols
    ax.imshow(diagram.cells, cmap=symbol_colors(k), norm=BoundaryNorm(np.arange(k + 1) - 0.5, k),
              interpolation="nearest", aspect="equal")
    ax.plot(diagram.heads - diagram.first_cell, range(rows), color="red", linewidth=0.8, alpha=0.6)
    ax.scatter(diagram.heads - diagram.first_cell, range(rows), marker="s", s=60 if rows <= 60 else 12,
               facecolors="none", edgecolors="red", linewidths=1.2)
    _label_axes(ax, diagram, machine)
    handles = [Patch(facecolor=symbol_colors(k)(a), edgecolor="grey", label=f"symbol {name}")
               for a, name in enumerate(machine.symbols)]
    handles.append(Line2D([], [], marker="s", color="red", markerfacecolor="none", linestyle="-", label="head"))
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.02, 1), fontsize="small", frameon=False)
    ax.set_title(title or f"{machine.name or 'machine'}: {diagram.steps} steps", fontsize="medium")
    return figure_bytes(figure, fmt)
