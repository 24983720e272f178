"""The flows service as a tornado application: `make_app(config)` (launch.py runs it)."""

from __future__ import annotations

from jupyterhub.services.auth import HubOAuth
from tornado import web

from ..kit.app import service_app
from . import handlers as h
from . import pages
from .config import ServiceConfig
from .openapi import OpenAPIHandler
from .service import FlowsService

# Path templates under the service prefix; {names} become URL arguments.
ROUTES: list[tuple[str, type[web.RequestHandler]]] = [
    ("", pages.IndexHandler),
    ("api/", pages.ApiIndexHandler),
    ("health", h.HealthHandler),
    ("api/openapi.json", OpenAPIHandler),
    ("api/kinds", h.KindsHandler),
    ("api/overview", h.OverviewHandler),
    ("api/flows", h.FlowsHandler),
    ("api/flows/{flow_id}", h.FlowHandler),
    ("api/flows/{flow_id}/versions", h.VersionsHandler),
    ("api/flows/{flow_id}/versions/{number}", h.VersionHandler),
    ("api/flows/{flow_id}/versions/{number}/diff", h.VersionDiffHandler),
    ("api/flows/{flow_id}/versions/{number}/restore", h.RestoreHandler),
    ("api/flows/{flow_id}/runs", h.RunsHandler),
    ("api/flows/{flow_id}/endpoint", h.EndpointHandler),
    ("api/flows/{flow_id}/schedule", h.ScheduleHandler),
    ("api/schedule-preview", h.SchedulePreviewHandler),
    ("api/runs/{run_id}", h.RunHandler),
    ("api/runs/{run_id}/cancel", h.CancelHandler),
    ("execute/{endpoint}", h.ExecuteHandler),
]
ARGUMENT_PATTERNS = {
    "flow_id": r"\d+",
    "number": r"\d+",
    "run_id": r"[0-9a-f]{32}",
    "endpoint": r"[a-z0-9][a-z0-9_-]{0,63}",
}


def make_app(
    config: ServiceConfig, service: FlowsService | None = None, hub_auth: HubOAuth | None = None
) -> web.Application:
    """The application; `hub_auth`: how callers are known (default: the hub's HubOAuth; in
    tests, kit.testing.FakeHubAuth)."""
    service = service or FlowsService(config)
    return service_app(config.prefix, ROUTES, ARGUMENT_PATTERNS, service, hub_auth)
