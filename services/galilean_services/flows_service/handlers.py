"""HTTP handlers of the flows service: each parses the request, calls one FlowsService
method and writes JSON; errors leave in the one JSON shape (JSONErrorMixin)."""

from __future__ import annotations

import json
import os
from typing import Any, ClassVar

from jupyterhub.services.auth import HubOAuthenticated
from tornado import web

from ..errors import GalileanError
from ..http import JSONErrorMixin, json_body, json_object
from .access import Caller, scope
from .service import FlowsService


class BaseHandler(JSONErrorMixin, HubOAuthenticated, web.RequestHandler):
    # method → one line for the OpenAPI document
    docs: ClassVar[dict[str, str]] = {}
    public: ClassVar[bool] = False

    def initialize(self, service: FlowsService) -> None:
        self.service = service

    @property
    def hub_scopes(self) -> set[str]:
        name = os.environ.get("JUPYTERHUB_SERVICE_NAME", "flows")
        return {f"access:services!service={name}"}

    def prepare(self) -> None:
        if self.public:
            return
        if self.current_user is None:
            raise GalileanError(
                "log in to the hub, or send a hub API token (Authorization: token …)",
                status=401,
            )
        self.check_xsrf_cookie()

    @property
    def caller(self) -> Caller:
        return Caller.from_hub_model(self.current_user, self.hub_auth.check_scopes)

    def body(self) -> Any:
        return json_body(self.request.body)

    def body_object(self) -> dict[str, Any]:
        return json_object(self.request.body)

    def send(self, data: Any, status: int = 200) -> None:
        self.set_status(status)
        self.set_header("Content-Type", "application/json")
        self.set_header("Cache-Control", "no-store")
        self.finish(json.dumps(data, default=str))


class IndexHandler(BaseHandler):
    docs: ClassVar[dict[str, str]] = {
        "get": "Who you are and what you may do (browsers log in through the hub)"
    }

    def prepare(self) -> None:  # browsers are sent to the hub's login instead of a 401
        pass

    @web.authenticated
    def get(self) -> None:
        caller = self.caller
        self.send(
            {
                "service": "flows",
                "user": caller.name,
                "admin": caller.admin,
                "scopes": sorted(scope(v) for v in caller.verbs),
                "api": self.service.config.prefix + "api/",
                "openapi": self.service.config.prefix + "api/openapi.json",
            }
        )


class HealthHandler(BaseHandler):
    public = True
    docs: ClassVar[dict[str, str]] = {
        "get": "Liveness: the service answers and its database is reachable"
    }

    def get(self) -> None:
        self.service.store.list_flows()
        self.send({"ok": True, "runs_active": self.service.runs.active})


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

    def get(self, flow_id: str) -> None:
        self.send(self.service.flow(self.caller, int(flow_id)))

    def patch(self, flow_id: str) -> None:
        self.send(self.service.update_flow(self.caller, int(flow_id), self.body_object()))

    def delete(self, flow_id: str) -> None:
        self.service.delete_flow(self.caller, int(flow_id))
        self.set_status(204)
        self.finish()


class VersionsHandler(BaseHandler):
    docs: ClassVar[dict[str, str]] = {
        "get": "The flow's versions, oldest first",
        "post": "Save a new immutable version: {flow, message?}",
    }

    def get(self, flow_id: str) -> None:
        self.send(self.service.versions(self.caller, int(flow_id)))

    def post(self, flow_id: str) -> None:
        self.send(self.service.add_version(self.caller, int(flow_id), self.body_object()), 201)


class VersionHandler(BaseHandler):
    docs: ClassVar[dict[str, str]] = {"get": "One version with its .flow document"}

    def get(self, flow_id: str, number: str) -> None:
        self.send(self.service.version(self.caller, int(flow_id), int(number)))


class RunsHandler(BaseHandler):
    docs: ClassVar[dict[str, str]] = {
        "get": "Run history of the flow, newest first",
        "post": "Start a run: {version?, params?} (runs with the owner's files)",
    }

    def get(self, flow_id: str) -> None:
        self.send(self.service.runs_of(self.caller, int(flow_id)))

    def post(self, flow_id: str) -> None:
        self.send(self.service.start_run(self.caller, int(flow_id), self.body_object()), 202)


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
        "get": "The flow's published endpoint, or null",
        "put": "Publish: {name, version? (null: latest), public?}",
        "delete": "Unpublish",
    }

    def get(self, flow_id: str) -> None:
        self.send(self.service.endpoint(self.caller, int(flow_id)))

    def put(self, flow_id: str) -> None:
        self.send(self.service.publish(self.caller, int(flow_id), self.body_object()))

    def delete(self, flow_id: str) -> None:
        self.service.unpublish(self.caller, int(flow_id))
        self.set_status(204)
        self.finish()


class ScheduleHandler(BaseHandler):
    docs: ClassVar[dict[str, str]] = {
        "get": "The flow's schedule, or null",
        "put": "Schedule: {cron, version?, params?, missed? ('once'|'skip'), enabled?}",
        "delete": "Remove the schedule",
    }

    def get(self, flow_id: str) -> None:
        self.send(self.service.schedule(self.caller, int(flow_id)))

    def put(self, flow_id: str) -> None:
        self.send(self.service.set_schedule(self.caller, int(flow_id), self.body_object()))

    def delete(self, flow_id: str) -> None:
        self.service.unschedule(self.caller, int(flow_id))
        self.set_status(204)
        self.finish()


class ExecuteHandler(BaseHandler):
    public = True  # public endpoints need no token; the service checks the rest
    docs: ClassVar[dict[str, str]] = {
        "get": "Call a published flow: query parameters are flow parameters",
        "post": "Call a published flow: a JSON body gives parameters and request-body rows",
    }

    @property
    def hub_scopes(self) -> set[str]:
        return super().hub_scopes | {scope("execute")}

    def check_xsrf_cookie(self) -> None:
        # Programs call endpoints with tokens; a browser session alone is not accepted
        # for POST here (see _caller), so there is nothing for a forged form to ride on.
        return None

    def _caller(self) -> Caller | None:
        if self.request.method != "GET" and not self.request.headers.get("Authorization"):
            return None
        return None if self.current_user is None else self.caller

    async def get(self, name: str) -> None:
        query = {k: self.get_query_argument(k) for k in self.request.query_arguments}
        self.send(await self.service.execute(self._caller(), name, query, None))

    async def post(self, name: str) -> None:
        query = {k: self.get_query_argument(k) for k in self.request.query_arguments}
        self.send(await self.service.execute(self._caller(), name, query, self.body()))
