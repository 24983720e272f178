"""Published endpoints: a flow version answering HTTP calls from a cached, compiled plan.

The cache keeps, per endpoint and version, the parsed and validated flow and its plans
for the parameter values seen (compiling is most of a small flow's cost). It is bounded
in entries and drops what has not been used for `ttl` seconds.
"""

from __future__ import annotations

import json
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from ..flows import Flow, parse_flow
from ..flows.compiler import compile_node
from ..flows.plan import Program, checked, destinations, plan
from ..flows.registry import CompileContext, Registry
from ..flows.runner import connect
from ..flows.sql import to_sql

PLANS_PER_ENTRY = 32


@dataclass
class Entry:
    flow: Flow
    base_dir: Path
    # One DuckDB database per endpoint, confined to the owner's folder; each call works
    # in its own cursor (opening a database costs ~20 ms, a cursor almost nothing).
    database: duckdb.DuckDBPyConnection
    plans: OrderedDict[str, Program] = field(default_factory=OrderedDict)
    used: float = 0.0
    # Inline data, loaded once into the endpoint's database (binding a long VALUES list
    # on every call costs more than the rest of a small flow).
    constants: dict[str, str] = field(default_factory=dict)

    def close(self) -> None:
        self.database.close()


class PlanCache:
    def __init__(
        self,
        size: int,
        ttl: float,
        registry: Registry,
        clock: Callable[[], float] = time.monotonic,
        memory_limit: str = "",
    ) -> None:
        self.size = size
        self.ttl = ttl
        self.registry = registry
        self.clock = clock
        self.memory_limit = memory_limit
        self._entries: OrderedDict[tuple[str, int, int], Entry] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def keys(self) -> list[tuple[str, int, int]]:
        return list(self._entries)

    def entry(
        self, key: tuple[str, int, int], content: Callable[[], str], folder: Callable[[], Path]
    ) -> Entry:
        """The cached, validated flow of an endpoint version (parsed on a miss; `folder`
        gives the owner's folder, made if missing)."""
        now = self.clock()
        with self._lock:
            self._expire(now)
            entry = self._entries.get(key)
            if entry is not None:
                self._entries.move_to_end(key)
                entry.used = now
                self.hits += 1
                return entry
        self.misses += 1
        flow = parse_flow(content())
        checked(flow, self.registry)
        base_dir = folder()
        entry = Entry(flow, base_dir, connect(base_dir, self.memory_limit), used=now)
        load_constants(entry, self.registry)
        with self._lock:
            self._entries[key] = entry
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)[1].close()
        return entry

    def program(self, entry: Entry, params: dict[str, Any]) -> Program:
        """The plan for `params`, compiled once per distinct values. Raises FlowInvalid
        for bad parameter values (a 400 naming the parameter)."""
        signature = json.dumps(params, sort_keys=True, default=str)
        with self._lock:
            program = entry.plans.get(signature)
            if program is not None:
                entry.plans.move_to_end(signature)
                return program
        # One destination: everything in one query; several: shared results held.
        several = len(destinations(entry.flow, self.registry)) > 1
        program = plan(
            entry.flow,
            params,
            entry.base_dir,
            self.registry,
            counts=False,
            validated=True,
            hold=several,
            materialized=entry.constants,
        )
        with self._lock:
            entry.plans[signature] = program
            while len(entry.plans) > PLANS_PER_ENTRY:
                entry.plans.popitem(last=False)
        return program

    def _expire(self, now: float) -> None:
        for key in [k for k, e in self._entries.items() if now - e.used > self.ttl]:
            self._entries.pop(key).close()

    def drop(self, name: str) -> None:
        with self._lock:
            for key in [k for k in self._entries if k[0] == name]:
                self._entries.pop(key).close()

    def close(self) -> None:
        with self._lock:
            for entry in self._entries.values():
                entry.close()
            self._entries.clear()


def load_constants(entry: Entry, registry: Registry) -> None:
    for node in entry.flow.nodes:
        if registry.kind_of(node.kind).constant:
            if "$" in json.dumps(node.params):  # rows with $parameters: bound per call
                continue
            query = compile_node(
                entry.flow, node.id, CompileContext(base_dir=entry.base_dir), registry
            )
            name = f"const_{node.id}"
            entry.database.execute(f'CREATE TABLE "{name}" AS {to_sql(query)}')
            entry.constants[node.id] = name


def split_request(
    flow: Flow, query: dict[str, str], body: Any
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Flow parameters (from the query string, and from a JSON object body's keys that
    name declared parameters) and the request the request-body source sees."""
    params: dict[str, Any] = dict(query)
    declared = {p.name for p in flow.parameters}
    if isinstance(body, dict):
        for name in declared & set(body):
            params.setdefault(name, body[name])
    return params, {"query": query, "body": body}
