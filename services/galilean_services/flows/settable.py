"""Which flow parameters someone other than the flow's owner may set.

A flow runs with its owner's files and saved connections, whoever starts it. A group
member running a shared flow (or another user calling its endpoint) may therefore set
only the parameters the owner marked `"shared": true`, and never one that reaches a
file path or a connection, shared or not: set by someone else, it would point the
owner's rights at something the owner never chose (`{"file": ".galilean/connections.json"}`
read the owner's database passwords). The owner may set anything.

A parameter reaches a file path or a connection when a node uses it (as
`{"$param": "name"}`, or `:name` in SQL text):
- in a field that names what the node reads, writes or connects to: `path`,
  `connection`, `url`, `table`, `schema`, or a field whose JSON Schema declares a
  `format` of `path`, `uri` or `uri-reference` (how a third-party kind says so);
- anywhere in a node that talks to a connection or a URL (it has a `connection` or a
  URL field): a value bound into a query can still name a file (DuckDB's
  `read_text(:name)`), and headers and query strings go to the owner's server with the
  owner's credentials.
Kinds the registry does not know are treated as reaching everything they use.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from ..errors import Forbidden
from .model import Flow
from .registry import NodeKind, Registry, default_registry

# Node parameters that name what a node reads, writes or connects to.
REACHING_FIELDS = frozenset({"path", "connection", "url", "table", "schema"})
# JSON Schema formats by which a kind declares one of its own fields path- or URL-like.
REACHING_FORMATS = frozenset({"path", "uri", "uri-reference", "iri", "iri-reference"})
# Fields that make the whole node talk to something outside the flow.
CONNECTING_FIELDS = frozenset({"connection", "url"})
# `:name` as SQLAlchemy and sqlglot read it (not `::type`, not an escaped `\:`).
_COLON_NAME = re.compile(r"(?<![:\w\\]):(\w+)")


def _references(value: Any, declared: set[str]) -> Iterator[str]:
    """Flow parameters used in `value`: `{"$param": name}` and `:name` in text."""
    if isinstance(value, dict):
        if set(value) == {"$param"}:
            yield str(value["$param"])
            return
        for item in value.values():
            yield from _references(item, declared)
    elif isinstance(value, list):
        for item in value:
            yield from _references(item, declared)
    elif isinstance(value, str) and ":" in value:
        yield from (n for n in _COLON_NAME.findall(value) if n in declared)


def _reaching_fields(kind: NodeKind | None) -> tuple[frozenset[str], bool]:
    """(fields that name a file or a connection, whether the node connects out)."""
    if kind is None:
        return frozenset(), True
    properties = kind.params_schema.get("properties", {})
    formats = {
        name: schema.get("format")
        for name, schema in properties.items()
        if isinstance(schema, Mapping) and schema.get("format") in REACHING_FORMATS
    }
    urls = {name for name, form in formats.items() if form != "path"}
    connects = bool(CONNECTING_FIELDS & set(properties)) or bool(urls)
    return REACHING_FIELDS | frozenset(formats), connects


def _under_fields(params: Any, fields: frozenset[str], declared: set[str]) -> Iterator[str]:
    """References under any key in `fields`, at any depth of a node's parameters."""
    if isinstance(params, dict) and set(params) != {"$param"}:
        for key, value in params.items():
            if key in fields:
                yield from _references(value, declared)
            else:
                yield from _under_fields(value, fields, declared)
    elif isinstance(params, list):
        for item in params:
            yield from _under_fields(item, fields, declared)


def reaching(flow: Flow, registry: Registry | None = None) -> dict[str, str]:
    """Each flow parameter that reaches a file path or a connection → where (the first
    node that uses it so, for the message)."""
    registry = registry or default_registry()
    declared = {p.name for p in flow.parameters}
    found: dict[str, str] = {}
    for node in flow.nodes:
        kind = registry.get(node.kind)
        fields, connects = _reaching_fields(kind)
        connects = connects or bool(CONNECTING_FIELDS & set(node.params))
        names = (
            _references(node.params, declared)
            if connects
            else _under_fields(node.params, fields, declared)
        )
        for name in names:
            if name in declared:
                found.setdefault(name, f"node {node.id!r} ({node.kind})")
    return found


def check_settable(
    flow: Flow, params: Mapping[str, Any], by_owner: bool, registry: Registry | None = None
) -> None:
    """Forbidden (403, each refused parameter as `params.<name>`) when someone other than
    the owner sets a parameter that is not `shared`, or one that reaches a file path or a
    connection. A value equal to the parameter's default changes nothing and passes;
    names the flow does not declare are left to the parameter check (400)."""
    if by_owner or not params:
        return
    declared = {p.name: p for p in flow.parameters}
    reach = reaching(flow, registry)
    refused: list[dict[str, Any]] = []
    for name in sorted(params):
        param = declared.get(name)
        value = params[name]
        if param is None or (type(value) is type(param.default) and value == param.default):
            continue
        if name in reach:
            why = (
                f"parameter {name!r} reaches a file path or a connection ({reach[name]}): "
                "only the flow's owner may set it"
            )
        elif not param.shared:
            why = f"parameter {name!r} is not shared: only the flow's owner may set it"
        else:
            continue
        refused.append({"field": f"params.{name}", "message": why})
    if refused:
        more = f" (and {len(refused) - 1} more)" if len(refused) > 1 else ""
        raise Forbidden(refused[0]["message"] + more, refused)
