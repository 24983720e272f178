"""A dataset's lineage as a graph, from what each snapshot records of its making: the
snapshots in order (each after its parent), the flow version and run that wrote one, the
notebook, the snapshot a restore brought back, the dataset snapshot a sample was drawn
from, and what used a snapshot afterwards (an MLflow run trained on it: the service's
`uses`). Nodes have a stable `id`, a `kind` and a `label`; edges say how (`parent`,
`wrote`, `ran`, `restored`, `sampled`, `made`, `trained`)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any


class Graph:
    def __init__(self) -> None:
        self.nodes: dict[str, dict[str, Any]] = {}
        self.edges: list[dict[str, str]] = []

    def node(self, node_id: str, kind: str, label: str, **facts: Any) -> str:
        self.nodes.setdefault(node_id, {"id": node_id, "kind": kind, "label": label, **facts})
        return node_id

    def edge(self, source: str, target: str, how: str) -> None:
        found = {"from": source, "to": target, "how": how}
        if found not in self.edges:
            self.edges.append(found)

    def to_json(self) -> dict[str, Any]:
        return {"nodes": list(self.nodes.values()), "edges": self.edges}


def _origins(graph: Graph, owner: str, snap: str, origin: Mapping[str, Any]) -> None:
    if origin.get("flow"):
        flow = str(origin["flow"])
        version = str(origin.get("version") or "")
        made_by = graph.node(
            f"flow:{owner}/{flow}@{version}",
            "flow_version",
            f"{flow} v{version}".strip(),
            flow=flow,
            version=version,
        )
        if origin.get("run"):
            run = graph.node(f"run:{origin['run']}", "run", f"run {str(origin['run'])[:8]}")
            graph.edge(made_by, run, "ran")
            made_by = run
        graph.edge(made_by, snap, "wrote")
    if origin.get("notebook"):
        notebook = graph.node(
            f"notebook:{owner}/{origin['notebook']}", "notebook", str(origin["notebook"])
        )
        graph.edge(notebook, snap, "made")
    if origin.get("sampled_from"):
        source = str(origin["sampled_from"])
        number = str(origin.get("snapshot") or "")
        drawn = graph.node(
            f"snapshot:{source}#{number}",
            "snapshot",
            f"{source} #{number}",
            dataset=source,
            number=number,
        )
        graph.edge(drawn, snap, "sampled")


def _uses(graph: Graph, owner: str, name: str, uses: Iterable[Mapping[str, Any]]) -> None:
    """Each MLflow run trained on a snapshot still in the graph, with its link."""
    for use in uses:
        snap = f"snapshot:{owner}/{name}#{use['number']}"
        if use.get("kind") != "experiment_run" or snap not in graph.nodes:
            continue
        run_id = str(use["run_id"])
        run = graph.node(
            f"experiment_run:{run_id}",
            "experiment_run",
            str(use.get("run_name") or f"run {run_id[:8]}"),
            run_id=run_id,
            experiment_id=str(use.get("experiment_id") or ""),
            experiment=str(use.get("experiment") or ""),
            recorded_by=str(use.get("recorded_by") or ""),
            link=str(use.get("link") or ""),
        )
        graph.edge(snap, run, "trained")


def lineage(
    dataset: Mapping[str, Any],
    snapshots: Iterable[Mapping[str, Any]],
    uses: Iterable[Mapping[str, Any]] = (),
) -> dict[str, Any]:
    """`dataset`: the service's record (id, owner, name); `snapshots`: Snapshot.to_json()s;
    `uses`: the service's uses of them (datasets_service/uses.py public_use)."""
    graph = Graph()
    owner, name = str(dataset["owner"]), str(dataset["name"])
    root = graph.node(f"dataset:{owner}/{name}", "dataset", name, owner=owner)
    for snapshot in snapshots:
        number = int(snapshot["number"])
        snap = graph.node(
            f"snapshot:{owner}/{name}#{number}",
            "snapshot",
            f"#{number}",
            number=number,
            message=snapshot.get("message", ""),
            author=snapshot.get("author", ""),
            created_at=snapshot.get("created_at", ""),
            tags=list(snapshot.get("tags") or []),
        )
        graph.edge(root, snap, "has")
        if snapshot.get("parent"):
            graph.edge(f"snapshot:{owner}/{name}#{snapshot['parent']}", snap, "parent")
        origin = snapshot.get("origin") or {}
        if origin.get("restored"):
            graph.edge(f"snapshot:{owner}/{name}#{origin['restored']}", snap, "restored")
        _origins(graph, owner, snap, origin)
    _uses(graph, owner, name, uses)
    known = set(graph.nodes)
    graph.edges = [e for e in graph.edges if e["from"] in known and e["to"] in known]
    return graph.to_json()
