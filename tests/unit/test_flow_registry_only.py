"""The engine names no kind: what it needs of one (blocking, tolerant, a file sink, constant
rows, the caller's request, user code) it asks the registry. Only kinds/ spells kind
names."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import galilean_services
from galilean_services.flows.kinds import register_builtin
from galilean_services.flows.registry import Registry

SERVICES = Path(galilean_services.__file__).parent
KIND_NAME = re.compile(r"(source|transform|destination|control)\.[a-z_]+")
# The engine core, the command line, and the parts of the service that run flows.
ASKING = [
    *sorted((SERVICES / "flows").glob("*.py")),
    SERVICES / "cli.py",
    SERVICES / "flows_service" / "endpoints.py",
    SERVICES / "flows_service" / "endpoint_worker.py",
    SERVICES / "flows_service" / "network_policy.py",
    SERVICES / "flows_service" / "service.py",
]


def kind_names(path: Path) -> list[str]:
    tree = ast.parse(path.read_text())
    return [
        f"{path.name}:{node.lineno}: {node.value}"
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and KIND_NAME.fullmatch(node.value)
    ]


def test_the_engine_spells_no_kind_name() -> None:
    assert [name for path in ASKING for name in kind_names(path)] == []


def test_every_built_in_kind_lives_in_its_group_under_its_name() -> None:
    """`source.excel` is in kinds/sources/excel.py: a kind is found by its name (kinds that
    share a module name it by a common stem: sources/sql.py holds source.sql_table)."""
    registry = Registry()
    register_builtin(registry)
    groups = {"source": "sources", "transform": "transforms", "destination": "destinations"}
    for name in registry.names():
        category, stem = name.split(".")
        *_, group, module = type(registry.kind_of(name)).__module__.split(".")
        assert group == groups.get(category, category), name
        assert stem.startswith(module.rstrip("_")), name
