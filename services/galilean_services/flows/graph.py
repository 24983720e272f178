"""The flow as a graph: which nodes feed which, and one order over them (the standard
library's graphlib; nothing here recurses, so a long chain cannot exhaust the stack)."""

from __future__ import annotations

from collections.abc import Iterable
from graphlib import CycleError, TopologicalSorter

from .issues import FlowInvalid, Issue
from .model import Flow

Parents = dict[str, list[str]]  # node → the nodes feeding it


def inputs_by_node(flow: Flow) -> dict[str, dict[str, str]]:
    """`flow.inputs_of` for every node at once (input port → upstream node)."""
    inputs: dict[str, dict[str, str]] = {}
    for edge in flow.edges:
        inputs.setdefault(edge.target, {})[edge.target_port] = edge.source
    return inputs


def parents_of(flow: Flow) -> Parents:
    """Every node of the flow, in the file's order, with the known nodes feeding it (an
    edge from an unknown node is validation's to report)."""
    known = {n.id for n in flow.nodes}
    parents: Parents = {n.id: [] for n in flow.nodes}
    for edge in flow.edges:
        feeding = parents.get(edge.target)
        if feeding is not None and edge.source in known and edge.source not in feeding:
            feeding.append(edge.source)
    return parents


def cycle_issue(loop: Iterable[str]) -> Issue:
    nodes = tuple(loop)
    return Issue("cycle", "the flow loops: " + " → ".join([*nodes, nodes[0]]), nodes=nodes)


def ordered(parents: Parents) -> list[str]:
    """Every node after the nodes feeding it; nodes ready at the same time in the order
    of `parents`. A loop is a FlowInvalid naming its nodes."""
    try:
        return list(TopologicalSorter(parents).static_order())
    except CycleError as exc:
        raise FlowInvalid([cycle_issue(_loop(exc, list(parents)))]) from None


def cycles(parents: Parents, limit: int) -> list[Issue]:
    """Each loop once (at most `limit` of them), with the nodes in it: graphlib names one
    loop at a time, so the edge closing each is set aside and the graph asked again."""
    graph = {node: list(feeding) for node, feeding in parents.items()}
    issues: list[Issue] = []
    seen: set[frozenset[str]] = set()
    for _ in range(4 * limit):  # loops over the same nodes are reported once
        try:
            TopologicalSorter(graph).prepare()
        except CycleError as exc:
            loop = _loop(exc, list(parents))
            graph[loop[0]].remove(loop[-1])  # the edge closing the loop
            if frozenset(loop) not in seen:
                seen.add(frozenset(loop))
                issues.append(cycle_issue(loop))
            if len(issues) == limit:  # one is enough to fix; thousands are noise
                break
        else:
            break
    return issues


def _loop(error: CycleError, order: list[str]) -> list[str]:
    """The nodes of the loop graphlib found, in the edges' direction, from the one that
    comes first in `order`."""
    loop: list[str] = list(error.args[1])[:-1]  # graphlib repeats the first node last
    rank = {node: i for i, node in enumerate(order)}
    start = min(range(len(loop)), key=lambda i: rank.get(loop[i], len(rank)))
    return loop[start:] + loop[:start]


def upstream_of(flow: Flow, node_id: str, held: frozenset[str] = frozenset()) -> list[str]:
    """The node and everything it depends on, parents before children; the parents of
    `held` nodes (whose rows are already in a table) are not needed."""
    inputs = inputs_by_node(flow)
    needed = {node_id}
    todo = [node_id]
    while todo:
        current = todo.pop()
        if current in held:
            continue
        for source in inputs.get(current, {}).values():
            if source not in needed:
                needed.add(source)
                todo.append(source)
    parents: Parents = {}
    for node in [n.id for n in flow.nodes if n.id in needed] + [node_id]:
        feeding = () if node in held else inputs.get(node, {}).values()
        parents.setdefault(node, list(dict.fromkeys(feeding)))
    return ordered(parents)
