"""Test settings and where the example machines live (all inside the repository)."""

from __future__ import annotations

import os
from pathlib import Path

from hypothesis import settings

# CI runs the property tests on a fixed sequence of examples, so a submission's result does not depend
# on the draw; local runs keep exploring new examples (and save failures to .hypothesis/).
settings.register_profile("ci", derandomize=True, database=None)
if os.environ.get("CI"):
    settings.load_profile("ci")

REPO = Path(__file__).resolve().parent.parent
MACHINES = REPO / "machines"
"""The machine library's files."""
COLLECTION = REPO / "tests" / "data" / "collection.txt"
"""A bbchallenge file of several machines (lines 4 to 10), some with input words."""
