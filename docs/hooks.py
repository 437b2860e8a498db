"""MkDocs hooks: every number, table, figure and help text of the site is made by the project while the site builds.

A page asks for generated content in three ways, all resolved in ``on_page_markdown`` before Markdown
sees the page:

- a marker on a line of its own, ``<!-- gen: NAME ARGS -->``, replaced by what generator ``NAME``
  returns (see ``GENERATORS``); ``<!-- gen: cli run bb2 --trace -->`` runs ``turing-tx run bb2 --trace``
  in-process and shows the command with everything it printed (``cli exit=1 …`` when the command is
  expected to fail; several commands are joined with ``&&``);
- a fenced block whose info string is ``python exec``: the code is run and shown, followed by what it
  printed;
- a fenced block whose info string is ``LANG file=NAME``: shown with the title NAME and written, before
  any command runs, into the working directory the commands run in (so a page can show a file and then
  what ``turing-tx`` says about it).

Figures (``FIGURES``) are drawn by the project's own ``diagram`` and ``attention`` commands and added to
the site as generated files under ``generated/``; ``<!-- gen: figure NAME -->`` shows one with the
command that drew it. The ablation studies the construction pages summarise run as background
``turing-tx ablate`` processes started in ``on_pre_build``, so they overlap the rest of the build.

Nothing is written into ``docs/``: commands run in a temporary directory, and generated files exist
only in the built site. A generated fragment that would point outside the repository fails the build.

Environment variables for working on the site: ``TURING_TX_DOCS_TIMINGS=1`` prints the slowest
generated fragments; ``TURING_TX_DOCS_DUMP=DIR`` writes every page's Markdown, as rendered, into DIR.
"""

from __future__ import annotations

import argparse
import contextlib
import html
import io
import json
import os
import posixpath
import re
import shlex
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any

from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File, Files

try:  # Python 3.11+
    import tomllib
except ModuleNotFoundError:  # pragma: no cover - Python 3.10
    import tomli as tomllib  # type: ignore[no-redef]

ROOT = Path(__file__).resolve().parent.parent
GENERATED_DIR = "generated"
#: text no generated fragment may contain (a section sign, the shared specification folder): the site
#: stands alone and never points outside the repository (spelled so that this file does not contain them)
FORBIDDEN = ("\N{SECTION SIGN}", "shared" + "/", "spec" + "/")
HELP_WIDTH = 100

#: figure file (under generated/) -> the turing-tx command that draws it (``-o FILE`` is appended)
FIGURES = {
    "bb3-perez-diagram.svg": "diagram bb3 --steps 21",
    "bb2-perez-attention.png": "attention bb2 --steps 6",
    "increment-perez-attention.png": "attention increment-bb --steps 8",
    "bb3-siegelmann-sontag-diagram.svg": "diagram bb3 -c siegelmann-sontag --steps 21",
    "increment-bhattamishra-pe-attention.png": "attention increment-bb -c bhattamishra-pe --steps 8",
    "increment-bhattamishra-mask-attention.png": "attention increment-bb -c bhattamishra-mask --steps 8",
}

#: background ablation studies: name -> turing-tx arguments (``-o DIR --quiet`` is appended)
STUDIES = {
    "components": "ablate bb2 bb3 -c all",
    "precision-perez": "ablate bb3 bb4 -c perez --precision float32,float64,mpmath:4-32/4 --no-prove",
    "precision-siegelmann-sontag": ("ablate bb3 bb4 -c siegelmann-sontag --precision float32,float64,mpmath:4-32/4 "
                                    "--no-prove"),
}
STUDY_TIMEOUT = 600

#: the workloads of the max_bits tables: (library machine, step limit or None to run to the halt)
BIT_WORKLOADS = (("bb3", None), ("bb4", None), ("counter", 300), ("sweeper", 300))
MACHINE_NAMES = {"1RB1LB_1LA1RZ": "BB(2)", "1RB1RZ_1LB0RC_1LC1LA": "BB(3)",
                 "1RB1LB_1LA0LC_1RZ1LD_1RD0RA": "BB(4)"}

MARKER = re.compile(r"^<!-- gen: (?P<body>.+?) -->[ \t]*$", re.MULTILINE)
EXEC_BLOCK = re.compile(r"^```python exec[ \t]*\n(?P<code>.*?)^```[ \t]*$", re.MULTILINE | re.DOTALL)
FILE_BLOCK = re.compile(r"^```(?P<lang>[\w+-]+) file=(?P<name>[\w.+-]+)[ \t]*\n(?P<body>.*?)^```[ \t]*$",
                        re.MULTILINE | re.DOTALL)


# -- build state ------------------------------------------------------------------------------------
@dataclass
class Study:
    """A ``turing-tx ablate`` run in the background; ``report()`` waits for it and reads report.json."""

    name: str
    process: subprocess.Popen[bytes]
    directory: Path
    started: float
    seconds: float | None = None
    _report: dict[str, Any] | None = None

    def report(self) -> dict[str, Any]:
        if self._report is None:
            try:
                _, stderr = self.process.communicate(timeout=STUDY_TIMEOUT)
            except subprocess.TimeoutExpired:
                self.process.kill()
                raise PluginError(f"docs: ablation study {self.name!r} took more than {STUDY_TIMEOUT} s") from None
            if self.process.returncode != 0:
                raise PluginError(f"docs: `turing-tx {STUDIES[self.name]}` exited with {self.process.returncode}: "
                                  f"{stderr.decode(errors='replace').strip()}")
            self.seconds = time.perf_counter() - self.started
            self._report = json.loads((self.directory / "report.json").read_text(encoding="utf-8"))
        return self._report


@dataclass
class Build:
    """What one build has made so far: its working directory, studies, fragments and figures."""

    workdir: Path
    studies: dict[str, Study] = field(default_factory=dict)
    fragments: dict[str, str] = field(default_factory=dict)
    figure_output: dict[str, str] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)


_BUILD: Build | None = None
_TEMP: tempfile.TemporaryDirectory[str] | None = None


def _build() -> Build:
    if _BUILD is None:
        raise PluginError("docs: the build state is missing (on_pre_build did not run)")
    return _BUILD


def _check(name: str, text: str) -> str:
    """``text`` unchanged, unless it would point outside the repository."""
    for bad in FORBIDDEN:
        if bad in text:
            line = next(line for line in text.splitlines() if bad in line)
            raise PluginError(f"docs: generated fragment {name!r} contains {bad!r} (the site must not point "
                              f"outside the repository): {line.strip()}")
    return text


# -- running the project ----------------------------------------------------------------------------
@contextlib.contextmanager
def _in_directory(path: Path) -> Iterator[None]:
    previous = Path.cwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(previous)


def run_cli(args: Sequence[str]) -> tuple[int, str]:
    """Run ``turing-tx ARGS`` in-process in the build's working directory: (exit status, what it printed)."""
    from turing_tx.cli.main import main

    out = io.StringIO()
    with _in_directory(_build().workdir), contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
        try:
            status = main(list(args))
        except SystemExit as exc:  # argparse errors
            status = exc.code if isinstance(exc.code, int) else 2
    return status, out.getvalue().rstrip("\n")


def _console(commands: Sequence[tuple[str, str, int]]) -> str:
    lines = []
    for command, output, status in commands:
        lines.append(f"$ turing-tx {command}")
        if output:
            lines.append(output)
        if status:
            lines.append(f"(exit status {status})")
    return "```console\n" + "\n".join(lines) + "\n```"


def gen_cli(args: list[str]) -> str:
    """``cli [exit=N] [lines=N] ARGS [&& …]``: each command with what it printed. Each must exit with its
    N (default 0), so a page never shows a failure it did not ask for; ``lines=N`` shows only the first
    N lines of the output (for commands a page runs to set up the next one)."""
    commands: list[list[str]] = [[]]
    for arg in args:
        if arg == "&&":
            commands.append([])
        else:
            commands[-1].append(arg)
    shown = []
    for command in commands:
        options = {"exit": 0, "lines": None}
        while command and command[0].split("=", 1)[0] in options and "=" in command[0]:
            key, value = command[0].split("=", 1)
            options[key] = int(value)
            command = command[1:]
        status, output = run_cli(command)
        text = shlex.join(command)
        if status != options["exit"]:
            raise PluginError(f"docs: `turing-tx {text}` exited with {status}, expected {options['exit']}:\n{output}")
        if options["lines"] is not None and output.count("\n") >= options["lines"]:
            output = "\n".join(output.splitlines()[: options["lines"]] + ["…"])
        shown.append((text, output, status))
    return _console(shown)


def cli_json(args: Sequence[str]) -> dict[str, Any]:
    status, output = run_cli(args)
    if status != 0:
        raise PluginError(f"docs: `turing-tx {shlex.join(args)}` exited with {status}:\n{output}")
    return json.loads(output)


# -- Markdown helpers -------------------------------------------------------------------------------
def cell(text: object) -> str:
    """Plain text for a table cell (HTML-escaped, pipes escaped)."""
    return html.escape(str(text), quote=False).replace("|", "&#124;").replace("\n", " ")


def code(text: object) -> str:
    """Inline code for a table cell."""
    value = str(text).replace("|", "&#124;")
    return f"<code>{html.escape(value, quote=False)}</code>" if "&#124;" in value else f"`{value}`"


def table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def vector_text(vector: dict[str, Fraction]) -> str:
    """A sparse vector as ``name=value`` pairs in residual order."""
    return ", ".join(f"{name}={value}" for name, value in vector.items()) or "0"


def _load(name: str) -> Any:
    from turing_tx.machines.resolve import load

    [loaded] = load(name)
    return loaded


def _machine_label(machine: str) -> str:
    return f"{MACHINE_NAMES[machine]} `{machine}`" if machine in MACHINE_NAMES else f"`{machine}`"


# -- CLI reference ----------------------------------------------------------------------------------
def _subcommands(parser: argparse.ArgumentParser) -> tuple[dict[str, argparse.ArgumentParser], dict[str, str]]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            helps = {choice.dest: choice.help or "" for choice in action._choices_actions}
            return dict(action.choices), helps
    raise PluginError("docs: build_parser() has no subcommands")


def _fixed_width(parser: argparse.ArgumentParser) -> None:
    parser.formatter_class = lambda prog: argparse.HelpFormatter(prog, width=HELP_WIDTH, max_help_position=32)


def _argument_rows(parser: argparse.ArgumentParser) -> list[list[str]]:
    formatter = parser._get_formatter()
    rows = []
    for action in parser._actions:
        if isinstance(action, (argparse._HelpAction, argparse._SubParsersAction)) or action.help == argparse.SUPPRESS:
            continue
        if action.option_strings:
            metavar = "" if action.nargs == 0 else " " + formatter._format_args(action, action.dest.upper())
            names = ", ".join(code(option + metavar) for option in action.option_strings)
        else:
            names = code(formatter._format_args(action, action.dest))
        text = formatter._expand_help(action) if action.help else ""
        details = []
        if action.choices and not isinstance(action.choices, dict):
            details.append("one of " + ", ".join(code(choice) for choice in action.choices))
        if action.required and action.option_strings:
            details.append("required")
        if action.default not in (None, False, argparse.SUPPRESS, []) and action.nargs != 0:
            details.append(f"default {code(action.default)}")
        rows.append([names, cell(text) + ("" if not details else " <br>" + "; ".join(details))])
    return rows


def gen_cli_reference(args: list[str]) -> str:
    """Every subcommand of ``build_parser()``: summary, usage, arguments, and its ``--help`` text."""
    from turing_tx.cli.main import build_parser

    parser = build_parser()
    _fixed_width(parser)
    subparsers, helps = _subcommands(parser)
    parts = ["```text\n" + parser.format_usage().strip() + "\n```", ""]
    top = _argument_rows(parser)
    if top:
        parts += [table(["option", "meaning"], top), ""]
    parts.append(table(["subcommand", "what it does"],
                       [[f"[`{name}`](#{name})", cell(helps.get(name, ""))] for name in subparsers]))
    for name, sub in subparsers.items():
        _fixed_width(sub)
        parts += ["", f"## `{name}` {{#{name}}}", "", cell(helps.get(name, "")), ""]
        if sub.description and sub.description != helps.get(name):
            parts += [cell(sub.description), ""]
        parts += ["```text\n" + sub.format_usage().strip() + "\n```", ""]
        parts += [table(["argument", "meaning"], _argument_rows(sub)), ""]
        help_text = sub.format_help().rstrip()
        parts += [f'??? note "`turing-tx {name} --help`"', "", "    ```text"]
        parts += [("    " + line).rstrip() for line in help_text.splitlines()]
        parts += ["    ```"]
    return "\n".join(parts)


# -- architecture -----------------------------------------------------------------------------------
def gen_contracts(args: list[str]) -> str:
    """The import contracts of pyproject.toml, as import-linter checks them."""
    data = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    contracts = data.get("tool", {}).get("importlinter", {}).get("contracts", [])
    if not contracts:
        raise PluginError("docs: pyproject.toml declares no [[tool.importlinter.contracts]]")
    parts = []
    for contract in contracts:
        parts += [f"**{cell(contract['name'])}** (import-linter contract type `{contract['type']}`)", ""]
        if contract["type"] == "layers":
            for index, layer in enumerate(contract["layers"], start=1):
                members = " · ".join(f"`{member.strip()}`" for member in layer.split("|"))
                parts.append(f"{index}. {members}")
        else:
            for key, value in contract.items():
                if key in ("name", "type"):
                    continue
                values = value if isinstance(value, list) else [value]
                parts.append(f"- {key.replace('_', ' ')}: " + ", ".join(f"`{v}`" for v in values))
        parts.append("")
    return "\n".join(parts)


def gen_packages(args: list[str]) -> str:
    """Each package of turing_tx with its modules, read from the source tree."""
    package_dir = ROOT / "turing_tx"
    rows = [[code("turing_tx"), ", ".join(code(p.stem) for p in sorted(package_dir.glob("*.py")))]]
    for sub in sorted(p for p in package_dir.iterdir() if (p / "__init__.py").is_file()):
        modules = sorted(p.relative_to(sub).with_suffix("").as_posix() for p in sub.rglob("*.py")
                         if p.name != "__init__.py" and "__pycache__" not in p.parts)
        data = sorted(p.relative_to(sub).as_posix() for p in sub.rglob("*") if p.suffix in (".yaml", ".j2"))
        text = ", ".join(code(m) for m in modules) + ("" if not data else "; data: " + ", ".join(map(code, data)))
        rows.append([code(f"turing_tx.{sub.name}"), text])
    return table(["package", "modules"], rows)


# -- Pérez --------------------------------------------------------------------------------------------
def _perez(machine: str) -> Any:
    from turing_tx.constructions.perez import PEREZ

    loaded = _load(machine)
    return PEREZ.compile(loaded.machine, loaded.word)


def gen_perez_layout(args: list[str]) -> str:
    """The residual coordinates of the Pérez model of a machine, block by block."""
    compiled = _perez(args[0])
    coords = compiled.model.coords
    blocks = [("state:", "one per folded state (q+, q− for each state; one halting state per halt name)"),
              ("sym:", "the symbol read, one-hot over the folded alphabet (a and a*)"),
              ("wr:", "the symbol written by the last step"),
              ("inp:", "scratch: the input symbol fetched from the encoder")]
    rows = []
    for prefix, meaning in blocks:
        names = [c for c in coords if c.startswith(prefix)]
        rows.append([" ".join(code(n) for n in names), str(len(names)), cell(meaning)])
    rest = [c for c in coords if not any(c.startswith(p) for p, _ in blocks)]
    scalars = [c for c in rest if not c.startswith("pos:")]
    positional = [c for c in rest if c.startswith("pos:")]
    rows.append([" ".join(code(n) for n in scalars), str(len(scalars)), "scalars (see the table below)"])
    rows.append([" ".join(code(n) for n in positional), str(len(positional)), "positional encoding"])
    description = compiled.describe()
    summary = (f"{len(coords)} coordinates for `{args[0]}` ({description['states']} states, "
               f"{description['halts']} halt name(s), {description['symbols']} symbols): "
               f"{description['width_formula']} = {compiled.dimension}; the paper's formula gives "
               f"{description['paper_width']}.")
    return table(["coordinates", "count", "what they hold"], rows) + "\n\n" + summary


def gen_perez_outputs(args: list[str]) -> str:
    """The decoder outputs o_0 … o_{N−1} of the Pérez model, exact, and how the decoder reads each."""
    from turing_tx.constructions.perez import decode_output
    from turing_tx.engine.interpreter import Interpreter
    from turing_tx.machines.folding import unfold_cell

    compiled = _perez(args[0])
    rows = []
    for step in Interpreter(compiled.model).run(compiled.tokens, int(args[1])):
        config = decode_output(step, compiled.folded)
        p = step.position
        rows.append([str(p), code(vector_text(step.vector())), code(config.state), code(config.read),
                     f"{p + 1}·c:r = {config.folded_head}", str(unfold_cell(config.folded_head)),
                     code(config.written or "–"), str(config.move)])
    header = ["p", "o_p (non-zero coordinates)", "state", "read", "folded head", "cell", "wr", "move"]
    return (f"Encoder input (folded tape): {' '.join(code(t) for t in compiled.tokens)}\n\n" + table(header, rows))


def _layer_rows(model: Any, tokens: Sequence[str], position: int, input_label: str) -> str:
    """What each sublayer changed at decoder ``position``, and which keys its heads picked."""
    from turing_tx.engine.interpreter import Interpreter

    interpreter = Interpreter(model, record_sublayers=True, record_attention=True)
    steps = list(interpreter.run(tokens, position + 1))
    step = steps[-1]
    previous = steps[-2].vector() if position else dict(model.decoder_seed)
    encoding = model.positional_encoding
    if encoding is not None:
        i = Fraction(position + 1)
        values = {"1": Fraction(1), "i": i, "1/i": 1 / i, "1/i^2": 1 / (i * i)}
        previous = dict(previous)
        for coord, feature in encoding.features.items():
            previous[coord] = previous.get(coord, Fraction(0)) + values[feature]
    order = {name: k for k, name in enumerate(model.coords)}
    rows = [[input_label, "", code(vector_text(dict(sorted(previous.items(), key=lambda kv: order[kv[0]])))), ""]]
    before = {k: Fraction(v) for k, v in previous.items() if v}
    heads = {h.name.rsplit(".", 1)[0]: h.name for h in model.heads()}
    for name, vector in step.sublayers.items():
        after = step.vector(vector)
        changed = {k: v for k, v in after.items() if before.get(k) != v}
        removed = [k for k in before if k not in after]
        head = heads.get(name)
        picked = step.attention.get(head) if head else None
        keys = "" if picked is None else ", ".join(str(int(j)) for j in picked)
        rows.append([code(name), keys, code(vector_text(changed)) if changed else "–",
                     " ".join(code(k) for k in removed) or "–"])
        before = after
    return table(["sublayer", "keys attended", "sets (new value)", "clears"], rows)


def gen_perez_layers(args: list[str]) -> str:
    compiled = _perez(args[0])
    position = int(args[1])
    return _layer_rows(compiled.model, compiled.tokens, position,
                       f"input: o_{position - 1} + pos({position + 1})" if position else "input: seed + pos(1)")


# -- Siegelmann–Sontag ------------------------------------------------------------------------------------
def _siegelmann_sontag(machine: str, word: str | None = None) -> Any:
    from turing_tx.constructions.siegelmann_sontag import SIEGELMANN_SONTAG
    from turing_tx.machines.formats.loader import parse_input

    loaded = _load(machine)
    symbols = loaded.word if word is None else parse_input(loaded, word)
    return SIEGELMANN_SONTAG.compile(loaded.machine, symbols)


def gen_ss_units(args: list[str]) -> str:
    compiled = _siegelmann_sontag(args[0])
    layout = compiled.layout
    groups = [("G0", layout.g0, "control units (one per state and per halt name) and the two stacks"),
              ("G1", layout.g1, "case detection, stack-top thresholds, copies of L, R and the halt flags"),
              ("G2", layout.g2, "case copies, gated pushes and pops, the frozen stacks after a halt"),
              ("loader", layout.loader, "reads the input word into R, then starts the machine")]
    rows = [[name, str(len(units)), " ".join(code(u) for u in units), cell(job)] for name, units, job in groups]
    return table(["group", "units", "names", "job"], rows)


def _group_due(compiled: Any, tick: int) -> str:
    first = compiled.first_step_tick
    return "loader" if tick < first else f"G{(tick - first) % 3}"


def gen_ss_ticks(args: list[str]) -> str:
    """The non-zero hidden units at each tick of the σ-RNN of a machine (on an optional input word)."""
    from turing_tx.constructions.siegelmann_sontag import rnn_input

    compiled = _siegelmann_sontag(args[0], args[2] if len(args) > 2 else None)
    rows = []
    for tick, h in enumerate(compiled.states(int(args[1])), start=1):
        units = {u: v for u, v in h.items() if v}
        rows.append([str(tick), _group_due(compiled, tick), code(vector_text(units))])
    word = " ".join(rnn_input(compiled.machine, compiled.word))
    intro = (f"Input stream x_1, x_2, …: {code(word)} (then `$` forever); the initial configuration is in G0 "
             f"at tick n + 2 = {compiled.first_step_tick}.")
    return intro + "\n\n" + table(["tick", "due", "non-zero units h_t"], rows)


def _stack(symbols: Sequence[int], machine: Any) -> str:
    return "[" + " ".join(machine.symbols[a] for a in symbols) + "]"


def gen_ss_configurations(args: list[str]) -> str:
    """The configuration G0 holds at every step boundary (to the halt, or ``args[1]`` steps), as the
    decoder reads it."""
    compiled = _siegelmann_sontag(args[0])
    machine = compiled.machine
    limit = int(args[1]) if len(args) > 1 else 200
    seen: list[dict[str, Fraction]] = []

    def recorded() -> Iterator[dict[str, Fraction]]:
        for h in compiled.states(compiled.ticks_for(limit)):
            seen.append(h)
            yield h

    first = compiled.first_step_tick
    steps = [(step.number, config) for step, config in compiled.decode_run(recorded(), limit)]
    decoded = [(0, compiled.decode_configuration(seen[first - 1]))] + steps
    rows = []
    for number, config in decoded:
        tick = first + 3 * number
        h = seen[tick - 1]
        control = f"halt {config.halt}" if config.state is None else machine.states[config.state]
        rows.append([str(number), str(tick), code(control), code(h.get("L", 0)), code(_stack(config.left, machine)),
                     code(h.get("R", 0)), code(_stack(config.right, machine)), str(config.head)])
    return table(["step", "tick", "control unit = 1", "L", "L (top first)", "R", "R (top first)", "head"], rows)


# -- Bhattamishra et al. ------------------------------------------------------------------------------
def _bhattamishra(theorem: str, machine: str) -> Any:
    from turing_tx.constructions.bhattamishra import BHATTAMISHRA_MASK, BHATTAMISHRA_PE

    loaded = _load(machine)
    construction = BHATTAMISHRA_PE if theorem == "1" else BHATTAMISHRA_MASK
    return construction.compile(loaded.machine, loaded.word)


def gen_bh_outputs(args: list[str]) -> str:
    """Decoder outputs of a Theorem 1 or 2 model, with the encoder position cross-attention picked."""
    from turing_tx.engine.interpreter import Interpreter

    compiled = _bhattamishra(args[0], args[1])
    tokens = compiled.tokens
    rows = []
    for step in Interpreter(compiled.model, record_attention=True).run(tokens, int(args[2])):
        picked = step.attention.get("dec0.cross_attn.head0")
        where = ", ".join(f"{int(j)} ({code(tokens[int(j)])})" for j in picked) if picked is not None else ""
        rows.append([str(step.position), str(step.position + 1), where, code(vector_text(step.vector()))])
    intro = "Encoder tokens: " + " ".join(f"{k}:{code(t)}" for k, t in enumerate(tokens))
    return intro + "\n\n" + table(["p", "tick t", "cross-attention picked", "o_p (non-zero coordinates)"], rows)


def gen_bh_layers(args: list[str]) -> str:
    compiled = _bhattamishra(args[0], args[1])
    position = int(args[2])
    encoding = f" + pos({position + 1})" if args[0] == "1" else ""
    label = f"input: o_{position - 1}{encoding}" if position else f"input: seed{encoding}"
    return _layer_rows(compiled.model, compiled.tokens, position, label)


def gen_bh_layout(args: list[str]) -> str:
    compiled = _bhattamishra(args[0], args[1])
    coords = compiled.model.coords
    hidden = [c for c in coords if c.startswith("h:")]
    inputs = [c for c in coords if c.startswith("x:")]
    tail = [c for c in coords if not c.startswith(("h:", "x:"))]
    rows = [[f"{code(hidden[0])} … {code(hidden[-1])}", str(len(hidden)), "the RNN's hidden state h_t, one per unit"],
            [" ".join(code(c) for c in inputs), str(len(inputs)), "the input symbol x_t, one-hot"],
            [" ".join(code(c) for c in tail), str(len(tail)),
             "positional encoding (1, 1/i, 1/i²)" if args[0] == "1" else
             "the constant 1, the start flag, and 1/i computed by attention"]]
    return table(["coordinates", "count", "what they hold"], rows)


# -- precision and ablations ------------------------------------------------------------------------
def gen_max_bits(args: list[str]) -> str:
    """max_bits (and width, ticks) of runs of the given constructions, as ``turing-tx run --json`` reports them."""
    rows = []
    for construction, (machine, limit) in ((c, w) for c in args for w in BIT_WORKLOADS):
        command = ["run", machine, "-c", construction, "--json", "-q"]
        if limit is not None:
            command += ["--max-steps", str(limit)]
        summary = cli_json(command)
        shown = shlex.join(command[:4] + command[6:])
        rows.append([code(shown), str(summary["steps"]), "yes" if summary["halted"] else "no",
                     str(summary.get("ticks", "–")), str(summary["nonblank"]), str(summary["dimension"]),
                     f"**{summary['max_bits']}**", "yes" if summary["verified"] else "NO"])
    return table(["command (`turing-tx run … --json`)", "steps", "halted", "ticks", "non-blank", "dimension",
                  "max_bits", "verified"], rows)


def _study(name: str) -> dict[str, Any]:
    build = _build()
    if name not in build.studies:
        raise PluginError(f"docs: unknown ablation study {name!r}")
    return build.studies[name].report()


def _bits(backend: str) -> int | None:
    return int(backend.split(":", 1)[1]) if backend.startswith("mpmath:") else None


def gen_precision(args: list[str]) -> str:
    """The precision sweep of one construction: where each float backend first diverged, and the fewest
    mantissa bits that ran T steps exactly."""
    construction = args[0]
    report = _study(f"precision-{construction}")
    rows = [r for r in report["results"] if r["protocol"] == "precision" and r["construction"] == construction]
    machines = list(dict.fromkeys(r["machine"] for r in rows))
    steps = {p["machine"]: p["steps"] for p in report["precision"] if p["construction"] == construction}
    backends = list(dict.fromkeys(r["backend"] for r in rows))
    swept = sorted(b for b in (_bits(x) for x in backends) if b is not None)
    by_key = {(r["machine"], r["backend"]): r for r in rows}

    def outcome(row: dict[str, Any] | None) -> str:
        if row is None:
            return ""
        if not row["breaks"]:
            return f"all {row['steps']} steps"
        tick = f" (tick {row['first_divergence_tick']})" if row.get("first_divergence_tick") else ""
        return f"diverges at step {row['first_divergence_step']}{tick}"

    header = ["backend"] + [f"{_machine_label(m)}, {steps.get(m, '?')} steps" for m in machines]
    first = table(header, [[code(b)] + [outcome(by_key.get((m, b))) for m in machines] for b in backends])
    lowest = swept[0] if swept else None
    minima = []
    for section in (p for p in report["precision"] if p["construction"] == construction):
        for entry in section["minimal"]:
            bits = entry["minimal_bits"]
            text = (f"> {swept[-1]}" if bits is None else f"≤ {bits}" if bits == lowest else str(bits))
            minima.append((section["machine"], entry["steps"], text))
    totals = sorted({t for _, t, _ in minima})
    lookup = {(m, t): text for m, t, text in minima}
    second = table(["T"] + [_machine_label(m) for m in machines],
                   [[str(t)] + [lookup.get((m, t), "") for m in machines] for t in totals])
    return (first + "\n\nFewest mantissa bits (mpmath, swept "
            f"{swept[0]}–{swept[-1]} in steps of {swept[1] - swept[0] if len(swept) > 1 else 0}) with which "
            "the first T steps run exactly, every larger swept precision working too:\n\n" + second)


def _verdict_cell(verdict: dict[str, Any]) -> str:
    surgery = verdict.get("rows", {}).get("surgery")
    observed = ""
    if surgery is not None:
        if surgery["breaks"]:
            tick = surgery.get("first_divergence_tick")
            observed = f"surgery breaks at step {surgery['first_divergence_step']}" + (f", tick {tick}" if tick else "")
        else:
            observed = "surgery: no divergence"
    mark = "✓" if verdict["agrees_with_paper"] else "✗"
    return f"{mark} {cell(verdict['reason'])}" + (f" <br><small>{cell(observed)}</small>" if observed else "")


def gen_verdicts(args: list[str]) -> str:
    """The component claims of one construction and what the ablation study observed on each machine."""
    construction = args[0]
    report = _study("components")
    verdicts = [v for v in report["verdicts"] if v["construction"] == construction]
    if not verdicts:
        claims = report.get("claims", {}).get(construction, {}).get("components", {})
        if claims:
            raise PluginError(f"docs: the study has no verdicts for {construction}")
        return (f"The study ran `{construction}` too, but it has no components to remove: "
                "only precision ablations apply to it.")
    machines = list(dict.fromkeys(v["machine"] for v in verdicts))
    components = list(dict.fromkeys(v["component"] for v in verdicts))
    by_key = {(v["component"], v["machine"]): v for v in verdicts}
    rows = []
    for component in components:
        first = by_key[(component, machines[0])]
        claim = first["claim"] + ("" if first["paper_claim"] == first["claim"] else f" (paper: {first['paper_claim']})")
        checks = "; ".join(row["note"] for key, row in sorted(first.get("rows", {}).items())
                           if key in ("finite-outputs", "permutation") and row.get("note"))
        rows.append([code(component), cell(claim), cell(first.get("note") or "")]
                    + [_verdict_cell(by_key[(component, m)]) if (component, m) in by_key else "" for m in machines]
                    + [cell(checks)])
    agreeing = sum(1 for v in verdicts if v["agrees_with_paper"])
    names = ", ".join(f"{MACHINE_NAMES.get(m, m)} = `{m}`" for m in machines)
    head = (f"{agreeing} of {len(verdicts)} verdicts agree with the claims "
            f"(`turing-tx {STUDIES['components']}`; {names}):")
    return head + "\n\n" + table(["component", "claim", "why"] + [MACHINE_NAMES.get(m, m) for m in machines]
                                 + ["construction-level check"], rows)


# -- formats ------------------------------------------------------------------------------------------
def gen_library_formats(args: list[str]) -> str:
    """How the library's machines in each format map to the internal machine."""
    from turing_tx.machines import library
    from turing_tx.machines.formats.bbchallenge import write_machine

    entries = {entry.name: entry for entry in library.entries()}
    rows = []
    for name in args:
        loaded = _load(name)
        machine = loaded.machine
        symbols = " ".join(f"{k}={code(repr(s) if s.strip() != s or not s else s)}"
                           for k, s in enumerate(machine.symbols))
        states = " ".join(f"{chr(65 + k)}={code(s)}" for k, s in enumerate(machine.states))
        rows.append([code(name), code(entries[name].file), code(loaded.format), symbols, states,
                     " ".join(code(h) for h in machine.halts), code(write_machine(machine)),
                     code("".join(machine.symbols[a] for a in loaded.word)) if loaded.word else "–"])
    return table(["library name", "file", "detected", "symbols", "states", "halt names", "as bbchallenge text",
                  "input"], rows)


def json_text(value: Any, depth: int, indent: int = 0) -> str:
    """JSON with objects and lists spread over lines down to ``depth`` levels, compact below."""
    if depth <= 0 or not isinstance(value, (dict, list)) or not value:
        return json.dumps(value, ensure_ascii=False)
    pad = " " * (indent + 2)
    if isinstance(value, dict):
        items = [f"{pad}{json.dumps(k, ensure_ascii=False)}: {json_text(v, depth - 1, indent + 2)}"
                 for k, v in value.items()]
        return "{\n" + ",\n".join(items) + "\n" + " " * indent + "}"
    items = [pad + json_text(v, depth - 1, indent + 2) for v in value]
    return "[\n" + ",\n".join(items) + "\n" + " " * indent + "]"


def gen_model_json(args: list[str]) -> str:
    """The model JSON of a compiled Pérez model: its top level (layers abbreviated), one layer in full."""
    from turing_tx.engine import model_json

    compiled = _perez(args[0])
    document = model_json.model_to_json(compiled.model)
    top = {key: (f"… {len(value)} layers: " + ", ".join(layer["name"] for layer in value) + " …"
                 if key in ("encoder", "decoder") else value) for key, value in document.items()}
    layer = next(layer for layer in document["decoder"] if layer["name"] == args[1])
    head = next(h for layer in document["decoder"] for sub in (layer["self_attn"], layer["cross_attn"]) if sub
                for h in sub["heads"] if h["name"] == args[2])
    compact = {key: head[key] for key in ("name", "score", "pattern", "Q", "K", "V")}
    return "\n\n".join([
        f"The top level of `turing-tx compile {args[0]} -o {args[0]}.json` (layers abbreviated):",
        "```json\n" + json_text(top, 1) + "\n```",
        f"Layer `{args[1]}` in full:",
        "```json\n" + json_text(layer, 4) + "\n```",
        f"The query, key and value maps of `{args[2]}` (normaliser left out):",
        "```json\n" + json.dumps(compact, ensure_ascii=False) + "\n```"])


def gen_report_json(args: list[str]) -> str:
    """The top level of a real report.json, and one row of ``results`` and of ``verdicts``."""
    report = _study("components")

    def shape(value: Any) -> str:
        if isinstance(value, list):
            return f"list of {len(value)}"
        if isinstance(value, dict):
            return "object: " + ", ".join(sorted(value))[:160]
        return json.dumps(value, ensure_ascii=False)

    rows = [[code(key), cell(shape(value))] for key, value in sorted(report.items())]
    result = next(r for r in report["results"] if r["protocol"] == "surgery" and r["breaks"])
    verdict = next(v for v in report["verdicts"] if v["component"] == result["ablation"]
                   and v["construction"] == result["construction"] and v["machine"] == result["machine"])
    return "\n\n".join([
        f"The report of `turing-tx {STUDIES['components']} -o DIR`: its top-level keys,",
        table(["key", "value"], rows),
        "one row of `results`,",
        "```json\n" + json_text(dict(sorted(result.items())), 1) + "\n```",
        "and the verdict that row belongs to:",
        "```json\n" + json_text(dict(sorted(verdict.items())), 2) + "\n```"])


# -- figures ----------------------------------------------------------------------------------------
def gen_figure(args: list[str], page_uri: str) -> str:
    name = args[0]
    build = _build()
    if name not in FIGURES:
        raise PluginError(f"docs: unknown figure {name!r} (known: {', '.join(FIGURES)})")
    target = posixpath.relpath(f"{GENERATED_DIR}/{name}", posixpath.dirname(page_uri) or ".")
    caption = build.figure_output[name]
    return (f"![{cell(caption)}]({target})\n\n"
            + _console([(f"{FIGURES[name]} -o {name}", caption, 0)]))


GENERATORS: dict[str, Callable[[list[str]], str]] = {
    "cli": gen_cli,
    "cli-reference": gen_cli_reference,
    "contracts": gen_contracts,
    "packages": gen_packages,
    "perez-layout": gen_perez_layout,
    "perez-outputs": gen_perez_outputs,
    "perez-layers": gen_perez_layers,
    "ss-units": gen_ss_units,
    "ss-ticks": gen_ss_ticks,
    "ss-configurations": gen_ss_configurations,
    "bh-layout": gen_bh_layout,
    "bh-outputs": gen_bh_outputs,
    "bh-layers": gen_bh_layers,
    "max-bits": gen_max_bits,
    "precision": gen_precision,
    "verdicts": gen_verdicts,
    "library-formats": gen_library_formats,
    "model-json": gen_model_json,
    "report-json": gen_report_json,
}


# -- page processing --------------------------------------------------------------------------------
def _fragment(body: str, page_uri: str) -> str:
    build = _build()
    key = body if not body.startswith("figure ") else f"{body} @{page_uri}"
    if key in build.fragments:
        return build.fragments[key]
    name, *args = shlex.split(body)
    started = time.perf_counter()
    try:
        if name == "figure":
            text = gen_figure(args, page_uri)
        elif name in GENERATORS:
            text = GENERATORS[name](args)
        else:
            raise PluginError(f"docs: {page_uri}: unknown generator {name!r} in <!-- gen: {body} -->")
    except PluginError:
        raise
    except Exception as exc:  # a generator that fails names the marker it failed on
        raise PluginError(f"docs: {page_uri}: <!-- gen: {body} --> failed: {type(exc).__name__}: {exc}") from exc
    build.timings[body] = time.perf_counter() - started
    build.fragments[key] = _check(body, text)
    return build.fragments[key]


def _run_snippet(code_text: str, page_uri: str) -> str:
    out = io.StringIO()
    namespace: dict[str, Any] = {"__name__": "__docs__"}
    try:
        with _in_directory(_build().workdir), contextlib.redirect_stdout(out):
            exec(compile(code_text, f"<{page_uri}: python exec>", "exec"), namespace)
    except Exception as exc:
        raise PluginError(f"docs: {page_uri}: a `python exec` block failed: {type(exc).__name__}: {exc}") from exc
    printed = _check(f"python exec in {page_uri}", out.getvalue().rstrip("\n"))
    return f"```python\n{code_text.rstrip()}\n```\n\nIt prints:\n\n```text\n{printed}\n```"


def _save_files(markdown: str) -> None:
    for match in FILE_BLOCK.finditer(markdown):
        (_build().workdir / match["name"]).write_text(match["body"], encoding="utf-8")


def _render_file_block(match: re.Match[str]) -> str:
    return f'```{match["lang"]} title="{match["name"]}"\n{match["body"]}```'


# -- MkDocs events ------------------------------------------------------------------------------------
def on_pre_build(config: Any) -> None:
    """A fresh working directory, and the ablation studies started in the background."""
    global _BUILD, _TEMP
    if _TEMP is not None:
        _stop_studies()
        _TEMP.cleanup()
    _TEMP = tempfile.TemporaryDirectory(prefix="turing-tx-docs-")
    _BUILD = Build(Path(_TEMP.name))
    env = {**os.environ, "PYTHONHASHSEED": "0"}
    for name, command in STUDIES.items():
        directory = _BUILD.workdir / f"study-{name}"
        argv = [sys.executable, "-m", "turing_tx", *shlex.split(command), "-o", str(directory), "--quiet"]
        process = subprocess.Popen(argv, cwd=_BUILD.workdir, env=env, stdin=subprocess.DEVNULL,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        _BUILD.studies[name] = Study(name, process, directory, time.perf_counter())


def on_files(files: Files, config: Any) -> Files:
    """Save the pages' file blocks, then draw the figures and add them to the site as generated files."""
    build = _build()
    for page in Path(config["docs_dir"]).rglob("*.md"):
        _save_files(page.read_text(encoding="utf-8"))
    for name, command in FIGURES.items():
        status, output = run_cli([*shlex.split(command), "-o", name])
        if status != 0:
            raise PluginError(f"docs: `turing-tx {command} -o {name}` exited with {status}: {output}")
        build.figure_output[name] = _check(name, output)
        files.append(File.generated(config, f"{GENERATED_DIR}/{name}", content=(build.workdir / name).read_bytes()))
    return files


def on_page_markdown(markdown: str, page: Any, config: Any, files: Files) -> str:
    """Replace markers, run ``python exec`` blocks and title ``file=`` blocks."""
    uri = page.file.src_uri
    markdown = FILE_BLOCK.sub(_render_file_block, markdown)
    markdown = EXEC_BLOCK.sub(lambda m: _run_snippet(m["code"], uri), markdown)
    markdown = MARKER.sub(lambda m: _fragment(m["body"], uri), markdown)
    if os.environ.get("TURING_TX_DOCS_DUMP"):  # the Markdown as rendered, for reviewing the generated parts
        target = Path(os.environ["TURING_TX_DOCS_DUMP"]) / uri
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(markdown, encoding="utf-8")
    return markdown


def _stop_studies() -> None:
    if _BUILD is None:
        return
    for study in _BUILD.studies.values():
        if study.process.poll() is None:
            study.process.kill()
            study.process.wait()
        if study.process.stderr is not None:
            study.process.stderr.close()


def on_post_build(config: Any) -> None:
    """Wait for (and close) every study, and report the slowest generated fragments when asked to."""
    _stop_studies_after_use()
    if os.environ.get("TURING_TX_DOCS_TIMINGS"):
        build = _build()
        for study in build.studies.values():
            print(f"docs: {study.seconds or 0:6.2f} s  study {study.name} (in the background)", file=sys.stderr)
        for body, seconds in sorted(build.timings.items(), key=lambda kv: -kv[1])[:10]:
            print(f"docs: {seconds:6.2f} s  {body}", file=sys.stderr)


def _stop_studies_after_use() -> None:
    """Studies no page asked for are still checked (so a broken study fails the build), then closed."""
    if _BUILD is None:
        return
    for study in _BUILD.studies.values():
        study.report()
    _stop_studies()


def on_build_error(error: Exception) -> None:
    """A failed build leaves no study running."""
    _stop_studies()


def on_shutdown() -> None:
    global _TEMP
    _stop_studies()
    if _TEMP is not None:
        _TEMP.cleanup()
        _TEMP = None
