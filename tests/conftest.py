"""Shared fixtures: where the shared example machines live."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED_MACHINES = REPO.parent / "shared" / "machines"


@pytest.fixture
def shared_machines() -> Path:
    if not SHARED_MACHINES.is_dir():
        pytest.skip("../shared/machines is not beside the repository")
    return SHARED_MACHINES
