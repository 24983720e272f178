"""Start the AI gateway, answering at once (the kit's two-phase start; litellm itself is
imported on the first chat)."""

from __future__ import annotations

import asyncio
import logging
import time

from ..kit import launch
from .config import ServiceConfig

log = logging.getLogger("galilean.ai")


async def serve(config: ServiceConfig) -> None:
    server = launch.listen_starting("ai", config.port, config.prefix)
    began = time.monotonic()
    from .app import make_app
    from .service import AiService

    service = await asyncio.to_thread(AiService, config)
    launch.serve(server, make_app(config, service))
    if config.catalogue.models:  # the first chat need not wait for litellm's import
        from . import router

        warm = asyncio.ensure_future(router.loaded())
        warm.add_done_callback(_report_import)
    log.info(
        "AI gateway on port %d, prefix %s, %d model(s) (ready in %.1f s)",
        config.port,
        config.prefix,
        len(config.catalogue.models),
        time.monotonic() - began,
    )
    await launch.until_stopped(lambda: None, 5.0)
    server.stop()
    service.close()


def _report_import(done: asyncio.Future[object]) -> None:
    if not done.cancelled() and done.exception() is not None:
        log.warning("litellm could not be imported: %s", done.exception())


def main() -> None:
    launch.run_service("ai", ServiceConfig.from_env, serve)
