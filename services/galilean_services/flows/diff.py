"""What changed between two versions of a flow, for the designer to draw on the canvas.

Works on the `.flow` JSON (what `dump_flow` writes and the service stores), so it needs
no registry and never fails on a kind it does not know. Nodes and parameters are matched
by their id and name; edges by what they connect (source node and port → target node and
port), not by their id, which an editor may renumber without changing the graph.

    {"from": 1, "to": 2,
     "nodes": {"added": [ids], "removed": [ids],
               "changed": [{"id", "kind"?: {"from", "to"}, "params": {p: {"from", "to"}},
                            "moved": bool}]},
     "edges": {"added": [edges], "removed": [edges]},
     "parameters": {"added": [names], "removed": [names],
                    "changed": [{"name", "fields": {field: {"from", "to"}}}]},
     "flow": {"name"?: {"from", "to"}, "description"?: {"from", "to"}}}

A value absent on one side is given as null there; a param present with the value null on
one side and absent on the other counts as a change.
"""

from __future__ import annotations

from typing import Any

Change = dict[str, Any]
_MISSING = object()


def _by_key(items: Any, key: str) -> dict[str, dict[str, Any]]:
    """`items` (a list of objects) keyed by `key`; anything malformed is left out."""
    if not isinstance(items, list):
        return {}
    return {str(item[key]): item for item in items if isinstance(item, dict) and key in item}


def _change(old: Any, new: Any) -> Change:
    return {"from": None if old is _MISSING else old, "to": None if new is _MISSING else new}


def _fields(old: dict[str, Any], new: dict[str, Any], skip: tuple[str, ...] = ()) -> Change:
    """field → {from, to} for each field whose value differs (missing on one side too)."""
    changed: Change = {}
    for name in sorted(set(old) | set(new)):
        if name in skip:
            continue
        before, after = old.get(name, _MISSING), new.get(name, _MISSING)
        if before != after:
            changed[name] = _change(before, after)
    return changed


def _as_dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _node_change(old: dict[str, Any], new: dict[str, Any]) -> Change | None:
    params = _fields(_as_dict(old.get("params")), _as_dict(new.get("params")))
    moved = old.get("position") != new.get("position")
    kind = old.get("kind") != new.get("kind")
    if not (params or moved or kind):
        return None
    change: Change = {"id": str(new["id"]), "params": params, "moved": moved}
    if kind:
        change["kind"] = _change(old.get("kind"), new.get("kind"))
    return change


def _added_removed(old: dict[str, Any], new: dict[str, Any]) -> tuple[list[str], list[str]]:
    """Keys only in `new` (in its order), keys only in `old` (in its order)."""
    return [k for k in new if k not in old], [k for k in old if k not in new]


def diff_nodes(old: Any, new: Any) -> Change:
    before, after = _by_key(old, "id"), _by_key(new, "id")
    added, removed = _added_removed(before, after)
    changed = [
        c
        for node_id in after
        if node_id in before and (c := _node_change(before[node_id], after[node_id]))
    ]
    return {"added": added, "removed": removed, "changed": changed}


def _edge_key(edge: dict[str, Any]) -> tuple[Any, ...]:
    start, end = _as_dict(edge.get("from")), _as_dict(edge.get("to"))
    return (start.get("node"), start.get("port"), end.get("node"), end.get("port"))


def diff_edges(old: Any, new: Any) -> Change:
    before = {_edge_key(e): e for e in old if isinstance(e, dict)} if isinstance(old, list) else {}
    after = {_edge_key(e): e for e in new if isinstance(e, dict)} if isinstance(new, list) else {}
    return {
        "added": [e for k, e in after.items() if k not in before],
        "removed": [e for k, e in before.items() if k not in after],
    }


def diff_parameters(old: Any, new: Any) -> Change:
    before, after = _by_key(old, "name"), _by_key(new, "name")
    added, removed = _added_removed(before, after)
    changed = [
        {"name": name, "fields": fields}
        for name in after
        if name in before and (fields := _fields(before[name], after[name], skip=("name",)))
    ]
    return {"added": added, "removed": removed, "changed": changed}


def diff_flows(
    old: dict[str, Any], new: dict[str, Any], old_number: int = 0, new_number: int = 0
) -> Change:
    """What changed from `old` (version `old_number`) to `new` (version `new_number`)."""
    flow = {
        key: _change(old.get(key, _MISSING), new.get(key, _MISSING))
        for key in ("name", "description")
        if old.get(key) != new.get(key)
    }
    return {
        "from": old_number,
        "to": new_number,
        "nodes": diff_nodes(old.get("nodes"), new.get("nodes")),
        "edges": diff_edges(old.get("edges"), new.get("edges")),
        "parameters": diff_parameters(old.get("parameters"), new.get("parameters")),
        "flow": flow,
    }


def is_empty(diff: Change) -> bool:
    """True when the two versions are the same flow."""
    parts = (diff["nodes"], diff["edges"], diff["parameters"])
    return not diff["flow"] and not any(v for part in parts for v in part.values())
