"""Cold start: the CLI and the kinds import no library a flow does not use, and a valid
flow is checked without `jsonschema` (whose import builds a URI grammar: most of a second),
while every problem is still worded by `jsonschema` exactly as before."""

from __future__ import annotations

import itertools
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from galilean_services.flows import parse_flow, validate
from galilean_services.flows.registry import default_registry
from galilean_services.flows.schema import FLOW_SCHEMA
from galilean_services.flows.schema_check import conforms

HEAVY = {"pandas", "sqlalchemy", "jsonschema", "rfc3987_syntax", "requests", "openpyxl"}
EXAMPLES = Path(__file__).parents[2] / "extensions/galilean_server/examples/flows"


def imported_after(code: str) -> list[str]:
    tops = "sorted({m.split('.')[0] for m in sys.modules})"
    probe = f"{code}\nimport json, sys\nprint(json.dumps({tops}))"
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=120
    )
    return sorted(set(json.loads(done.stdout.splitlines()[-1])) & HEAVY)


def test_importing_the_cli_imports_no_heavy_library() -> None:
    assert imported_after("import galilean_services.cli") == []


def test_the_services_run_worker_imports_no_heavy_library() -> None:
    assert imported_after("import galilean_services.flows_service.worker") == []


def test_loading_every_kind_imports_no_heavy_library() -> None:
    code = "from galilean_services.flows.registry import default_registry; default_registry()"
    assert imported_after(code) == []


def test_a_valid_flow_is_parsed_and_validated_without_jsonschema() -> None:
    flow = EXAMPLES / "sales_by_region.flow"
    code = (
        "from pathlib import Path\n"
        "from galilean_services.flows import parse_flow, validate\n"
        f"path = Path({str(flow)!r})\n"
        "assert validate(parse_flow(path.read_text()), base_dir=path.parent) == []"
    )
    assert imported_after(code) == []


def test_a_problem_is_still_worded_by_jsonschema() -> None:
    text = json.dumps({"galilean_flow": 1, "name": "x", "nodes": [{"id": "a"}]})
    with pytest.raises(ValueError, match=r"flow:\$\.nodes\[0\]: 'kind' is a required property"):
        parse_flow(text)
    flow = parse_flow(
        json.dumps(
            {
                "galilean_flow": 1,
                "name": "x",
                "nodes": [{"id": "s", "kind": "transform.sample", "params": {"percent": "3"}}],
            }
        )
    )
    messages = [i.message for i in validate(flow) if i.code == "param"]
    assert messages == ["percent: '3' is not of type 'number'"], messages


LEAVES: list[Any] = [
    *("", "x", "a.xlsx", "https://h/x", "^x$"),
    *(0, 1, -1, 3, 1.5, 2.0, 10**9, True, False, None),
    *([], ["a"], ["a", "a"], [1, 1.0], [{"a": 1}], {}, {"a": 1}, {"$param": "p"}),
]


def samples(schema: Any, depth: int = 0) -> list[Any]:
    """Values near the edges of `schema`, valid and not, for the differential check."""
    if not isinstance(schema, dict) or depth > 3:
        return LEAVES
    found: list[Any] = list(LEAVES) + list(schema.get("enum", [])) + [schema.get("const")]
    items = schema.get("items")
    if isinstance(items, dict):
        found += [[v] for v in samples(items, depth + 1)[:12]]
    props = schema.get("properties") or {}
    if props:
        base = {name: samples(sub, depth + 1)[-1] for name, sub in props.items()}
        required = {k: v for k, v in base.items() if k in schema.get("required", [])}
        found += [base, required, {**base, "extra": 1}]
        for name, sub in props.items():
            found += [{**base, name: v} for v in samples(sub, depth + 1)]
    return found


def schemas() -> list[tuple[str, Any]]:
    registry = default_registry()
    kinds = [(name, registry.kind_of(name).params_schema) for name in registry.names()]
    return [("flow", FLOW_SCHEMA), *kinds]


@pytest.mark.parametrize(
    ("name", "schema"), schemas(), ids=lambda v: v if isinstance(v, str) else ""
)
def test_the_quick_check_never_passes_what_jsonschema_refuses(name: str, schema: Any) -> None:
    checker = jsonschema.Draft202012Validator(schema)
    for value in itertools.islice(samples(schema), 3000):
        if conforms(schema, value):
            assert checker.is_valid(value), (name, value)


def test_the_quick_check_passes_the_example_flows() -> None:
    registry = default_registry()
    for path in EXAMPLES.glob("*.flow"):
        document = json.loads(path.read_text())
        assert conforms(FLOW_SCHEMA, document), path.name
        for node in document["nodes"]:
            kind = registry.kind_of(node["kind"])
            params = node.get("params", {})
            if "$param" not in json.dumps(params):  # validate.py stands them in first
                assert conforms(kind.params_schema, params), (path.name, node["id"])
