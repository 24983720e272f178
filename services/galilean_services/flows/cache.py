"""Results kept between runs, keyed by the content of the subgraph that made them.

A held result (after an aggregation, a window, a deduplication, a pivot) is stored under
a hash of every node upstream of it: kinds, parameters, the wiring, the flow parameter
values, and the identity of the files the sources read (size and modification time). Edit
a node after the aggregation and the next run reuses it; touch a node before it, or
rewrite an input file, and the key changes. Kinds whose rows can change without their
parameters changing (remote APIs, user code, request bodies) make their subgraph
uncacheable. The cache is bounded in bytes, least recently used first out.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict

import pyarrow as pa

from .graph import upstream_of
from .model import Flow
from .registry import CompileContext, Registry

DEFAULT_MAX_BYTES = 512 * 2**20


def subgraph_key(flow: Flow, node_id: str, ctx: CompileContext, registry: Registry) -> str:
    """The content hash of `node_id` and everything upstream; "" when not cacheable."""
    parts = []
    for current in upstream_of(flow, node_id):
        node = flow.node(current)
        kind = registry.get(node.kind)
        if kind is None or not kind.cacheable:
            return ""
        parts.append(
            {
                "id": current,
                "kind": node.kind,
                "params": node.params,
                "inputs": flow.inputs_of(current),
                "data": kind.fingerprint(node.params, ctx),
            }
        )
    text = json.dumps([parts, ctx.params, str(ctx.base_dir)], sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


class ResultCache:
    def __init__(self, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        self.max_bytes = max_bytes
        self._tables: OrderedDict[str, pa.Table] = OrderedDict()
        self._counts: dict[str, dict[str, int]] = {}
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, key: str) -> pa.Table | None:
        with self._lock:
            table = self._tables.get(key)
            if table is not None:
                self._tables.move_to_end(key)
            return table

    def put(self, key: str, table: pa.Table) -> None:
        size = table.nbytes
        if size > self.max_bytes // 4:  # one huge result would push everything else out
            return
        with self._lock:
            if key in self._tables:
                return
            self._tables[key] = table
            self._bytes += size
            while self._bytes > self.max_bytes:
                old_key, old = self._tables.popitem(last=False)
                self._counts.pop(old_key, None)
                self._bytes -= old.nbytes

    def counts(self, key: str) -> dict[str, int] | None:
        """Rows out of each node of the subgraph, as the run that made the result saw them."""
        with self._lock:
            return self._counts.get(key)

    def set_counts(self, key: str, counts: dict[str, int]) -> None:
        with self._lock:
            if key in self._tables:
                self._counts[key] = counts
