"""The flows service as a tornado application: `make_app(config)` and `main()`.

The hub starts it (galilean_hub.config registers it as the `flows` service) with the
environment of a hub-managed service: its API token, URL and prefix.
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
import signal
import time
from typing import Any

from jupyterhub.services.auth import HubOAuthCallbackHandler
from tornado import web
from tornado.httpserver import HTTPServer
from tornado.ioloop import PeriodicCallback

from . import handlers as h
from .config import ServiceConfig
from .openapi import OpenAPIHandler
from .service import FlowsService

log = logging.getLogger("galilean.flows")

# Path templates under the service prefix; {names} become URL arguments.
ROUTES: list[tuple[str, type[web.RequestHandler]]] = [
    ("", h.IndexHandler),
    ("health", h.HealthHandler),
    ("api/openapi.json", OpenAPIHandler),
    ("api/kinds", h.KindsHandler),
    ("api/flows", h.FlowsHandler),
    ("api/flows/{flow_id}", h.FlowHandler),
    ("api/flows/{flow_id}/versions", h.VersionsHandler),
    ("api/flows/{flow_id}/versions/{number}", h.VersionHandler),
    ("api/flows/{flow_id}/runs", h.RunsHandler),
    ("api/flows/{flow_id}/endpoint", h.EndpointHandler),
    ("api/flows/{flow_id}/schedule", h.ScheduleHandler),
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


def route_regex(template: str) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: f"({ARGUMENT_PATTERNS[m.group(1)]})", template)


class NotFoundHandler(h.BaseHandler):
    public = True

    def prepare(self) -> None:
        raise web.HTTPError(404, f"no such path: {self.request.path}")


def make_app(config: ServiceConfig, service: FlowsService | None = None) -> web.Application:
    service = service or FlowsService(config)
    prefix = config.prefix
    rules: list[Any] = [
        (prefix + route_regex(template), handler, {"service": service})
        for template, handler in ROUTES
    ]
    rules.append((prefix + "oauth_callback", HubOAuthCallbackHandler))
    return web.Application(
        rules,
        cookie_secret=service_cookie_secret(),
        default_handler_class=NotFoundHandler,
        default_handler_args={"service": service},
        service=service,
        routes=ROUTES,
    )


def service_cookie_secret() -> bytes:
    # The OAuth cookie is signed with a secret the service makes at each start: a restart
    # only means users pass through the hub's login again (silently, if logged in).
    return os.urandom(32)


async def serve(config: ServiceConfig) -> None:
    service = FlowsService(config)
    abandoned = service.store.abandon_unfinished_runs()
    if abandoned:
        log.warning("%d run(s) were running when the service stopped: marked failed", abandoned)
    app = make_app(config, service)
    server = HTTPServer(app, xheaders=True)
    server.listen(config.port, "127.0.0.1" if _local(config) else "")
    log.info("flows service on port %d, prefix %s", config.port, config.prefix)
    ran = service.scheduler.catch_up(time.time())
    if ran:
        log.info("ran missed schedules of flow(s) %s", ran)

    def tick() -> None:
        service.scheduler.tick(time.time())

    ticker = PeriodicCallback(tick, config.schedule_check_seconds * 1000)
    ticker.start()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    ticker.stop()
    server.stop()
    await service.runs.close()
    service.plans.close()
    service.store.close()


def _local(config: ServiceConfig) -> bool:
    url = os.environ.get("JUPYTERHUB_SERVICE_URL", "http://127.0.0.1")
    return "://127.0.0.1" in url or "://localhost" in url


def main() -> None:
    logging.basicConfig(
        level=logging.INFO, format="[%(levelname).1s %(asctime)s flows] %(message)s"
    )
    asyncio.run(serve(ServiceConfig.from_env()))
