"""One published endpoint's worker: a long-lived process, in the execution plane, that
holds the endpoint's compiled plans and its DuckDB database and answers calls one at a time.

Protocol, one JSON object per line: the service writes the endpoint
(`{"content", "base_dir", "folder", "memory_limit", "http_allow"}`: relative paths are
read in `folder` inside `base_dir`, the owner's folder, as a run reads them), the worker answers
`{"status": 200, "body": {"ready": true}}` or an error; then each call
(`{"query": {...}, "body": ...}`) gets `{"status": N, "body": {...}}` — the response the
service sends on. Errors caused by the caller are 400, by the flow itself 422 (naming the
node), never a traceback. The service kills the process to stop a call past its time.
"""

from __future__ import annotations

import json
import logging
import sys
import time
import traceback
from pathlib import Path
from typing import Any, TextIO

from ..connections import ConnectionStore
from ..errors import GalileanError, error_body
from ..flows.issues import FlowInvalid
from ..flows.net import HttpPolicy
from ..flows.registry import default_registry
from ..flows.runner import run_program
from ..flows.secret_refs import scrub_all
from ..flows.values import jsonable
from ..secrets.readers import given
from .endpoints import Entry, PlanCache, split_request
from .flow_folders import flow_folder
from .worker import table_json

MAX_ROWS = 10_000
log = logging.getLogger("galilean.flows.endpoint")


def invalid(exc: FlowInvalid, status: int = 400) -> dict[str, Any]:
    return {
        "status": status,
        "body": error_body(str(exc), status, [i.as_dict() for i in exc.issues]),
    }


class Endpoint:
    def __init__(self, spec: dict[str, Any]) -> None:
        self.registry = default_registry()
        self.cache = PlanCache(1, float("inf"), self.registry, memory_limit=spec["memory_limit"])
        home = Path(spec["base_dir"])  # the owner's folder: their connections are in it
        base_dir = flow_folder(home, str(spec.get("folder") or ""))
        self.entry: Entry = self.cache.entry(
            ("endpoint", 0, 0), lambda: str(spec["content"]), lambda: base_dir
        )
        self.policy = HttpPolicy(
            tuple(spec.get("http_allow", ())), sql_timeout=float(spec.get("sql_timeout", 60))
        )
        # The owner's secrets, given by the service when the flow opens connections or
        # sends secrets (run_secrets.secrets_for); hidden in whatever the worker answers.
        handed = {str(k): str(v) for k, v in (spec.get("secrets") or {}).items()}
        self.secrets = given(handed)
        self.connections = ConnectionStore(home, secrets=self.secrets)
        self.hidden = list(handed.values())

    def call(self, query: dict[str, str], body: Any) -> dict[str, Any]:
        began = time.perf_counter()
        params, request = split_request(self.entry.flow, query, body)
        try:
            program = self.cache.program(self.entry, params)
        except FlowInvalid as exc:
            return invalid(exc)
        cursor = self.entry.database.cursor()
        try:
            result = run_program(
                program,
                self.registry,
                con=cursor,
                http_policy=self.policy,
                request=request,
                connections=self.connections,
                secrets=self.secrets,
            )
        finally:
            cursor.close()
        if result.status != "succeeded":
            error = result.error or {}
            node = error.get("node")
            caller = bool(node) and program.kind_of(str(node)).request_input
            status = 400 if caller else 422  # the caller's request, or the flow itself
            message = f"{node or 'the flow'}: {error.get('message')}"
            problem = {"node": node, "message": error.get("message")}
            return {"status": status, "body": error_body(message, status, [problem])}
        results = {}
        for node, table in result.outputs.items():
            data = table_json(table, MAX_ROWS)
            names = [c["name"] for c in data["columns"]]
            results[node] = {
                "columns": data["columns"],
                "rows": [dict(zip(names, row, strict=True)) for row in data["rows"]],
                "total": data["total"],
                "truncated": data["total"] > MAX_ROWS,
            }
        ms = round((time.perf_counter() - began) * 1000, 2)
        return {"status": 200, "body": {"ok": True, "results": results, "ms": ms}}


def reply(out: TextIO, message: dict[str, Any]) -> None:
    out.write(json.dumps(message, default=jsonable) + "\n")
    out.flush()


def failure(exc: BaseException) -> dict[str, Any]:
    if isinstance(exc, FlowInvalid):
        return invalid(exc, 422)
    if isinstance(exc, GalileanError):
        return {"status": exc.status, "body": error_body(exc.message, exc.status, exc.errors)}
    traceback.print_exc(file=sys.stderr)  # for the service's log; the caller sees no trace
    message = f"the endpoint failed: {type(exc).__name__}"
    return {"status": 500, "body": error_body(message, 500)}


def main() -> int:
    try:
        endpoint = Endpoint(json.loads(sys.stdin.readline()))
    except Exception as exc:  # every failure reaches the service as one line
        reply(sys.stdout, failure(exc))
        return 1
    reply(sys.stdout, {"status": 200, "body": {"ready": True}})
    for line in sys.stdin:
        try:
            call = json.loads(line)
            answer = endpoint.call(call.get("query") or {}, call.get("body"))
        except Exception as exc:  # one bad call does not end the worker
            answer = failure(exc)
        reply(sys.stdout, scrub_all(answer, endpoint.hidden))
    return 0


if __name__ == "__main__":
    sys.exit(main())
