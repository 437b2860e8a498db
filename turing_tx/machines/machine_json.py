"""A Turing machine as plain JSON (names and the full table), as model files carry it in their
metadata so that a model records the machine it was compiled from."""

from __future__ import annotations

from typing import Any

from turing_tx.errors import MachineError, ModelFormatError
from turing_tx.io.strict_json import JsonReader
from turing_tx.machines.machine import Entry, TuringMachine


def machine_to_json(machine: TuringMachine) -> dict[str, Any]:
    """A machine as plain JSON: names and the full table (entries as [write, move, next, flags])."""
    def entry(e: Entry) -> dict[str, Any]:
        out: dict[str, Any] = {"write": e.write, "move": e.move}
        out["next"] = machine.states[e.next_state] if e.next_state is not None else None
        if e.halt is not None:
            out["halt"] = e.halt
        if e.undefined:
            out["undefined"] = True
        if e.implicit:
            out["implicit"] = True
        return out

    return {"name": machine.name, "symbols": list(machine.symbols), "states": list(machine.states),
            "halts": list(machine.halts), "table": [[entry(e) for e in row] for row in machine.table],
            "added_states": sorted(machine.added_states)}


def machine_from_json(data: Any, source: str = "<model>") -> TuringMachine:
    """The inverse of :func:`machine_to_json` (errors name the JSON path)."""
    reader = JsonReader(source, ModelFormatError)
    path = "/metadata/machine"
    states = reader.get(data, "states", path, list)
    table_data: list[Any] = reader.get(data, "table", path, list)

    def entry(obj: Any, where: str) -> Entry:
        target = obj.get("next") if isinstance(obj, dict) else None
        if target is not None and target not in states:
            raise reader.fail(f"{where}/next", f"unknown state {target!r}")
        return Entry(reader.get(obj, "write", where, int), reader.get(obj, "move", where, str),
                     None if target is None else states.index(target), obj.get("halt"),
                     bool(obj.get("undefined", False)), bool(obj.get("implicit", False)))

    try:
        return TuringMachine(
            symbols=tuple(reader.get(data, "symbols", path, list)), states=tuple(states),
            halts=tuple(reader.get(data, "halts", path, list)),
            table=tuple(tuple(entry(e, f"{path}/table/{q}/{a}") for a, e in enumerate(row))
                        for q, row in enumerate(table_data)),
            name=str(data.get("name", "")), added_states=frozenset(data.get("added_states", [])))
    except MachineError as exc:
        raise reader.fail(path, str(exc)) from None
