"""The repository stands alone: nothing in it points to files a clone does not have.

The code, notebooks, tests, benchmarks, documentation and README explain themselves or point into
``docs/``. They must not cite the own-words specification files that once lived outside the
repository (a ``shared/`` folder beside it, with ``spec/*.md`` inside), nor bare section numbers (a
section sign) of those files. Every hit is reported as ``file:line``. The files checked are the ones a
clone would hold: tracked files plus new files that are not ignored (``git ls-files --cached --others
--exclude-standard``), in the folders below and the README. Only this file, which has to spell the
patterns out, is left out.

No test may skip because a folder outside the repository is missing, either: such a skip would hide
a broken test in every clone.
"""

from __future__ import annotations

import ast
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
THIS = Path(__file__).resolve().relative_to(ROOT).as_posix()
FOLDERS = ("turing_tx/", "notebooks/", "tests/", "benchmarks/", "docs/")
FILES = ("README.md",)
#: what points outside: the shared folder (either spelling), the specification folder, a section sign
OUTSIDE = ("shared/", "../shared", "spec/", "\N{SECTION SIGN}")
#: the calls that skip a test
SKIPS = {"skip", "skipif", "importorskip", "xfail"}


def shipped_files() -> list[str]:
    """The text files under FOLDERS and FILES that a clone of the repository holds, sorted."""
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.fail("needs the repository's git checkout to know which files it ships")
    listed = subprocess.run(["git", "-C", str(ROOT), "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                            capture_output=True, text=True, check=True).stdout
    names = sorted({name for name in listed.split("\0") if name
                    and (name.startswith(FOLDERS) or name in FILES) and (ROOT / name).is_file()})
    return [name for name in names if name != THIS and _text(ROOT / name) is not None]


def _text(path: Path) -> str | None:
    """The file's text, or None for a binary file (a NUL byte, or not UTF-8)."""
    data = path.read_bytes()
    if b"\0" in data:
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


def outside_references(text: str) -> list[tuple[int, list[str]]]:
    """(line number, patterns found) for every line of ``text`` with a pattern of OUTSIDE."""
    hits = []
    for number, line in enumerate(text.splitlines(), start=1):
        found = [pattern for pattern in OUTSIDE if pattern in line]
        if found:
            hits.append((number, found))
    return hits


def test_the_patterns_are_found() -> None:
    text = ("fine\nsee ../shared/spec/perez.md\nformats.md \N{SECTION SIGN}3.4\n"
            "spec/x.md\nshared by several modules\n")
    assert outside_references(text) == [(2, ["shared/", "../shared", "spec/"]), (3, ["\N{SECTION SIGN}"]),
                                        (4, ["spec/"])]


def test_the_checked_files_include_every_folder() -> None:
    files = shipped_files()
    for folder in FOLDERS:
        assert any(name.startswith(folder) for name in files), f"no shipped file under {folder}"
    assert "README.md" in files and THIS not in files


def test_nothing_points_outside_the_repository() -> None:
    offending = [f"{name}:{number}: {', '.join(repr(p) for p in found)}"
                 for name in shipped_files()
                 for number, found in outside_references(_text(ROOT / name) or "")]
    assert not offending, ("references to files outside the repository (point into docs/ instead, or say "
                           "in place what is meant):\n" + "\n".join(offending))


def _skip_calls(source: str) -> list[tuple[int, str]]:
    """(line, source text) of every pytest skip call or skip marker in ``source``."""
    calls = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else None
            if name in SKIPS:
                calls.append((node.lineno, ast.get_source_segment(source, node) or ""))
    return calls


def test_skip_calls_are_found() -> None:
    source = ('import pytest\n@pytest.mark.skipif(not ROOT.exists(), reason="x")\ndef f():\n'
              '    pytest.skip(\n        "the shared folder is missing")\n')
    assert [line for line, _ in _skip_calls(source)] == [2, 4]
    assert "shared" in _skip_calls(source)[1][1]


def test_no_test_skips_for_a_missing_outside_folder() -> None:
    offending = [f"{name}:{line}: {text.splitlines()[0]}"
                 for name in shipped_files() if name.startswith("tests/") and name.endswith(".py")
                 for line, text in _skip_calls((ROOT / name).read_text(encoding="utf-8"))
                 if "shared" in text.lower() or any(pattern in text for pattern in OUTSIDE)]
    assert not offending, "tests that skip when a folder outside the repository is missing:\n" + "\n".join(offending)
