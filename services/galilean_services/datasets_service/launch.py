"""Start the datasets service, answering at once (the kit's two-phase start)."""

from __future__ import annotations

import asyncio
import importlib
import logging
import time
from typing import Any

from ..execution.isolation import IsolationUnavailable
from ..kit import launch
from .config import ServiceConfig

log = logging.getLogger("galilean.datasets")


async def serve(config: ServiceConfig) -> None:
    server = launch.listen_starting("datasets", config.port, config.prefix)
    began = time.monotonic()
    app_module: Any = await asyncio.to_thread(
        importlib.import_module, "galilean_services.datasets_service.app"
    )
    try:
        service = await asyncio.to_thread(app_module.DatasetsService, config)
    except IsolationUnavailable as exc:
        log.error("%s", exc)
        raise SystemExit(2) from None
    (log.info if service.plane.isolated else log.warning)("%s", service.plane.describe())
    await service.plane.reap()
    launch.serve(server, app_module.make_app(config, service))
    log.info(
        "datasets service on port %d, prefix %s (ready in %.1f s)",
        config.port,
        config.prefix,
        time.monotonic() - began,
    )
    await launch.until_stopped(service.plane.tidy, 5.0)
    server.stop()
    service.plane.close()
    service.store.close()


def main() -> None:
    launch.run_service("datasets", ServiceConfig.from_env, serve)
