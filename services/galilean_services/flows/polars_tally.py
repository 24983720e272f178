"""Row counts taken as rows stream through a node, in the query that needs the node anyway.

Polars gives no per-node row counts of a query. A node whose count nothing else gives (a
filter or a join in the middle of a flow: not held, not written, not kept by the node after
it) gets a pass-through step on its frame that adds up the rows of each batch going by —
Polars's streaming engine calls it per morsel, at no measurable cost, and columns are
still pruned through it (predicates are not pushed below it: they would change the count).

Only a node whose rows go down one single chain of nodes is tallied (a frame that appears
twice in one query could be run twice and counted twice); every other count is queried.
A count is the rows the node's frame gave in the first query that ran it.
"""

from __future__ import annotations

import threading

import polars as pl

from .graph import inputs_by_node
from .model import Flow


class Tally:
    """Counters on the frames of `nodes`."""

    def __init__(self, nodes: set[str]) -> None:
        self.nodes = nodes
        self.lock = threading.Lock()
        self.rows: dict[str, int] = {}  # rows seen so far, over every query

    def wrap(self, node_id: str, frame: pl.LazyFrame) -> pl.LazyFrame:
        """`frame`, counting its rows as they go by when `node_id` is tallied."""
        if node_id not in self.nodes:
            return frame

        def count(batch: pl.DataFrame) -> pl.DataFrame:
            with self.lock:
                self.rows[node_id] = self.rows.get(node_id, 0) + batch.height
            return batch

        return frame.map_batches(
            count, streamable=True, projection_pushdown=True, validate_output_schema=False
        )

    def snapshot(self) -> dict[str, int]:
        with self.lock:
            return dict(self.rows)

    def since(self, before: dict[str, int], known: dict[str, int]) -> dict[str, int]:
        """The rows each tallied node gave in the queries run since `before`, for the
        nodes not counted yet (a node no query ran, or that gave no batch, is left out)."""
        now = self.snapshot()
        ran = {n for n, rows in now.items() if n not in before or rows > before[n]}
        return {n: now[n] - before.get(n, 0) for n in ran if n not in known}


def single_chains(flow: Flow, candidates: list[str]) -> set[str]:
    """The candidates whose rows go down one chain: each node from them on has at most
    one consumer, through its `out` port."""
    consumers: dict[str, list[tuple[str, str]]] = {}
    for edge in flow.edges:
        consumers.setdefault(edge.source, []).append((edge.target, edge.source_port))
    has_inputs = inputs_by_node(flow)
    chained: set[str] = set()
    for node in candidates:
        current, ok = node, bool(has_inputs.get(node))  # a source is counted by a query
        while ok and consumers.get(current):
            below = consumers[current]
            ok = len(below) == 1 and below[0][1] == "out"
            current = below[0][0]
        if ok:
            chained.add(node)
    return chained
