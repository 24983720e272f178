"""The service's pages for people: `/services/flows/` (what the service is, your flows,
their runs, endpoints and schedules) and `/services/flows/api/` (every operation of the
OpenAPI document). Browsers get HTML; API clients that ask for JSON get JSON (content
negotiation on the Accept header). Plain server-made HTML with its own style: nothing is
fetched from elsewhere (the machine may have no internet)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any, ClassVar

from tornado import template, web

from .access import scope
from .handlers import BaseHandler
from .openapi import document
from .service import FlowsService

TEMPLATES = template.Loader(str(Path(__file__).with_name("templates")), autoescape="xhtml_escape")
RECENT_RUNS = 10  # runs shown per flow, and on the page
EXAMPLES = "~/examples/flows/"


def wants_html(accept: str) -> bool:
    """True when the client prefers HTML to JSON: a browser's Accept names text/html,
    a client that asks for JSON (or for anything: */*) gets JSON."""
    kinds = [part.split(";")[0].strip().lower() for part in accept.split(",")]
    if "text/html" not in kinds:
        return False
    return "application/json" not in kinds or kinds.index("text/html") < kinds.index(
        "application/json"
    )


def when(stamp: float | None) -> str:
    if not stamp:
        return ""
    return time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(stamp))


def overview(service: FlowsService, user: str) -> dict[str, Any]:
    """The user's own flows (not those shared with them, nor, for an admin, everyone's),
    each with its endpoint, schedule and latest runs; the latest runs of them all."""
    flows = []
    runs: list[dict[str, Any]] = []
    for flow in service.store.list_flows():
        if flow["owner"] != user:
            continue
        recent = service.store.list_runs(flow["id"], limit=RECENT_RUNS)
        for run in recent:
            run["flow_name"] = flow["name"]
        runs += recent
        flows.append(
            flow
            | {
                "endpoint": service.store.endpoint_of(flow["id"]),
                "schedule": service.store.schedule_of(flow["id"]),
                "runs": recent,
            }
        )
    runs.sort(key=lambda r: r["created"], reverse=True)
    return {"flows": flows, "runs": runs[:RECENT_RUNS]}


class IndexHandler(BaseHandler):
    docs: ClassVar[dict[str, str]] = {
        "get": "Who you are and what you may do; browsers (Accept: text/html) get a page "
        "with your flows, runs, endpoints and schedules (browsers log in through the hub)"
    }

    def prepare(self) -> None:  # browsers are sent to the hub's login instead of a 401
        pass

    @web.authenticated
    def get(self) -> None:
        caller = self.caller
        prefix = self.service.config.prefix
        self.set_header("Vary", "Accept")
        data = {
            "service": "flows",
            "user": caller.name,
            "admin": caller.admin,
            "scopes": sorted(scope(v) for v in caller.verbs),
            "api": prefix + "api/",
            "openapi": prefix + "api/openapi.json",
        }
        if not wants_html(self.request.headers.get("Accept", "")):
            self.send(data)
            return
        mine = overview(self.service, caller.name) if "read" in caller.verbs else None
        self.page("index.html", data=data, mine=mine, examples=EXAMPLES)

    def page(self, name: str, **values: Any) -> None:
        self.set_header("Content-Type", "text/html; charset=utf-8")
        self.set_header("Cache-Control", "no-store")
        prefix = self.service.config.prefix
        self.finish(TEMPLATES.load(name).generate(prefix=prefix, when=when, **values))


class ApiIndexHandler(IndexHandler):
    docs: ClassVar[dict[str, str]] = {
        "get": "Every operation of this API, from the OpenAPI document (HTML for browsers)"
    }
    public = True

    def prepare(self) -> None:
        pass

    def get(self) -> None:
        prefix = self.service.config.prefix
        spec = document(self.settings["routes"], prefix)
        operations = [
            {
                "method": method.upper(),
                "path": prefix.rstrip("/") + path,
                "summary": op["summary"],
                "parameters": [p["name"] for p in op["parameters"]],
                "body": op.get("requestBody", {}).get("content", {}).get("application/json"),
                "token": "security" in op,
                "public_endpoint": "/execute/" in path,
            }
            for path, ops in spec["paths"].items()
            for method, op in ops.items()
        ]
        self.set_header("Vary", "Accept")
        if not wants_html(self.request.headers.get("Accept", "")):
            self.send({"openapi": prefix + "api/openapi.json", "operations": operations})
            return
        description = spec["info"]["description"].split("`")  # odd pieces: `code`
        self.page("api.html", spec=spec, operations=operations, description=description)
