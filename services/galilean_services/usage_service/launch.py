"""Start the usage service: the dashboard at once, the collector beside it."""

from __future__ import annotations

import asyncio
import logging

from ..kit import launch
from ..usage.store import UsageStore
from .config import ServiceConfig

log = logging.getLogger("galilean.usage")


async def serve(config: ServiceConfig) -> None:
    server = launch.listen_starting("usage", config.port, config.prefix)
    from .app import make_app
    from .collector import Collector
    from .hub_api import HubApi
    from .service import UsageService

    store = await asyncio.to_thread(UsageStore, config.db_url, config.retention)
    hub = HubApi(config.hub_api, config.token)
    service = UsageService(config, store, hub)
    launch.serve(server, make_app(service))
    stopped = asyncio.Event()
    collector = Collector(store, hub, config.mode, config.data, config.disk_every)
    collecting = asyncio.ensure_future(collector.run(config.every, stopped))
    log.info("usage dashboard on port %d, measuring every %g s", config.port, config.every)
    await launch.until_stopped(lambda: None, 5.0)
    stopped.set()
    await collecting
    server.stop()
    store.close()


def main() -> None:
    launch.run_service("usage", ServiceConfig.from_env, serve)
