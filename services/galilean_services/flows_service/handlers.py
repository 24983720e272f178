"""HTTP handlers of the flows service: each parses the request, calls one FlowsService
method and writes JSON; errors leave in the one JSON shape (JSONErrorMixin)."""

from __future__ import annotations

from typing import Any, ClassVar

from tornado import web

from ..kit.auth import Caller
from ..kit.body import known_id
from ..kit.handlers import BaseHandler as KitHandler
from .access import SCOPES, scope
from .overview import overview
from .service import FlowsService

# Request bodies, for the OpenAPI document (the service checks them itself, field by field).
FLOW_DOCUMENT = {
    "description": "the .flow document: a JSON object, or its JSON text",
    "anyOf": [{"$ref": "#/components/schemas/Flow"}, {"type": "string"}],
}
NAME = {"type": "string", "minLength": 1, "maxLength": 255}
GROUPS = {"type": "array", "items": {"type": "string", "minLength": 1}}
VERSION = {
    "type": ["integer", "null"],
    "minimum": 1,
    "description": "a version number; null or absent: the latest",
}
PARAMS = {
    "type": "object",
    "description": "flow parameter values; others than the owner may set only parameters "
    "marked shared, and never one that reaches a file path or a connection (403)",
}


def _flow(text: str) -> int:
    """The flow id of a URL (digits, by the route)."""
    return known_id(int(text), "flow", "flow_id")


def _number(text: str) -> int:
    """The version number of a URL (digits, by the route)."""
    return known_id(int(text), "version", "number")


class BaseHandler(KitHandler):
    """Every API handler of the flows service (the kit's BaseHandler): a browser session or
    a hub API token that has `access:services!service=flows` OR any custom:flows:* scope,
    so a token made with only `custom:flows:read` works for reading; each verb then needs
    its own scope (403 naming it): read, write, run, execute."""

    scopes = SCOPES
    service: FlowsService


class HealthHandler(BaseHandler):
    public = True
    docs: ClassVar[dict[str, str]] = {
        "get": "Liveness: the service answers and its database is reachable"
    }

    def get(self) -> None:
        self.service.store.list_flows()
        self.send({"ok": True, "runs_active": self.service.runs.active})


class OverviewHandler(BaseHandler):
    docs: ClassVar[dict[str, str]] = {
        "get": "Every flow's runs of the last 7 days (failures first) and schedules: admins "
        "and the hub's usage dashboard"
    }

    def get(self) -> None:
        if not (self.from_usage_dashboard or self.caller.admin):
            raise web.HTTPError(403, "the flows' overview is for admins")
        self.send(overview(self.service.store.engine))


class KindsHandler(BaseHandler):
    docs: ClassVar[dict[str, str]] = {
        "get": "Node kinds with their parameter schemas (what the designer renders)"
    }

    def get(self) -> None:
        self.send(self.service.catalogue())


class FlowsHandler(BaseHandler):
    docs: ClassVar[dict[str, str]] = {
        "get": "Flows you own, flows shared with your groups (admins: all)",
        "post": "Create a flow: {flow, name?, description?, groups?} → version 1",
    }
    bodies: ClassVar[dict[str, dict[str, Any]]] = {
        "post": {
            "type": "object",
            "required": ["flow"],
            "properties": {
                "flow": FLOW_DOCUMENT,
                "name": NAME,
                "groups": GROUPS,
                "description": {"type": "string", "maxLength": 10_000},
            },
        }
    }

    def get(self) -> None:
        self.send(self.service.list_flows(self.caller))

    def post(self) -> None:
        self.send(self.service.create_flow(self.caller, self.body_object()), 201)


class FlowHandler(BaseHandler):
    docs: ClassVar[dict[str, str]] = {
        "get": "One flow with its endpoint and schedule",
        "patch": "Rename, describe, or share with groups: {name?, description?, groups?}",
        "delete": "Delete the flow, its versions, runs, endpoint and schedule",
    }
    bodies: ClassVar[dict[str, dict[str, Any]]] = {
        "patch": {
            "type": "object",
            "properties": {
                "name": NAME,
                "groups": GROUPS,
                "description": {"type": "string", "maxLength": 10_000},
            },
        }
    }

    def get(self, flow_id: str) -> None:
        self.send(self.service.flow(self.caller, _flow(flow_id)))

    def patch(self, flow_id: str) -> None:
        self.send(self.service.update_flow(self.caller, _flow(flow_id), self.body_object()))

    async def delete(self, flow_id: str) -> None:
        await self.service.delete_flow(self.caller, _flow(flow_id))
        self.set_status(204)
        self.finish()


class VersionsHandler(BaseHandler):
    docs: ClassVar[dict[str, str]] = {
        "get": "The flow's versions, oldest first",
        "post": "Save a new immutable version: {flow, message?}",
    }
    bodies: ClassVar[dict[str, dict[str, Any]]] = {
        "post": {
            "type": "object",
            "required": ["flow"],
            "properties": {"flow": FLOW_DOCUMENT, "message": {"type": "string", "maxLength": 2000}},
        }
    }

    def get(self, flow_id: str) -> None:
        self.send(self.service.versions(self.caller, _flow(flow_id)))

    def post(self, flow_id: str) -> None:
        self.send(self.service.add_version(self.caller, _flow(flow_id), self.body_object()), 201)


class VersionHandler(BaseHandler):
    docs: ClassVar[dict[str, str]] = {"get": "One version with its .flow document"}

    def get(self, flow_id: str, number: str) -> None:
        self.send(self.service.version(self.caller, _flow(flow_id), _number(number)))


class VersionDiffHandler(BaseHandler):
    docs: ClassVar[dict[str, str]] = {
        "get": "What changed from version `against` (query; default: the one before) to "
        "this one: nodes added, removed and changed (params from/to, moved), edges added "
        "and removed, parameters added, removed and changed"
    }

    def get(self, flow_id: str, number: str) -> None:
        against = self.get_query_argument("against", None)
        self.send(self.service.diff_versions(self.caller, _flow(flow_id), _number(number), against))


class RestoreHandler(BaseHandler):
    docs: ClassVar[dict[str, str]] = {
        "post": "Restore: a new version with this version's .flow document "
        "(message default 'Restored version N'); no version is lost"
    }
    bodies: ClassVar[dict[str, dict[str, Any]]] = {
        "post": {"type": "object", "properties": {"message": {"type": "string", "maxLength": 2000}}}
    }

    def post(self, flow_id: str, number: str) -> None:
        body = self.body_object() if self.request.body.strip() else {}
        restored = self.service.restore_version(self.caller, _flow(flow_id), _number(number), body)
        self.send(restored, 201)


TARGETS = {
    "type": "array",
    "minItems": 1,
    "maxItems": 1000,
    "items": {"type": "string", "minLength": 1},
}


class RunsHandler(BaseHandler):
    docs: ClassVar[dict[str, str]] = {
        "get": "Run history of the flow, newest first",
        "post": "Start a run: {version?, params?, targets?} (runs with the owner's files); "
        "targets: node ids of that version to run up to (with what they need), instead of "
        "every destination",
    }
    bodies: ClassVar[dict[str, dict[str, Any]]] = {
        "post": {
            "type": "object",
            "properties": {"version": VERSION, "params": PARAMS, "targets": TARGETS},
        }
    }

    def get(self, flow_id: str) -> None:
        self.send(self.service.runs_of(self.caller, _flow(flow_id)))

    def post(self, flow_id: str) -> None:
        self.send(self.service.start_run(self.caller, _flow(flow_id), self.body_object()), 202)


class RunHandler(BaseHandler):
    docs: ClassVar[dict[str, str]] = {
        "get": "One run: status, times, rows per node, error, logs, first rows of outputs"
    }

    def get(self, run_id: str) -> None:
        self.send(self.service.run(self.caller, run_id))


class CancelHandler(BaseHandler):
    docs: ClassVar[dict[str, str]] = {
        "post": "Cancel a queued or running run (409 if it already finished)"
    }

    async def post(self, run_id: str) -> None:
        self.send(await self.service.cancel(self.caller, run_id))


class EndpointHandler(BaseHandler):
    docs: ClassVar[dict[str, str]] = {
        "get": "The flow's published endpoint, or null; its `recent_calls`: the last 20 "
        "calls, newest first ({at, caller (a user, or 'public'), status, ms, endpoint}; "
        "the last 100 are kept)",
        "put": "Publish: {name, version? (null: latest), public?}",
        "delete": "Unpublish",
    }
    bodies: ClassVar[dict[str, dict[str, Any]]] = {
        "put": {
            "type": "object",
            "required": ["name"],
            "properties": {
                "name": {"type": "string", "pattern": "^[a-z0-9][a-z0-9_-]{0,63}$"},
                "version": VERSION,
                "public": {"type": "boolean"},
            },
        }
    }

    def get(self, flow_id: str) -> None:
        self.send(self.service.endpoint(self.caller, _flow(flow_id)))

    def put(self, flow_id: str) -> None:
        self.send(self.service.publish(self.caller, _flow(flow_id), self.body_object()))

    def delete(self, flow_id: str) -> None:
        self.service.unpublish(self.caller, _flow(flow_id))
        self.set_status(204)
        self.finish()


class ScheduleHandler(BaseHandler):
    docs: ClassVar[dict[str, str]] = {
        "get": "The flow's schedule, or null",
        "put": "Schedule: {cron, version?, params?, missed? ('once'|'skip'), enabled?}",
        "delete": "Remove the schedule",
    }
    bodies: ClassVar[dict[str, dict[str, Any]]] = {
        "put": {
            "type": "object",
            "required": ["cron"],
            "properties": {
                "cron": {
                    "type": "string",
                    "maxLength": 128,
                    "description": "UTC; 5 fields (minute hour day month weekday) or 6 (seconds)",
                },
                "version": VERSION,
                "params": PARAMS,
                "missed": {"enum": ["once", "skip"]},
                "enabled": {"type": "boolean"},
            },
        }
    }

    def get(self, flow_id: str) -> None:
        self.send(self.service.schedule(self.caller, _flow(flow_id)))

    def put(self, flow_id: str) -> None:
        self.send(self.service.set_schedule(self.caller, _flow(flow_id), self.body_object()))

    def delete(self, flow_id: str) -> None:
        self.service.unschedule(self.caller, _flow(flow_id))
        self.set_status(204)
        self.finish()


class SchedulePreviewHandler(BaseHandler):
    docs: ClassVar[dict[str, str]] = {
        "post": "Read a cron expression: {cron, timezone? ('UTC')} → {text, next: the next "
        "5 times (ISO 8601, shown in timezone; schedules run in UTC)}"
    }
    bodies: ClassVar[dict[str, dict[str, Any]]] = {
        "post": {
            "type": "object",
            "required": ["cron"],
            "properties": {
                "cron": {"type": "string", "maxLength": 128},
                "timezone": {"type": "string", "description": "an IANA name; default UTC"},
            },
        }
    }

    def post(self) -> None:
        self.send(self.service.schedule_preview(self.caller, self.body_object()))


class ExecuteHandler(BaseHandler):
    public = True  # public endpoints need no token; the service checks the rest
    docs: ClassVar[dict[str, str]] = {
        "get": "Call a published flow: query parameters are flow parameters",
        "post": "Call a published flow: a JSON body gives parameters and request-body rows",
    }
    bodies: ClassVar[dict[str, dict[str, Any]]] = {
        "post": {"description": "{param: value, ..., records: [rows]}, or a list of rows"}
    }

    @property
    def hub_scopes(self) -> set[str]:
        return super().hub_scopes | {scope("execute")}

    def check_xsrf_cookie(self) -> None:
        # Checked in _caller: a browser session counts only from the hub's own pages.
        return None

    def _caller(self) -> Caller | None:
        """Who calls: a hub token (header), or a browser session proven same-origin (an
        X-XSRFToken header matching the _xsrf cookie, or the browser's own
        `Sec-Fetch-Site: same-origin`). A session riding on a link or a form from another
        site counts as nobody: a private endpoint answers 401, a public one runs as for
        anyone (never with the owner's right to set every parameter)."""
        if self.current_user is None:
            return None
        if self.request.headers.get("Authorization"):
            return self.caller
        if self.request.headers.get("X-XSRFToken"):
            web.RequestHandler.check_xsrf_cookie(self)  # 403 when it does not match
            return self.caller
        if self.request.headers.get("Sec-Fetch-Site") == "same-origin":
            return self.caller
        return None

    async def get(self, name: str) -> None:
        query = {k: self.get_query_argument(k) for k in self.request.query_arguments}
        self.send(await self.service.execute(self._caller(), name, query, None))

    async def post(self, name: str) -> None:
        query = {k: self.get_query_argument(k) for k in self.request.query_arguments}
        self.send(await self.service.execute(self._caller(), name, query, self.body()))
