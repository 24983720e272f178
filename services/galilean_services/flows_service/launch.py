"""Start the flows service, answering at once.

The hub gives a managed service about ten seconds to answer HTTP with something other
than a 5xx, or it stops itself. The engine's imports (DuckDB, Arrow, pandas, sqlglot,
jsonschema) took 11 s on a fresh CI machine (no .pyc yet), so the server listens first
(its root answers "starting", the rest 503) and imports the rest in a thread; then the
real application takes over the same server.
"""

from __future__ import annotations

import asyncio
import importlib
import json
import logging
import os
import signal
import time
from typing import Any

from tornado import web
from tornado.httpserver import HTTPServer
from tornado.ioloop import PeriodicCallback

from ..errors import error_body
from .config import ServiceConfig
from .confinement import die_with_parent
from .isolation import IsolationUnavailable

log = logging.getLogger("galilean.flows")


class StartingHandler(web.RequestHandler):
    """Until the engine is imported: the service's root says "starting" (the hub only
    needs an answer that is not a 5xx to count the service as up), the rest 503."""

    def initialize(self, prefix: str) -> None:
        self.prefix = prefix

    def prepare(self) -> None:
        self.set_header("Content-Type", "application/json")
        if self.request.path == self.prefix:
            self.finish(json.dumps({"ok": True, "service": "flows", "status": "starting"}))
            return
        self.set_status(503)
        self.set_header("Retry-After", "2")
        self.finish(json.dumps(error_body("the flows service is starting: try again", 503)))


def _local() -> bool:
    url = os.environ.get("JUPYTERHUB_SERVICE_URL", "http://127.0.0.1")
    return "://127.0.0.1" in url or "://localhost" in url


async def serve(config: ServiceConfig) -> None:
    starting = web.Application([(r".*", StartingHandler, {"prefix": config.prefix})])
    server = HTTPServer(starting, xheaders=True)
    server.listen(config.port, "127.0.0.1" if _local() else "")
    began = time.monotonic()
    app_module: Any = await asyncio.to_thread(
        importlib.import_module, "galilean_services.flows_service.app"
    )
    service_module: Any = importlib.import_module("galilean_services.flows_service.service")
    try:
        service = await asyncio.to_thread(service_module.FlowsService, config)
    except IsolationUnavailable as exc:  # the admin asked for isolation this host lacks
        log.error("%s", exc)
        raise SystemExit(2) from None
    if service.plane.isolated:
        log.info("%s", service.plane.describe())
    else:
        log.warning("%s", service.plane.describe())
    reaped = await service.plane.reap()
    if reaped:
        log.warning("stopped %d flow worker(s) left by an earlier service", reaped)
    from .executor import remove_partials  # after listening: it imports the store

    unfinished = service.store.unfinished_runs()
    for run_id, owner, started in unfinished:  # killed with the last service: no half files
        folder = config.files_of(owner)
        removed = await asyncio.to_thread(remove_partials, folder, started, run_id)
        if removed:
            log.info("run %s: removed %d unfinished file(s)", run_id, removed)
    abandoned = service.store.abandon_unfinished_runs()
    if abandoned:
        log.warning("%d run(s) were running when the service stopped: marked failed", abandoned)
    server.request_callback = app_module.make_app(config, service)
    log.info(
        "flows service on port %d, prefix %s (ready in %.1f s)",
        config.port, config.prefix, time.monotonic() - began,
    )  # fmt: skip
    ran = service.scheduler.catch_up(time.time())
    if ran:
        log.info("ran missed schedules of flow(s) %s", ran)

    hub = os.getppid()

    def tick() -> None:
        service.scheduler.tick(time.time())
        service.endpoints.expire()
        service.plane.tidy()
        if os.getppid() != hub:  # the hub died (kill -9): free the port for the next one
            log.warning("the hub (pid %d) is gone: stopping", hub)
            stop.set()

    stop = asyncio.Event()
    ticker = PeriodicCallback(tick, min(config.schedule_check_seconds, 2.0) * 1000)
    ticker.start()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    ticker.stop()
    server.stop()
    await service.runs.close()
    await service.endpoints.close()
    service.plane.close()
    service.store.close()


def main() -> None:
    die_with_parent()  # a hub killed with -9 takes its services with it
    logging.basicConfig(
        level=logging.INFO, format="[%(levelname).1s %(asctime)s flows] %(message)s"
    )
    asyncio.run(serve(ServiceConfig.from_env()))
