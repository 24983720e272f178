"""`validate(flow)`: every problem at once, each naming its node or edge."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

from .graph import cycles, inputs_by_node, ordered, parents_of
from .issues import Issue
from .model import Flow
from .registry import Columns, CompileContext, Registry, default_registry
from .schema_check import conforms
from .secret_refs import misplaced_secrets

# The loops reported at most: a flow of a few thousand edges can hold thousands of them.
MAX_CYCLES = 20


def validate(
    flow: Flow, registry: Registry | None = None, base_dir: Path | None = None
) -> list[Issue]:
    """Every problem of the flow. With `base_dir` (the flow's folder), the columns of its
    files are read from their headers, so a misspelled column is found at the node that
    names it before anything runs."""
    registry = registry or default_registry()
    issues: list[Issue] = []
    issues += _duplicates(flow)
    param_issues = _kinds_and_params(flow, registry)
    issues += param_issues
    issues += _edges(flow, registry)
    cycle_issues = cycles(parents_of(flow), MAX_CYCLES)
    issues += cycle_issues
    if not cycle_issues:
        # A node of an unknown kind, or whose params do not fit its kind's schema, is not
        # given to its kind's checks (they may assume the schema); its columns are unknown.
        unchecked = {i.node for i in param_issues if i.node is not None}
        issues += _columns(flow, registry, unchecked, base_dir)
    return issues


def _duplicates(flow: Flow) -> list[Issue]:
    issues = []
    for node_id, count in Counter(n.id for n in flow.nodes).items():
        if count > 1:
            issues.append(
                Issue("duplicate-id", f"{count} nodes have the id {node_id!r}", node=node_id)
            )
    for edge_id, count in Counter(e.id for e in flow.edges).items():
        if count > 1:
            issues.append(
                Issue("duplicate-id", f"{count} edges have the id {edge_id!r}", edge=edge_id)
            )
    names = Counter(p.name for p in flow.parameters)
    for name, count in names.items():
        if count > 1:
            issues.append(Issue("duplicate-id", f"parameter {name!r} is declared {count} times"))
    return issues


def _kinds_and_params(flow: Flow, registry: Registry) -> list[Issue]:
    issues = []
    declared = {p.name for p in flow.parameters}
    for node in flow.nodes:
        kind = registry.get(node.kind)
        if kind is None:
            issues.append(Issue("unknown-kind", f"unknown node kind {node.kind!r}", node=node.id))
            continue
        issues += _param_issues(node.id, kind.params_schema, node.params, declared)
        for ref in _param_refs(node.params):
            if ref not in declared:
                issues.append(Issue("param", f"unknown flow parameter {ref!r}", node=node.id))
    return issues


def _param_issues(
    node_id: str, schema: dict[str, Any], params: dict[str, Any], declared: set[str]
) -> list[Issue]:
    """The parameters' problems by the kind's schema (`jsonschema`, imported only when
    the quick check finds one). A misplaced secret is said plainly, in its place of the
    schema's "not valid under any of the given schemas"."""
    misplaced = misplaced_secrets(schema, params)
    if misplaced:
        return [
            Issue("param", f"{path or 'params'}: {message}", node=node_id, path=path)
            for path, message in misplaced
        ]
    value = _without_param_refs(params, declared)
    if conforms(schema, value):
        return []
    import jsonschema

    issues = []
    for error in jsonschema.Draft202012Validator(schema).iter_errors(value):
        path = ".".join(str(p) for p in error.absolute_path)
        issues.append(
            Issue("param", f"{path or 'params'}: {error.message}", node=node_id, path=path)
        )
    return issues


def _param_refs(value: Any) -> list[str]:
    if isinstance(value, dict):
        if set(value) == {"$param"}:
            return [str(value["$param"])]
        return [r for v in value.values() for r in _param_refs(v)]
    if isinstance(value, list):
        return [r for v in value for r in _param_refs(v)]
    return []


def _without_param_refs(value: Any, declared: set[str]) -> Any:
    """Parameter references stand for a value of the right type: check the rest."""
    if isinstance(value, dict):
        if set(value) == {"$param"}:
            return "x"
        return {k: _without_param_refs(v, declared) for k, v in value.items()}
    if isinstance(value, list):
        return [_without_param_refs(v, declared) for v in value]
    return value


def _edges(flow: Flow, registry: Registry) -> list[Issue]:
    issues = []
    nodes = {n.id: n for n in flow.nodes}
    fed: Counter[tuple[str, str]] = Counter()
    for edge in flow.edges:
        for end, node_id in (("from", edge.source), ("to", edge.target)):
            if node_id not in nodes:
                issues.append(Issue("edge", f"edge {end} unknown node {node_id!r}", edge=edge.id))
        issues += _port_issue(edge, edge.target, edge.target_port, "input", nodes, registry)
        issues += _port_issue(edge, edge.source, edge.source_port, "output", nodes, registry)
        fed[(edge.target, edge.target_port)] += 1
    for (node_id, port), count in fed.items():
        if count > 1:
            issues.append(Issue("edge", f"input {port!r} has {count} edges", node=node_id))
    for node in flow.nodes:
        kind = registry.get(node.kind)
        for port in kind.inputs if kind else ():
            if (node.id, port) not in fed:
                issues.append(
                    Issue("missing-input", f"input {port!r} is not connected", node=node.id)
                )
    return issues


def _port_issue(
    edge: Any, node_id: str, port: str, side: str, nodes: dict[str, Any], registry: Registry
) -> list[Issue]:
    """An edge end naming a port its node's kind does not have (`side`: input or output)."""
    node = nodes.get(node_id)
    kind = registry.get(node.kind) if node else None
    ports = (kind.inputs if side == "input" else kind.outputs) if kind else ()
    if kind is None or port in ports:
        return []
    listed = ", ".join(ports) or "none"
    message = f"{node_id!r} has no {side} {port!r} ({side}s: {listed})"
    return [Issue("edge", message, edge=edge.id, node=node_id)]


def _columns(
    flow: Flow, registry: Registry, unchecked: set[str], base_dir: Path | None
) -> list[Issue]:
    """Columns that do not exist upstream, where the upstream schema is known (schemas
    flow node by node, from sources whose columns are declared or, given `base_dir`,
    read from their files); the nodes in `unchecked` (already found wrong) are skipped,
    their columns unknown."""
    probing = CompileContext(base_dir=base_dir) if base_dir is not None else None
    known: dict[str, Columns] = {}
    issues = []
    nodes = {n.id: n for n in flow.nodes}
    inputs = inputs_by_node(flow)
    for node_id in ordered(parents_of(flow)):
        node = nodes[node_id]
        kind = registry.get(node.kind)
        if kind is None or node_id in unchecked:
            known[node_id] = None
            continue
        upstream = {port: known.get(src) for port, src in inputs.get(node_id, {}).items()}
        for port in kind.inputs:
            upstream.setdefault(port, None)
        try:
            for path, message in kind.check(node.params, upstream):
                issues.append(
                    Issue(
                        "unknown-column" if "does not exist" in message else "param",
                        message,
                        node=node_id,
                        path=path,
                    )
                )
            known[node_id] = kind.columns(node.params, upstream)
            if known[node_id] is None and probing is not None and not issues_at(issues, node_id):
                known[node_id] = kind.probe(node.params, probing)
        except (KeyError, TypeError, AttributeError):
            # A `$param` reference where a kind's check reads a text or a list: the value
            # is known only at run time (then checked again).
            known[node_id] = None
    return issues


def issues_at(issues: list[Issue], node_id: str) -> bool:
    return any(i.node == node_id for i in issues)
