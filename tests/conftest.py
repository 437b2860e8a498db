"""Shared fixtures: where the shared example machines live."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings

# CI runs the property tests on a fixed sequence of examples, so a submission's result does not depend
# on the draw; local runs keep exploring new examples (and save failures to .hypothesis/).
settings.register_profile("ci", derandomize=True, database=None)
if os.environ.get("CI"):
    settings.load_profile("ci")

REPO = Path(__file__).resolve().parent.parent
SHARED_MACHINES = REPO.parent / "shared" / "machines"


@pytest.fixture
def shared_machines() -> Path:
    if not SHARED_MACHINES.is_dir():
        pytest.skip("../shared/machines is not beside the repository")
    return SHARED_MACHINES
