"""The pipeline designer's engine, in the user's own server: the node catalogue, a flow's
problems with the columns each node gives, a node's first rows (the user's on-disk result
cache reused) and the SQL the engine runs. The flow is what the designer holds (maybe
unsaved); its files are read from the `.flow` file's folder, which must lie inside the
server's root. No web framework here: the handlers call these methods in a worker thread.
"""

from __future__ import annotations

import json
import math
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import duckdb
import pyarrow as pa
import sqlglot
from sqlglot.errors import SqlglotError

from galilean_services.connections import ConnectionStore
from galilean_services.flows import Flow, FlowFileError, Issue, parse_flow, validate
from galilean_services.flows.compiler import compile_node, resolve_params
from galilean_services.flows.disk_cache import DiskCache, default_folder, spill_root_in
from galilean_services.flows.graph import ordered, parents_of
from galilean_services.flows.issues import FlowInvalid, NodeFailed, first_line
from galilean_services.flows.lineage import ColumnNotFound, column_lineage
from galilean_services.flows.plan import Action, Program, plan
from galilean_services.flows.polars_script import polars_script
from galilean_services.flows.probe import connect
from galilean_services.flows.registry import CompileContext, Registry, default_registry
from galilean_services.flows.runner import Preview, preview_of
from galilean_services.flows.secret_refs import Remembering, scrub, scrub_all
from galilean_services.flows.sql import to_sql
from galilean_services.flows.values import jsonable
from galilean_services.folders import user_home
from galilean_services.kit.errors import NotFound, ValidationError

from .kernel.secrets_api import vault_secret

DEFAULT_LIMIT, MAX_LIMIT = 100, 1000
SAFE_INT = 2**53  # beyond it a JavaScript number loses digits: sent as text
WORKERS = 2
T = TypeVar("T")


@dataclass
class FlowRequest:
    """A request's flow, parsed, and the folder its relative paths are read from."""

    flow: Flow
    base_dir: Path


class FlowsDesigner:
    """What the /galilean/flows/* handlers call. `root_dir` is the server's root (the
    contents manager's): no flow is read from outside it."""

    def __init__(
        self,
        root_dir: Path,
        registry: Registry | None = None,
        cache_folder: Path | None = None,
        workers: int = WORKERS,
        memory_limit: str = "",
    ) -> None:
        self.root = Path(root_dir).resolve()
        self.registry = registry or default_registry()
        self.cache_folder = cache_folder
        self.memory_limit = memory_limit  # a preview's budget (either engine spills beyond)
        self.executor = ThreadPoolExecutor(workers, thread_name_prefix="galilean-flows")
        self._cache: DiskCache | None = None
        self._cache_lock = threading.Lock()

    def kinds(self) -> dict[str, Any]:
        return {"kinds": self.registry.catalogue()}

    def validate(self, body: dict[str, Any]) -> dict[str, Any]:
        """Every problem at once, and the columns of each node known before a run."""
        request = self.request(body)
        issues = validate(request.flow, self.registry, request.base_dir)
        return {
            "ok": not issues,
            "issues": [i.as_dict() for i in issues],
            "columns": self.columns(request, issues),
        }

    def preview(self, body: dict[str, Any]) -> dict[str, Any]:
        """A node's first `limit` rows and their schema; blocking nodes upstream are held
        in the user's result cache and taken from it when nothing before them changed."""
        request = self.request(body)
        node = node_of(body, request.flow, required=True)
        limit = limit_of(body)
        params = params_of(body)
        started = time.perf_counter()
        secrets = Remembering(vault_secret)  # what it gave is hidden in the answer
        result = self.run_preview(request, node, limit, params, secrets)
        elapsed = (time.perf_counter() - started) * 1000
        table = result.rows
        answer = {
            "node": node,
            "columns": [{"name": f.name, "type": str(f.type)} for f in table.schema],
            "rows": rows_of(table),
            "rows_shown": table.num_rows,
            "elapsed_ms": round(elapsed, 3),
            "reused": list(result.reused),
            "engine": result.engine,
        }
        return dict(scrub_all(answer, secrets.given))

    def code(self, body: dict[str, Any]) -> dict[str, Any]:
        """The SQL the engine runs for `node`, or for the flow's destinations; with
        `language` "polars", the same as a Polars script (polars_script.py)."""
        request = self.request(body)
        node = node_of(body, request.flow, required=False)
        if language_of(body) == "polars":
            script = planned(
                lambda: polars_script(
                    request.flow,
                    params_of(body),
                    [node] if node else None,
                    base_dir=request.base_dir,
                    registry=self.registry,
                )
            )
            return {"language": "polars", "code": script}
        program = planned(
            lambda: plan(
                request.flow,
                params_of(body),
                request.base_dir,
                self.registry,
                targets=[node] if node else None,
                counts=False,
                hold=False,
            )
        )
        return {"sql": program_sql(program)}

    def lineage(self, body: dict[str, Any]) -> dict[str, Any]:
        """Where `column` of `node` comes from and the nodes that change it on the way
        (read off the compiled query); nodes only a run could tell about are `unknown`."""
        request = self.request(body)
        node = node_of(body, request.flow, required=True)
        column = body.get("column")
        if not isinstance(column, str) or not column:
            raise ValidationError("column: a column name is required", [field("column")])
        params = params_of(body)
        issues = validate(request.flow, self.registry, request.base_dir)
        known = self.columns(request, issues)
        try:
            found = planned(
                lambda: column_lineage(
                    request.flow, node, column, known, request.base_dir, self.registry, params
                )
            )
        except ColumnNotFound as exc:
            raise ValidationError(str(exc), [field("column")]) from None
        return found.as_dict()

    def request(self, body: dict[str, Any]) -> FlowRequest:
        base_dir = self.folder_of(body.get("path"))
        return FlowRequest(flow_of(body.get("content"), str(body["path"])), base_dir)

    def folder_of(self, path: Any) -> Path:
        """The folder of the `.flow` file at `path` (relative to the server's root, as the
        contents API spells it), which must be inside the root (symlinks followed)."""
        if not isinstance(path, str) or not path.strip("/"):
            raise ValidationError("path: the .flow file's path is required", [field("path")])
        folder = (self.root / path.lstrip("/")).parent.resolve()
        if not folder.is_relative_to(self.root):
            raise ValidationError("path: not inside the server's folder", [field("path")])
        if not folder.is_dir():
            raise ValidationError(f"path: no folder {folder.name!r}", [field("path")])
        return folder

    def columns(self, request: FlowRequest, issues: list[Issue]) -> dict[str, list[str] | None]:
        """Each node's columns as DuckDB binds its compiled query (reading at most a
        file's header or a sample), or None when that cannot be known before a run."""
        found: dict[str, list[str] | None] = {n.id: None for n in request.flow.nodes}
        if any(i.code in ("cycle", "duplicate-id") for i in issues):
            return found
        try:
            ctx = CompileContext(resolve_params(request.flow, None), request.base_dir)
        except FlowInvalid:
            return found
        with connect(request.base_dir) as con:
            for number, node_id in enumerate(ordered(parents_of(request.flow))):
                found[node_id] = self.described(con, request.flow, node_id, ctx, number)
        return found

    def described(
        self,
        con: duckdb.DuckDBPyConnection,
        flow: Flow,
        node_id: str,
        ctx: CompileContext,
        number: int,
    ) -> list[str] | None:
        """The node's columns, kept in an empty table its children's queries read (so
        each node is compiled and bound once, over its inputs' tables)."""
        table = f"columns_{number}"
        try:
            query = to_sql(compile_node(flow, node_id, ctx, self.registry).limit(0))
            con.execute(f'CREATE TEMP TABLE "{table}" AS {query}')
            names = [str(row[0]) for row in con.execute(f'DESCRIBE "{table}"').fetchall()]
        except Exception:  # a hint only: what does not compile or bind is not known
            return None
        ctx.materialized[node_id] = table
        return names

    def run_preview(
        self,
        request: FlowRequest,
        node: str,
        limit: int,
        params: dict[str, Any],
        secrets: Remembering,
    ) -> Preview:
        """The engine's preview of `node`, with the held results it reused."""
        try:
            return planned(
                lambda: preview_of(
                    request.flow,
                    node,
                    limit,
                    params,
                    request.base_dir,
                    self.registry,
                    cache=self.cache(),
                    memory_limit=self.memory_limit,
                    spill_root=spill_root_in(user_home()),
                    # A connection's password may be one of the user's secrets (the vault).
                    connections=ConnectionStore(user_home(), secrets=vault_secret),
                    secrets=secrets,
                )
            )
        except NodeFailed as exc:
            message = scrub(f"{exc.node}: {exc.message}", secrets.given)
            raise ValidationError(message, [{"node": exc.node}]) from None
        except (duckdb.Error, OSError, ValueError) as exc:
            message = scrub(f"{node}: {first_line(exc)}", secrets.given)
            raise ValidationError(message, [{"node": node}]) from None

    def cache(self) -> DiskCache:
        """The user's on-disk result cache, opened on the first preview."""
        with self._cache_lock:
            if self._cache is None:
                self._cache = DiskCache(self.cache_folder or default_folder())
            return self._cache


def field(name: str) -> dict[str, str]:
    return {"field": name}


def flow_of(content: Any, source: str) -> Flow:
    """The flow the designer holds: its JSON object (or the file's text)."""
    if isinstance(content, dict):
        text = json.dumps(content)
    elif isinstance(content, str):
        text = content
    else:
        raise ValidationError("content: the flow (a JSON object) is required", [field("content")])
    try:
        return parse_flow(text, source=source)
    except FlowFileError as exc:
        raise ValidationError(str(exc), [field("content")]) from None


def node_of(body: dict[str, Any], flow: Flow, required: bool) -> str:
    node = body.get("node")
    if node is None and not required:
        return ""
    if not isinstance(node, str) or not node:
        raise ValidationError("node: a node id is required", [field("node")])
    if all(n.id != node for n in flow.nodes):
        raise NotFound(f"node: the flow has no node {node!r}", [field("node")])
    return node


def limit_of(body: dict[str, Any]) -> int:
    limit = body.get("limit", DEFAULT_LIMIT)
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_LIMIT:
        message = f"limit: a whole number from 1 to {MAX_LIMIT}"
        raise ValidationError(message, [field("limit")])
    return limit


def language_of(body: dict[str, Any]) -> str:
    language = body.get("language", "sql")
    if language not in ("sql", "polars"):
        raise ValidationError('language: "sql" or "polars"', [field("language")])
    return str(language)


def params_of(body: dict[str, Any]) -> dict[str, Any]:
    params = body.get("params", {})
    if not isinstance(params, dict):
        raise ValidationError("params: an object of flow parameter values", [field("params")])
    return params


def planned(make: Callable[[], T]) -> T:
    """`make()` (a plan, a preview), or a 400 listing the flow's problems (each naming its
    node, edge or parameter)."""
    try:
        return make()
    except FlowInvalid as exc:
        raise ValidationError(str(exc), [issue_error(i) for i in exc.issues]) from None


def issue_error(issue: Issue) -> dict[str, Any]:
    """An issue as an entry of the error's list: a parameter given wrongly names its field."""
    data = issue.as_dict()
    if issue.node is None and issue.edge is None and issue.path:
        data["field"] = f"params.{issue.path}"
    return data


def program_sql(program: Program) -> str:
    """Each step's SQL, pretty-printed, headed by a comment naming its node."""
    parts = []
    for step in program.steps:
        kind = program.kind_of(step.node).name
        if step.action is Action.EAGER:
            parts.append(f'-- {step.node} ({kind}): rows made in Python, kept as "{step.table}"')
            parts += [f"-- its input {p!r}:\n{pretty(sql)};" for p, sql in step.inputs.items()]
        else:
            parts.append(f"-- {step.node} ({kind}): {step.action.value}\n{pretty(step.sql)};")
    return "\n\n".join(parts) + "\n"


def pretty(sql: str) -> str:
    try:
        return sqlglot.transpile(sql, read="duckdb", write="duckdb", pretty=True)[0]
    except SqlglotError:
        return sql


def rows_of(table: pa.Table) -> list[list[Any]]:
    """Rows as lists in column order (two columns may share a name)."""
    columns = [column.to_pylist() for column in table.columns]
    return [plain(list(row)) for row in zip(*columns, strict=True)]


def plain(value: Any) -> Any:
    """A value as JSON a browser reads exactly: dates as ISO text, NaN and infinities and
    integers beyond 2**53 as text, nested lists and structs kept."""
    if value is None or isinstance(value, bool | str):
        return value
    if isinstance(value, int):
        return value if -SAFE_INT <= value <= SAFE_INT else str(value)
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return jsonable(value)


__all__ = ["FlowsDesigner"]
