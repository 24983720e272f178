"""The built-in kinds' params schemas tell the designer which fields name a column of the
input (a column picker) and which hold SQL (an editor with column completion): the
`x-galilean` annotation, which the flows' own schema check ignores."""

from __future__ import annotations

from typing import Any

from galilean_services.flows.registry import default_registry
from galilean_services.flows.schema_check import conforms


def annotated(schema: Any, path: str = "") -> dict[str, str]:
    found: dict[str, str] = {}
    if not isinstance(schema, dict):
        return found
    if "x-galilean" in schema:
        port = schema.get("x-galilean-port")
        found[path] = schema["x-galilean"] + (f"@{port}" if port else "")
    for name, inner in (schema.get("properties") or {}).items():
        found.update(annotated(inner, f"{path}.{name}"))
    found.update(annotated(schema.get("items"), f"{path}[]"))
    return found


EXPECTED = {
    "control.branch": {".condition": "sql"},
    "destination.dataset": {".key[]": "column"},
    "transform.add_column": {".expression": "sql"},
    "transform.aggregate": {".group_by[]": "column", ".aggregations[].column": "column"},
    "transform.deduplicate": {".columns[]": "column"},
    "transform.fill_missing": {
        ".group_by[]": "column",
        ".order_by[].column": "column",
        ".drop_rows_missing[]": "column",
    },
    "transform.filter": {".condition": "sql"},
    "transform.join": {".on[].left": "column@left", ".on[].right": "column@right"},
    "transform.map_values": {".column": "column"},
    "transform.melt": {".id_columns[]": "column", ".value_columns[]": "column"},
    "transform.pivot": {".index[]": "column", ".column": "column", ".value": "column"},
    "transform.select": {".columns[]": "column"},
    "transform.sort": {".keys[].column": "column"},
    "transform.split_column": {".column": "column"},
    "transform.sql": {".query": "sql-query"},
    "transform.window": {
        ".column": "column",
        ".partition_by[]": "column",
        ".order_by[].column": "column",
    },
}


def test_column_and_sql_fields_are_annotated_for_the_designer() -> None:
    registry = default_registry()
    found = {
        name: marks
        for name in registry.names()
        if (marks := annotated(registry.kind_of(name).params_schema))
    }
    assert found == EXPECTED


def test_the_quick_schema_check_ignores_the_annotations() -> None:
    schema = default_registry().kind_of("transform.filter").params_schema
    assert conforms(schema, {"condition": "amount > 1"})
    assert not conforms(schema, {"condition": ""})
