"""Every notebook in ``notebooks/`` runs top to bottom (its cells assert their own key results).

Each notebook is executed with nbclient on the ``python3`` kernel, from the notebooks directory, with
a per-cell timeout; matplotlib must work headless there too, so DISPLAY and MPLBACKEND are removed.
The notebooks are stored executed (with outputs); this test re-executes them in memory only.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
CELL_TIMEOUT = 120
BUDGET_SECONDS = 60
EXPECTED = ["01_perez_bb3.ipynb", "02_bhattamishra_theorems.ipynb", "03_ablation_cross_residual.ipynb",
            "04_proving_perez_bb3.ipynb"]


@pytest.mark.slow
@pytest.mark.parametrize("path", sorted(NOTEBOOKS.glob("*.ipynb")), ids=lambda p: p.stem)
def test_notebook_runs(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for variable in ("DISPLAY", "MPLBACKEND"):
        monkeypatch.delenv(variable, raising=False)
    # ipykernel's installed python3 kernel.json starts a bare "python": make it this interpreter.
    monkeypatch.setenv("PATH", os.pathsep.join((str(Path(sys.executable).parent), os.environ.get("PATH", ""))))
    notebook = nbformat.read(path, as_version=4)
    client = nbclient.NotebookClient(notebook, timeout=CELL_TIMEOUT, kernel_name="python3",
                                     resources={"metadata": {"path": str(NOTEBOOKS)}})
    start = time.monotonic()
    client.execute()  # a failing cell (an assert) raises CellExecutionError naming the cell
    assert time.monotonic() - start < BUDGET_SECONDS
    errors = [output for cell in notebook.cells if cell.cell_type == "code"
              for output in cell.get("outputs", []) if output.get("output_type") == "error"]
    assert not errors


def test_notebooks_are_present_and_stored_executed() -> None:
    paths = sorted(NOTEBOOKS.glob("*.ipynb"))
    assert [p.name for p in paths] == EXPECTED
    for path in paths:
        notebook = nbformat.read(path, as_version=4)
        code = [cell for cell in notebook.cells if cell.cell_type == "code"]
        assert all(cell.get("execution_count") for cell in code), f"{path.name} is not stored executed"
