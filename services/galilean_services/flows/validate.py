"""`validate(flow)`: every problem at once, each naming its node or edge."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import jsonschema

from .issues import Issue
from .model import Flow
from .registry import Columns, CompileContext, Registry, default_registry

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
    cycle_issues = _cycles(flow)
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
        validator = jsonschema.Draft202012Validator(kind.params_schema)
        for error in validator.iter_errors(_without_param_refs(node.params, declared)):
            path = ".".join(str(p) for p in error.absolute_path)
            issues.append(
                Issue("param", f"{path or 'params'}: {error.message}", node=node.id, path=path)
            )
        for ref in _param_refs(node.params):
            if ref not in declared:
                issues.append(Issue("param", f"unknown flow parameter {ref!r}", node=node.id))
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


def _cycles(flow: Flow) -> list[Issue]:
    """Each cycle once, with the nodes in it (depth-first search, three colours). Iterative:
    a long chain of nodes cannot exhaust the stack."""
    children: dict[str, list[str]] = {n.id: [] for n in flow.nodes}
    for edge in flow.edges:
        if edge.source in children and edge.target in children:
            children[edge.source].append(edge.target)
    state: dict[str, int] = {}  # 1: on the path, 2: done
    issues: list[Issue] = []
    seen_cycles: set[frozenset[str]] = set()
    for root in children:
        if root in state:
            continue
        state[root] = 1
        path = [root]  # the nodes on the current path, root first
        pending = [iter(children[root])]  # each one's children not yet followed
        while pending:
            child = next(pending[-1], None)
            if child is None:  # all of the last node's children done
                pending.pop()
                state[path.pop()] = 2
            elif state.get(child) == 1:
                if len(issues) == MAX_CYCLES:  # one is enough to fix; thousands are noise
                    return issues
                loop = tuple(path[path.index(child) :])
                if frozenset(loop) not in seen_cycles:
                    seen_cycles.add(frozenset(loop))
                    issues.append(
                        Issue("cycle", "the flow loops: " + " → ".join([*loop, child]), nodes=loop)
                    )
            elif child not in state:
                state[child] = 1
                path.append(child)
                pending.append(iter(children[child]))
    return issues


def topological_order(flow: Flow) -> list[str]:
    """Every node after the nodes feeding it, otherwise in the order of the file (each
    node's parents depth-first, iteratively: a long chain cannot exhaust the stack)."""
    inputs: dict[str, list[str]] = {n.id: [] for n in flow.nodes}
    for edge in flow.edges:
        if edge.target in inputs:
            inputs[edge.target].append(edge.source)
    order: list[str] = []
    done: set[str] = set()
    for node in flow.nodes:
        if node.id in done:
            continue
        done.add(node.id)
        path = [node.id]
        pending = [iter(inputs[node.id])]
        while pending:
            parent = next(pending[-1], None)
            if parent is None:
                pending.pop()
                order.append(path.pop())
            elif parent not in done and parent in inputs:  # an unknown node: _edges says so
                done.add(parent)
                path.append(parent)
                pending.append(iter(inputs[parent]))
    return order


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
    inputs: dict[str, dict[str, str]] = {}  # flow.inputs_of for every node, made once
    for edge in flow.edges:
        inputs.setdefault(edge.target, {})[edge.target_port] = edge.source
    for node_id in topological_order(flow):
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
