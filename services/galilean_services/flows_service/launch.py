"""Start the flows service, answering at once (the kit's two-phase start, kit.launch).

The engine's imports (DuckDB, Arrow, pandas, sqlglot, jsonschema) took 11 s on a fresh CI
machine (no .pyc yet), so the server listens first and imports the rest in a thread; then
the real application takes over the same server.
"""

from __future__ import annotations

import asyncio
import importlib
import logging
import time
from typing import Any

from ..execution.isolation import IsolationUnavailable
from ..kit import launch
from .config import ServiceConfig

log = logging.getLogger("galilean.flows")


async def _build(config: ServiceConfig) -> Any:
    """The FlowsService, its plane ready and what the last one left behind tidied."""
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
    return service


async def serve(config: ServiceConfig) -> None:
    server = launch.listen_starting("flows", config.port, config.prefix)
    began = time.monotonic()
    app_module: Any = await asyncio.to_thread(
        importlib.import_module, "galilean_services.flows_service.app"
    )
    service = await _build(config)
    launch.serve(server, app_module.make_app(config, service))
    took = time.monotonic() - began
    log.info(
        "flows service on port %d, prefix %s (ready in %.1f s)", config.port, config.prefix, took
    )
    ran = service.scheduler.catch_up(time.time())
    if ran:
        log.info("ran missed schedules of flow(s) %s", ran)

    def tick() -> None:
        service.scheduler.tick(time.time())
        service.endpoints.expire()
        service.plane.tidy()

    await launch.until_stopped(tick, min(config.schedule_check_seconds, 2.0))
    server.stop()
    await service.runs.close()
    await service.endpoints.close()
    service.plane.close()
    service.calls.flush()  # endpoint calls not yet written
    service.store.close()


def main() -> None:
    launch.run_service("flows", ServiceConfig.from_env, serve)
