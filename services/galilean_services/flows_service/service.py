"""What the HTTP API does, without HTTP: each method checks the caller's scope and access,
then calls the store, the run manager, the plan cache or the scheduler."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from ..execution.plane import Plane, make_plane
from ..flows import Flow, FlowFileError, dump_flow, parse_flow
from ..flows.compiler import resolve_params
from ..flows.issues import FlowInvalid
from ..flows.registry import Registry, default_registry
from ..flows.settable import check_settable
from ..flows.validate import validate
from ..kit import body as body_checks
from ..kit.errors import Forbidden, GalileanError, NotFound, ValidationError
from . import schedule_preview, versions
from .access import OWNER_ONLY, Caller, changeable, owned, visible
from .config import ServiceConfig
from .endpoint_calls import CallLog
from .endpoint_pool import EndpointPool
from .endpoints import split_request
from .executor import RunManager
from .flow_folders import folder_of
from .mlflow_record import MlflowRecorder
from .run_secrets import OwnerSecrets
from .scheduler import MISSED_POLICIES, Scheduler, check_cron
from .store import Store

ENDPOINT_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")


def invalid_flow(exc: FlowInvalid) -> ValidationError:
    return ValidationError(str(exc), [i.as_dict() for i in exc.issues])


def _groups(body: dict[str, Any]) -> list[str] | None:
    return body_checks.names(body, "groups", "group names")


def _params(body: dict[str, Any]) -> dict[str, Any]:
    return body_checks.mapping(body, "params", "parameter values")


def _check_params(flow: Flow, params: dict[str, Any]) -> None:
    """Wrong or unknown parameters of a version: a 400 naming them."""
    try:
        resolve_params(flow, params)
    except FlowInvalid as exc:
        raise invalid_flow(exc) from None


class FlowsService:
    def __init__(
        self,
        config: ServiceConfig,
        registry: Registry | None = None,
        plane: Plane | None = None,
    ) -> None:
        self.config = config
        self.registry = registry or default_registry()
        self.store = Store(config.db_url)
        # The execution plane: flows run as their owner, apart from this service.
        self.plane = plane or make_plane(config.plane_config())
        recorder = (
            MlflowRecorder(config.mlflow_url, config.hub_token)
            if config.mlflow_url and config.hub_token
            else None
        )
        # The owners' secrets, for runs and endpoints whose flow opens connections.
        secrets = (
            OwnerSecrets(config.hub_api_url, config.hub_token)
            if config.hub_api_url and config.hub_token
            else None
        )
        self.runs = RunManager(self.store, config, self.plane, recorder, secrets)
        self.endpoints = EndpointPool(
            self.plane,
            max_workers=config.endpoint_workers,
            per_endpoint=config.endpoint_concurrency,
            timeout=config.endpoint_timeout,
            ttl=config.endpoint_idle_seconds,
            memory_limit=config.memory_limit,
            http_allow=config.http_allow,
            secrets=secrets,
        )
        self.calls = CallLog(self.store)
        self.scheduler = Scheduler(self.store, self._scheduled_run)
        self._endpoints: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {}
        self._flows: dict[tuple[str, int, int], Flow] = {}  # endpoint versions, parsed

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
            caller.name,
            body_checks.text({"name": name}, "name"),
            content,
            body_checks.text(body, "description", "", 10_000),
            _groups(body) or [],
        )

    def flow(self, caller: Caller, flow_id: int) -> dict[str, Any]:
        caller.need("read")
        flow = visible(caller, self.store.flow(flow_id))
        flow["endpoint"] = self.calls.with_recent(flow_id, self.store.endpoint_of(flow_id))
        flow["schedule"] = self.store.schedule_of(flow_id)
        return flow

    def update_flow(self, caller: Caller, flow_id: int, body: dict[str, Any]) -> dict[str, Any]:
        caller.need("write")
        self._changed()
        flow = changeable(caller, self.store.flow(flow_id))
        fields: dict[str, Any] = {"groups": _groups(body)}
        # Sharing with more groups lets more people run it as its owner: the owner's call
        # (an admin may rename it, or stop sharing it).
        if set(fields["groups"] or ()) - set(flow["groups"]) and caller.name != flow["owner"]:
            raise Forbidden(
                f"{OWNER_ONLY}, or who may run it: only {flow['owner']} may share flow "
                f"{flow_id} with more groups",
                [{"field": "groups"}],
            )
        if "name" in body:
            fields["name"] = body_checks.text(body, "name")
        if "description" in body:
            fields["description"] = body_checks.text(body, "description", "", 10_000)
        return self.store.update_flow(flow_id, **fields)

    async def delete_flow(self, caller: Caller, flow_id: int) -> None:
        caller.need("write")
        changeable(caller, self.store.flow(flow_id))
        endpoint = self.store.endpoint_of(flow_id)
        # Gone first: no call, run or schedule can start it again while its work stops.
        self.store.delete_flow(flow_id)
        self._changed()
        if endpoint:
            self.endpoints.drop(endpoint["name"])
        await self.runs.stop_flow(flow_id)

    # -- versions ------------------------------------------------------------------------
    def add_version(self, caller: Caller, flow_id: int, body: dict[str, Any]) -> dict[str, Any]:
        caller.need("write")
        self._changed()
        owned(caller, self.store.flow(flow_id))  # not an admin: it would run as the owner
        number = self.store.add_version(
            flow_id, self._content(body), caller.name, body_checks.text(body, "message", "", 2000)
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

    def diff_versions(
        self, caller: Caller, flow_id: int, number: int, against: str | None
    ) -> dict[str, Any]:
        caller.need("read")
        visible(caller, self.store.flow(flow_id))
        return versions.diff(self.store, flow_id, number, versions.against(against, number))

    def restore_version(
        self, caller: Caller, flow_id: int, number: int, body: dict[str, Any]
    ) -> dict[str, Any]:
        caller.need("write")
        self._changed()
        owned(caller, self.store.flow(flow_id))  # as add_version: it would run as the owner
        restored = versions.restore(
            self.store, flow_id, number, caller.name, body, lambda t: self._content({"flow": t})
        )
        return self.version(caller, flow_id, restored)

    # -- runs ----------------------------------------------------------------------------
    def start_run(self, caller: Caller, flow_id: int, body: dict[str, Any]) -> dict[str, Any]:
        caller.need("run")
        flow = visible(caller, self.store.flow(flow_id))
        number, params = body_checks.optional_number(body, "version"), _params(body)
        version = self.store.version(flow_id, number)
        # A group member (or an admin) may set only what the owner shared (403 naming it);
        # the run then uses the version checked, not a newer one saved meanwhile.
        parsed = parse_flow(version["content"])
        targets = versions.targets(body, {n.id for n in parsed.nodes})
        check_settable(parsed, params, caller.name == flow["owner"], self.registry)
        number = version["number"]
        return self._start(flow, number, params, caller.name, "manual", parsed, targets)

    def _start(
        self,
        flow: dict[str, Any],
        number: int | None,
        params: dict[str, Any],
        caller: str,
        trigger: str,
        parsed: Flow | None = None,
        targets: list[str] | None = None,
    ) -> dict[str, Any]:
        """Start a run of version `number` (parsed once: `parsed` when the caller has it),
        of the nodes `targets` and what they need (None: every destination)."""
        version = self.store.version(flow["id"], number)
        parsed = parsed or parse_flow(version["content"])
        _check_params(parsed, params)  # the caller's to fix, before anything runs
        run_id = self.store.create_run(flow["id"], version["number"], caller, trigger, params)
        # Everything runs as the flow's owner: the owner's folder, whoever started it.
        self.runs.start(
            run_id,
            version["content"],
            params,
            self.config.files_of(flow["owner"]),
            flow["id"],
            flow["owner"],
            targets=targets,
            folder=folder_of(flow["name"]),
            origin={
                "flow": flow["name"],
                "version": str(version["number"]),
                "run": run_id,
                "author": flow["owner"],
            },
        )
        return self.store.run(run_id)

    def runs_of(self, caller: Caller, flow_id: int) -> list[dict[str, Any]]:
        caller.need("read")
        visible(caller, self.store.flow(flow_id))
        return self.store.list_runs(flow_id)

    def run(self, caller: Caller, run_id: str) -> dict[str, Any]:
        caller.need("read")
        return self._visible_run(caller, run_id)

    def _visible_run(self, caller: Caller, run_id: str) -> dict[str, Any]:
        """The run, or "run … does not exist" when its flow is not the caller's to see
        (naming the flow would confirm that it exists)."""
        run = self.store.run(run_id)
        if not caller.sees(self.store.flow(run["flow_id"])):
            raise NotFound(f"run {run_id} does not exist", [{"field": "run_id"}])
        return run

    async def cancel(self, caller: Caller, run_id: str) -> dict[str, Any]:
        caller.need("run")
        run = self._visible_run(caller, run_id)
        if not await self.runs.cancel(run_id):
            raise GalileanError(
                f"run {run_id} already {run['status']}", [{"field": "run_id"}], status=409
            )
        return self.store.run(run_id)

    # -- endpoints -----------------------------------------------------------------------
    def publish(self, caller: Caller, flow_id: int, body: dict[str, Any]) -> dict[str, Any]:
        caller.need("write")
        self._changed()
        owned(caller, self.store.flow(flow_id))  # admins may unpublish, not publish
        name = body_checks.text(body, "name", None, 64)
        if not ENDPOINT_NAME.match(name):
            raise ValidationError(
                "name: lower-case letters, digits, '-' and '_' (64 at most)", [{"field": "name"}]
            )
        public = body_checks.flag(body, "public", False)
        number = body_checks.optional_number(body, "version")
        self.store.version(flow_id, number)  # 404 for a version that does not exist
        old = self.store.endpoint_of(flow_id)
        if old:
            self.endpoints.drop(old["name"])
        self.endpoints.drop(name)
        published = self.store.set_endpoint(flow_id, name, number, public)
        return self.calls.with_recent(flow_id, published) or published

    def endpoint(self, caller: Caller, flow_id: int) -> dict[str, Any] | None:
        caller.need("read")
        visible(caller, self.store.flow(flow_id))
        return self.calls.with_recent(flow_id, self.store.endpoint_of(flow_id))

    def unpublish(self, caller: Caller, flow_id: int) -> None:
        caller.need("write")
        self._changed()
        changeable(caller, self.store.flow(flow_id))
        old = self.store.endpoint_of(flow_id)
        if old:
            self.endpoints.drop(old["name"])
        self.store.delete_endpoint(flow_id)

    async def execute(
        self, caller: Caller | None, name: str, query: dict[str, str], body: Any
    ) -> dict[str, Any]:
        endpoint, flow = self._published(name)
        with self.calls.timing(flow["id"], name, caller.name if caller else None):
            return await self._execute(caller, endpoint, flow, query, body)

    async def _execute(
        self,
        caller: Caller | None,
        endpoint: dict[str, Any],
        flow: dict[str, Any],
        query: dict[str, str],
        body: Any,
    ) -> dict[str, Any]:
        name = endpoint["name"]
        if not endpoint["public"]:
            if caller is None:
                raise GalileanError(
                    f"endpoint {name!r} needs a hub API token with the custom:flows:execute "
                    "scope (Authorization: token …)",
                    status=401,
                )
            caller.need("execute")
            if not caller.sees(flow):  # the endpoint's name is public; its flow is not
                raise Forbidden(
                    f"endpoint {name!r} belongs to another user and is not shared with you"
                )
        number = endpoint["version"] or flow["latest"]
        key = (name, flow["id"], number)

        def content() -> str:
            return str(self.store.version(flow["id"], number)["content"])

        by_owner = caller is not None and caller.name == flow["owner"]
        if not by_owner:
            self._check_endpoint_params(key, content, query, body)
        home = self.config.files_of(flow["owner"])
        folder = folder_of(flow["name"])  # the files next to the .flow file, as runs read
        return await self.endpoints.call(key, content, home, flow["owner"], query, body, folder)

    def _check_endpoint_params(
        self,
        key: tuple[str, int, int],
        content: Callable[[], str],
        query: dict[str, str],
        body: Any,
    ) -> None:
        """Callers other than the owner (public endpoints: anyone) set only parameters the
        owner marked shared, never one that reaches a file path or a connection (403)."""
        flow = self._flows.get(key)
        if flow is None:
            flow = self._flows[key] = parse_flow(content())
        params, _request = split_request(flow, query, body)
        check_settable(flow, params, False, self.registry)

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
        self._flows.clear()

    # -- schedules -----------------------------------------------------------------------
    def set_schedule(self, caller: Caller, flow_id: int, body: dict[str, Any]) -> dict[str, Any]:
        caller.need("write")
        self._changed()
        flow = owned(caller, self.store.flow(flow_id))  # admins may unschedule, not schedule
        cron = body_checks.text(body, "cron", None, 128)
        next_run = check_cron(cron)
        missed = body.get("missed", "once")
        if missed not in MISSED_POLICIES:
            raise ValidationError("missed: 'once' or 'skip'", [{"field": "missed"}])
        params = _params(body)
        number = body_checks.optional_number(body, "version")
        parsed = parse_flow(self.store.version(flow_id, number)["content"])
        _check_params(parsed, params)
        # Only the owner gets here (owned): kept should that ever change.
        check_settable(parsed, params, caller.name == flow["owner"], self.registry)
        enabled = body_checks.flag(body, "enabled", True)
        return self.store.set_schedule(
            flow_id,
            cron=cron,
            version=number,
            params=params,
            missed=missed,
            enabled=enabled,
            next_run=next_run,
        )

    def schedule_preview(self, caller: Caller, body: dict[str, Any]) -> dict[str, Any]:
        caller.need("read")
        return schedule_preview.preview(body)

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
