"""The `.flow` file: JSON with a version, parameters, nodes and edges.

    {
      "galilean_flow": 1,
      "name": "Monthly revenue",
      "description": "",
      "parameters": [{"name": "min_amount", "type": "number", "default": 0}],
      "nodes": [{"id": "orders", "kind": "source.file",
                 "params": {"path": "orders.parquet"}, "position": {"x": 0, "y": 0}}],
      "edges": [{"id": "e1", "from": {"node": "orders", "port": "out"},
                 "to": {"node": "big", "port": "in"}}]
    }

A parameter value may be `{"$param": "min_amount"}`: the flow parameter's value at run time.
A flow parameter marked `"shared": true` may be set by others who may run the flow (a
group it is shared with); see settable.py for the parameters no one else may ever set.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .schema import FLOW_SCHEMA, MAX_EDGES, MAX_NODES
from .schema_check import conforms

if TYPE_CHECKING:
    from jsonschema import ValidationError

FLOW_VERSION = 1
# Deeper documents are refused: the checks that walk them recurse.
MAX_DEPTH = 64


class FlowFileError(ValueError):
    """A file that is not a flow: says where (`location`) and what is wrong."""

    def __init__(self, message: str, location: str) -> None:
        super().__init__(f"{location}: {message}")
        self.message = message
        self.location = location


@dataclass
class Node:
    id: str
    kind: str
    params: dict[str, Any] = field(default_factory=dict)
    position: dict[str, float] | None = None


@dataclass
class Edge:
    id: str
    source: str
    target: str
    source_port: str = "out"
    target_port: str = "in"


@dataclass
class FlowParam:
    name: str
    type: str  # string | integer | number | boolean
    default: Any = None
    description: str = ""
    # Others who may run the flow may set it (the owner always may); never for a
    # parameter that reaches a file path or a connection (see settable.py).
    shared: bool = False


@dataclass
class Flow:
    name: str
    nodes: list[Node]
    edges: list[Edge]
    parameters: list[FlowParam] = field(default_factory=list)
    description: str = ""
    version: int = FLOW_VERSION

    def node(self, node_id: str) -> Node:
        for node in self.nodes:
            if node.id == node_id:
                return node
        raise KeyError(node_id)

    def inputs_of(self, node_id: str) -> dict[str, str]:
        """Input port → upstream node id."""
        return {e.target_port: e.source for e in self.edges if e.target == node_id}

    def input_edges(self, node_id: str) -> dict[str, tuple[str, str]]:
        """Input port → (upstream node id, its output port)."""
        return {e.target_port: (e.source, e.source_port) for e in self.edges if e.target == node_id}


def _location(error: ValidationError, source: str) -> str:
    path = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in error.absolute_path)
    return f"{source}:${path}"


def _raise_schema_error(data: Any, source: str) -> None:
    """The first of `jsonschema`'s errors, as a FlowFileError (imported only now: a valid
    flow never needs it)."""
    import jsonschema

    errors = sorted(
        jsonschema.Draft202012Validator(FLOW_SCHEMA).iter_errors(data),
        key=lambda e: list(map(str, e.absolute_path)),
    )
    if errors:
        raise FlowFileError(errors[0].message, _location(errors[0], source))


def _unusable(data: Any, source: str) -> FlowFileError | None:
    """Nesting deeper than MAX_DEPTH, or text with a lone UTF-16 surrogate (no database
    stores it), with where it is; iterative, so depth cannot exhaust the stack."""

    def location(path: list[str | int]) -> str:
        where = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path)
        return f"{source}:${where}".encode("utf-8", "backslashreplace").decode("utf-8")

    stack: list[tuple[Any, list[str | int]]] = [(data, [])]
    while stack:
        value, path = stack.pop()
        if len(path) > MAX_DEPTH:
            return FlowFileError(f"nested deeper than {MAX_DEPTH} levels", location(path[:8]))
        if isinstance(value, str | dict):
            texts = [value] if isinstance(value, str) else list(value)
            if any(not _is_unicode(t) for t in texts if isinstance(t, str)):
                message = "text with a lone UTF-16 surrogate (not Unicode)"
                return FlowFileError(message, location(path))
        if isinstance(value, dict):
            stack += [(v, [*path, str(k)]) for k, v in value.items()]
        elif isinstance(value, list):
            stack += [(v, [*path, i]) for i, v in enumerate(value)]
    return None


def _is_unicode(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def parse_flow(text: str, source: str = "flow") -> Flow:
    """Parse and check the file's structure; FlowFileError says where it is wrong."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise FlowFileError(f"not JSON: {exc.msg}", f"{source}:{exc.lineno}:{exc.colno}") from None
    except RecursionError:
        raise FlowFileError(f"nested deeper than {MAX_DEPTH} levels", f"{source}:$") from None
    problem = _unusable(data, source)
    if problem is not None:
        raise problem
    if not isinstance(data, dict):
        raise FlowFileError("a flow is a JSON object", f"{source}:$")
    version = data.get("galilean_flow")
    if version != FLOW_VERSION:
        raise FlowFileError(
            f"unsupported flow version {version!r}: this Galilean reads version {FLOW_VERSION}",
            f"{source}:$.galilean_flow",
        )
    for key, limit in (("nodes", MAX_NODES), ("edges", MAX_EDGES)):
        # Before the schema, whose message would repeat the whole list.
        items = data.get(key)
        if isinstance(items, list) and len(items) > limit:
            message = f"at most {limit} {key} in a flow (this one has {len(items)}): split it"
            raise FlowFileError(message, f"{source}:$.{key}")
    if not conforms(FLOW_SCHEMA, data):
        _raise_schema_error(data, source)
    return Flow(
        name=data["name"],
        description=data.get("description", ""),
        version=version,
        parameters=[FlowParam(**p) for p in data.get("parameters", [])],
        nodes=[
            Node(n["id"], n["kind"], dict(n.get("params", {})), n.get("position"))
            for n in data["nodes"]
        ],
        edges=[
            Edge(
                e["id"],
                e["from"]["node"],
                e["to"]["node"],
                e["from"].get("port", "out"),
                e["to"].get("port", "in"),
            )
            for e in data.get("edges", [])
        ],
    )


def dump_flow(flow: Flow) -> str:
    """Stable, indented JSON: one key per line, diffs well in git."""
    data: dict[str, Any] = {
        "galilean_flow": flow.version,
        "name": flow.name,
        "description": flow.description,
        "parameters": [
            {"name": p.name, "type": p.type, "default": p.default, "description": p.description}
            | ({"shared": True} if p.shared else {})  # files without it stay as they were
            for p in flow.parameters
        ],
        "nodes": [
            {"id": n.id, "kind": n.kind, "params": n.params}
            | ({"position": n.position} if n.position else {})
            for n in flow.nodes
        ],
        "edges": [
            {
                "id": e.id,
                "from": {"node": e.source, "port": e.source_port},
                "to": {"node": e.target, "port": e.target_port},
            }
            for e in flow.edges
        ],
    }
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
