"""What the HTTP API does, without HTTP: each method checks the caller's scope and access,
then calls the store, the run manager, the plan cache or the scheduler."""

from __future__ import annotations

import asyncio
import json
import re
import time
from typing import Any

import duckdb

from ..connections import ConnectionStore
from ..errors import Forbidden, GalileanError, ValidationError
from ..flows import FlowFileError, dump_flow, parse_flow
from ..flows.compiler import resolve_params
from ..flows.issues import FlowInvalid
from ..flows.net import HttpPolicy
from ..flows.plan import Program
from ..flows.registry import Registry, default_registry
from ..flows.runner import run_program
from ..flows.validate import validate
from .access import Caller, changeable, visible
from .config import ServiceConfig
from .endpoints import PlanCache, split_request
from .executor import RunManager
from .scheduler import MISSED_POLICIES, Scheduler, check_cron, next_after
from .store import Store
from .worker import table_json

ENDPOINT_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
MAX_ENDPOINT_ROWS = 10_000


def invalid_flow(exc: FlowInvalid) -> ValidationError:
    return ValidationError(str(exc), [i.as_dict() for i in exc.issues])


def _text(body: dict[str, Any], key: str, default: str | None = None, limit: int = 255) -> str:
    value = body.get(key, default)
    if not isinstance(value, str) or (default is None and not value.strip()):
        raise ValidationError(f"{key}: a non-empty text is required", [{"field": key}])
    if len(value) > limit:
        raise ValidationError(f"{key}: at most {limit} characters", [{"field": key}])
    return value


def _groups(body: dict[str, Any]) -> list[str] | None:
    groups = body.get("groups")
    if groups is None:
        return None
    if not isinstance(groups, list) or not all(isinstance(g, str) and g for g in groups):
        raise ValidationError("groups: a list of group names is required", [{"field": "groups"}])
    return groups


def _params(body: dict[str, Any]) -> dict[str, Any]:
    params = body.get("params") or {}
    if not isinstance(params, dict):
        raise ValidationError("params: an object of parameter values", [{"field": "params"}])
    return params


def _check_params(content: str, params: dict[str, Any]) -> None:
    """Wrong or unknown parameters of a version: a 400 naming them."""
    try:
        resolve_params(parse_flow(content), params)
    except FlowInvalid as exc:
        raise invalid_flow(exc) from None


def _version_number(body: dict[str, Any]) -> int | None:
    version = body.get("version")
    if version is not None and (isinstance(version, bool) or not isinstance(version, int)):
        raise ValidationError("version: a version number or null", [{"field": "version"}])
    return version


class FlowsService:
    def __init__(self, config: ServiceConfig, registry: Registry | None = None) -> None:
        self.config = config
        self.registry = registry or default_registry()
        self.store = Store(config.db_url)
        self.runs = RunManager(self.store, config)
        self.plans = PlanCache(
            config.plan_cache_size, config.plan_cache_ttl, self.registry,
            memory_limit=config.memory_limit,
        )  # fmt: skip
        self.scheduler = Scheduler(self.store, self._scheduled_run)
        self.http_policy = HttpPolicy(config.http_allow)
        self._endpoints: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {}

    # -- flows ---------------------------------------------------------------------------
    def _content(self, body: dict[str, Any]) -> str:
        raw = body.get("flow")
        if raw is None:
            raise ValidationError("flow: the .flow document is required", [{"field": "flow"}])
        text = raw if isinstance(raw, str) else json.dumps(raw)
        try:
            flow = parse_flow(text, source="flow")
        except FlowFileError as exc:
            raise ValidationError(str(exc), [{"field": "flow", "location": exc.location}]) from None
        issues = validate(flow, self.registry)
        if issues:
            raise invalid_flow(FlowInvalid(issues))
        return dump_flow(flow)

    def list_flows(self, caller: Caller) -> list[dict[str, Any]]:
        caller.need("read")
        return [f for f in self.store.list_flows() if caller.sees(f)]

    def create_flow(self, caller: Caller, body: dict[str, Any]) -> dict[str, Any]:
        caller.need("write")
        self._changed()
        content = self._content(body)
        name = body.get("name") or json.loads(content)["name"]
        return self.store.create_flow(
            caller.name, _text({"name": name}, "name"), content,
            _text(body, "description", "", 10_000), _groups(body) or [],
        )  # fmt: skip

    def flow(self, caller: Caller, flow_id: int) -> dict[str, Any]:
        caller.need("read")
        flow = visible(caller, self.store.flow(flow_id))
        flow["endpoint"] = self.store.endpoint_of(flow_id)
        flow["schedule"] = self.store.schedule_of(flow_id)
        return flow

    def update_flow(self, caller: Caller, flow_id: int, body: dict[str, Any]) -> dict[str, Any]:
        caller.need("write")
        self._changed()
        changeable(caller, self.store.flow(flow_id))
        fields: dict[str, Any] = {"groups": _groups(body)}
        if "name" in body:
            fields["name"] = _text(body, "name")
        if "description" in body:
            fields["description"] = _text(body, "description", "", 10_000)
        return self.store.update_flow(flow_id, **fields)

    def delete_flow(self, caller: Caller, flow_id: int) -> None:
        caller.need("write")
        self._changed()
        changeable(caller, self.store.flow(flow_id))
        endpoint = self.store.endpoint_of(flow_id)
        if endpoint:
            self.plans.drop(endpoint["name"])
        self.store.delete_flow(flow_id)

    # -- versions ------------------------------------------------------------------------
    def add_version(self, caller: Caller, flow_id: int, body: dict[str, Any]) -> dict[str, Any]:
        caller.need("write")
        self._changed()
        changeable(caller, self.store.flow(flow_id))
        number = self.store.add_version(
            flow_id, self._content(body), caller.name, _text(body, "message", "", 2000)
        )
        return self.version(caller, flow_id, number)

    def versions(self, caller: Caller, flow_id: int) -> list[dict[str, Any]]:
        caller.need("read")
        visible(caller, self.store.flow(flow_id))
        return self.store.versions(flow_id)

    def version(self, caller: Caller, flow_id: int, number: int | None) -> dict[str, Any]:
        caller.need("read")
        visible(caller, self.store.flow(flow_id))
        version = self.store.version(flow_id, number)
        version["flow"] = json.loads(version.pop("content"))
        return version

    # -- runs ----------------------------------------------------------------------------
    def start_run(self, caller: Caller, flow_id: int, body: dict[str, Any]) -> dict[str, Any]:
        caller.need("run")
        flow = visible(caller, self.store.flow(flow_id))
        return self._start(flow, _version_number(body), _params(body), caller.name, "manual")

    def _start(
        self, flow: dict[str, Any], number: int | None, params: dict[str, Any], caller: str,
        trigger: str,
    ) -> dict[str, Any]:  # fmt: skip
        version = self.store.version(flow["id"], number)
        _check_params(version["content"], params)  # the caller's to fix, before anything runs
        run_id = self.store.create_run(flow["id"], version["number"], caller, trigger, params)
        # Everything runs as the flow's owner: the owner's folder, whoever started it.
        self.runs.start(run_id, version["content"], params, self.config.files_of(flow["owner"]))
        return self.store.run(run_id)

    def runs_of(self, caller: Caller, flow_id: int) -> list[dict[str, Any]]:
        caller.need("read")
        visible(caller, self.store.flow(flow_id))
        return self.store.list_runs(flow_id)

    def run(self, caller: Caller, run_id: str) -> dict[str, Any]:
        caller.need("read")
        run = self.store.run(run_id)
        visible(caller, self.store.flow(run["flow_id"]))
        return run

    async def cancel(self, caller: Caller, run_id: str) -> dict[str, Any]:
        caller.need("run")
        run = self.store.run(run_id)
        visible(caller, self.store.flow(run["flow_id"]))
        if not await self.runs.cancel(run_id):
            raise GalileanError(
                f"run {run_id} already {run['status']}", [{"field": "run_id"}], status=409
            )
        return self.store.run(run_id)

    # -- endpoints -----------------------------------------------------------------------
    def publish(self, caller: Caller, flow_id: int, body: dict[str, Any]) -> dict[str, Any]:
        caller.need("write")
        self._changed()
        changeable(caller, self.store.flow(flow_id))
        name = _text(body, "name", None, 64)
        if not ENDPOINT_NAME.match(name):
            raise ValidationError(
                "name: lower-case letters, digits, '-' and '_' (64 at most)", [{"field": "name"}]
            )
        public = body.get("public", False)
        if not isinstance(public, bool):
            raise ValidationError("public: true or false", [{"field": "public"}])
        number = _version_number(body)
        self.store.version(flow_id, number)  # 404 for a version that does not exist
        old = self.store.endpoint_of(flow_id)
        if old:
            self.plans.drop(old["name"])
        self.plans.drop(name)
        return self.store.set_endpoint(flow_id, name, number, public)

    def endpoint(self, caller: Caller, flow_id: int) -> dict[str, Any] | None:
        caller.need("read")
        visible(caller, self.store.flow(flow_id))
        return self.store.endpoint_of(flow_id)

    def unpublish(self, caller: Caller, flow_id: int) -> None:
        caller.need("write")
        self._changed()
        changeable(caller, self.store.flow(flow_id))
        old = self.store.endpoint_of(flow_id)
        if old:
            self.plans.drop(old["name"])
        self.store.delete_endpoint(flow_id)

    async def execute(
        self, caller: Caller | None, name: str, query: dict[str, str], body: Any
    ) -> dict[str, Any]:
        endpoint, flow = self._published(name)
        if not endpoint["public"]:
            if caller is None:
                raise GalileanError(
                    f"endpoint {name!r} needs a hub API token with the custom:flows:execute "
                    "scope (Authorization: token …)", status=401,
                )  # fmt: skip
            caller.need("execute")
            if not caller.sees(flow):  # the endpoint's name is public; its flow is not
                raise Forbidden(
                    f"endpoint {name!r} belongs to another user and is not shared with you"
                )
        number = endpoint["version"] or flow["latest"]
        key = (name, flow["id"], number)

        def content() -> str:
            return str(self.store.version(flow["id"], number)["content"])

        entry = self.plans.entry(key, content, lambda: self.config.files_of(flow["owner"]))
        params, request = split_request(entry.flow, query, body)
        try:
            program = self.plans.program(entry, params)
        except FlowInvalid as exc:
            raise invalid_flow(exc) from None
        cursor = entry.database.cursor()
        # Past the time limit DuckDB is interrupted: the call ends with a 504.
        alarm = asyncio.get_running_loop().call_later(
            self.config.endpoint_timeout, cursor.interrupt
        )
        connections = ConnectionStore(entry.base_dir)
        try:
            return await asyncio.to_thread(
                self._execute_program, cursor, program, request, connections
            )
        finally:
            alarm.cancel()
            cursor.close()

    def _published(self, name: str) -> tuple[dict[str, Any], dict[str, Any]]:
        """The endpoint and its flow, remembered until this service changes either (it
        is their only writer): two database reads less on every call."""
        found = self._endpoints.get(name)
        if found is None:
            endpoint = self.store.endpoint(name)
            found = self._endpoints[name] = (endpoint, self.store.flow(endpoint["flow_id"]))
        return found

    def _changed(self) -> None:
        self._endpoints.clear()

    def _execute_program(
        self,
        con: duckdb.DuckDBPyConnection,
        program: Program,
        request: dict[str, Any],
        connections: ConnectionStore,
    ) -> dict[str, Any]:
        began = time.perf_counter()
        result = run_program(
            program, self.registry, con=con, http_policy=self.http_policy, request=request,
            connections=connections,
        )  # fmt: skip
        if result.status != "succeeded":
            error = result.error or {}
            node = error.get("node")
            status = 400 if node and program.flow.node(node).kind == "source.request" else 500
            if isinstance(error.get("message"), str) and "INTERRUPT" in error["message"].upper():
                status, error["message"] = 504, f"took more than {self.config.endpoint_timeout} s"
            raise GalileanError(
                f"{node or 'the flow'}: {error.get('message')}",
                [{"node": node, "message": error.get("message")}], status=status,
            )  # fmt: skip
        results = {}
        for node, table in result.outputs.items():
            data = table_json(table, MAX_ENDPOINT_ROWS)
            names = [c["name"] for c in data["columns"]]
            results[node] = {
                "columns": data["columns"],
                "rows": [dict(zip(names, row, strict=True)) for row in data["rows"]],
                "total": data["total"],
                "truncated": data["total"] > MAX_ENDPOINT_ROWS,
            }
        return {
            "ok": True,
            "results": results,
            "ms": round((time.perf_counter() - began) * 1000, 2),
        }

    # -- schedules -----------------------------------------------------------------------
    def set_schedule(self, caller: Caller, flow_id: int, body: dict[str, Any]) -> dict[str, Any]:
        caller.need("write")
        self._changed()
        changeable(caller, self.store.flow(flow_id))
        cron = _text(body, "cron", None, 128)
        check_cron(cron)
        missed = body.get("missed", "once")
        if missed not in MISSED_POLICIES:
            raise ValidationError("missed: 'once' or 'skip'", [{"field": "missed"}])
        params = _params(body)
        number = _version_number(body)
        _check_params(self.store.version(flow_id, number)["content"], params)
        enabled = body.get("enabled", True)
        if not isinstance(enabled, bool):
            raise ValidationError("enabled: true or false", [{"field": "enabled"}])
        return self.store.set_schedule(
            flow_id, cron=cron, version=number, params=params, missed=missed, enabled=enabled,
            next_run=next_after(cron, time.time()),
        )  # fmt: skip

    def schedule(self, caller: Caller, flow_id: int) -> dict[str, Any] | None:
        caller.need("read")
        visible(caller, self.store.flow(flow_id))
        return self.store.schedule_of(flow_id)

    def unschedule(self, caller: Caller, flow_id: int) -> None:
        caller.need("write")
        self._changed()
        changeable(caller, self.store.flow(flow_id))
        self.store.delete_schedule(flow_id)

    def _scheduled_run(self, schedule: dict[str, Any], trigger: str) -> None:
        flow = self.store.flow(schedule["flow_id"])
        self._start(flow, schedule["version"], schedule["params"], flow["owner"], trigger)

    def catalogue(self) -> list[dict[str, Any]]:
        return self.registry.catalogue()
