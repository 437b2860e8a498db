"""The README's commands run as written: every line of its ```bash blocks, in a fresh copy of the repository.

The copy holds the files git would put in a clone (tracked files, plus new ones not ignored), so a
command that needs a file nobody ships fails here. Commands run in order (later ones read what earlier
ones wrote) with the installed ``turing-tx`` first on PATH; each must exit 0, so a command that fails
on purpose is written ``… || true`` in the README. Installing and the test suite itself are skipped.
Everything the commands write must be ignored by ``.gitignore``.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
README = REPO / "README.md"
SKIPPED = re.compile(r"^(python3? -m )?(pip|pytest)\b")
BLOCK = re.compile(r"^```bash\n(.*?)^```", re.MULTILINE | re.DOTALL)

pytestmark = pytest.mark.slow


def bash_commands(markdown: str) -> list[str]:
    """The commands of ``markdown``'s ```bash blocks (continuation lines joined, ``a && b`` taken as two
    commands), without comment lines, installs and test runs."""
    commands = []
    for block in BLOCK.findall(markdown):
        for line in block.replace("\\\n", " ").splitlines():
            for part in line.split(" && "):
                part = part.strip()
                if part and not part.startswith("#") and not SKIPPED.match(part):
                    commands.append(part)
    return commands


def git(*args: str, input: str | None = None) -> str:
    """The output of ``git args`` in the repository (check-ignore exits 1 when it matches nothing)."""
    done = subprocess.run(["git", "-C", str(REPO), *args], capture_output=True, text=True, check=False, input=input)
    assert done.returncode in (0, 1), done.stderr
    return done.stdout


def fresh_copy(target: Path) -> set[str]:
    """Copy what a clone would hold (tracked files and new files that are not ignored) into ``target``;
    the relative paths copied."""
    if shutil.which("git") is None or not (REPO / ".git").exists():
        pytest.skip("needs the repository's git checkout")
    files = {name for name in git("ls-files", "-z", "--cached", "--others", "--exclude-standard").split("\0")
             if name and (REPO / name).is_file()}
    for name in files:
        (target / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(REPO / name, target / name)
    return files


def test_bash_blocks_are_read_line_by_line_without_installs():
    markdown = ("text\n```bash\npython3 -m pip install -e '.[test]' && turing-tx run bb3\nturing-tx run bb2  # note\n\n"
                "# a comment\nturing-tx verify \\\n  bb3\npython3 -m pytest -q\n```\n"
                "```python\nprint('not bash')\n```\n")
    assert bash_commands(markdown) == ["turing-tx run bb3", "turing-tx run bb2  # note", "turing-tx verify    bb3"]


def test_readme_commands_run_from_a_fresh_copy(tmp_path: Path):
    script = shutil.which("turing-tx", path=str(Path(sys.executable).parent)) or shutil.which("turing-tx")
    if script is None:
        pytest.skip("turing-tx is not installed")
    commands = bash_commands(README.read_text(encoding="utf-8"))
    assert len(commands) > 20 and all(command.startswith("turing-tx ") for command in commands)
    copy = tmp_path / "repo"
    shipped = fresh_copy(copy)
    env = {**os.environ, "PATH": f"{Path(script).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    failures = []
    for command in commands:
        done = subprocess.run(["bash", "-c", command], cwd=copy, env=env, capture_output=True, text=True,
                              timeout=600, check=False)
        if done.returncode != 0:
            failures.append(f"{command}\n    exit {done.returncode}: {done.stderr.strip()[-500:]}")
    assert not failures, "README commands that failed:\n" + "\n".join(failures)
    written = sorted(str(path.relative_to(copy)) for path in copy.rglob("*")
                     if path.is_file() and str(path.relative_to(copy)) not in shipped)
    assert written, "the README's commands should write models, pictures and reports"
    ignored = git("check-ignore", "--stdin", input="\n".join(written) + "\n").split()
    assert sorted(ignored) == written, f"not in .gitignore: {sorted(set(written) - set(ignored))}"
