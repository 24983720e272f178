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
from typing import Any

from ..flows import Flow, parse_flow
from ..flows.plan import Program, checked, plan
from ..flows.registry import Registry

PLANS_PER_ENTRY = 32


@dataclass
class Entry:
    flow: Flow
    base_dir: Any
    plans: OrderedDict[str, Program] = field(default_factory=OrderedDict)
    used: float = 0.0


class PlanCache:
    def __init__(
        self, size: int, ttl: float, registry: Registry, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.size = size
        self.ttl = ttl
        self.registry = registry
        self.clock = clock
        self._entries: OrderedDict[tuple[str, int, int], Entry] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def __len__(self) -> int:
        return len(self._entries)

    def keys(self) -> list[tuple[str, int, int]]:
        return list(self._entries)

    def entry(self, key: tuple[str, int, int], content: Callable[[], str], base_dir: Any) -> Entry:
        """The cached, validated flow of an endpoint version (parsed on a miss)."""
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
        entry = Entry(flow, base_dir, used=now)
        with self._lock:
            self._entries[key] = entry
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)
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
        program = plan(entry.flow, params, entry.base_dir, self.registry, counts=False,
                       validated=True)  # fmt: skip
        with self._lock:
            entry.plans[signature] = program
            while len(entry.plans) > PLANS_PER_ENTRY:
                entry.plans.popitem(last=False)
        return program

    def _expire(self, now: float) -> None:
        for key in [k for k, e in self._entries.items() if now - e.used > self.ttl]:
            del self._entries[key]

    def drop(self, name: str) -> None:
        with self._lock:
            for key in [k for k in self._entries if k[0] == name]:
                del self._entries[key]


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
