"""Start a hub service in two phases, answering at once.

The hub gives a managed service about ten seconds to answer HTTP with something other than
a 5xx, or it stops itself; importing an engine (DuckDB, Arrow, pandas, ...) can take longer
on a fresh machine. So a service listens first (`listen_starting`: its root answers
"starting", the rest 503 in the one error shape), imports and builds the rest (in a
thread), then hands the same server its real application (`serve`), and runs until a
signal or until the hub that started it is gone (`until_stopped`).
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import signal
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

from tornado import web
from tornado.httpserver import HTTPServer
from tornado.ioloop import PeriodicCallback

from .errors import error_body
from .settings import ConfigError

log = logging.getLogger("galilean")
C = TypeVar("C")


class StartingHandler(web.RequestHandler):
    """Until the service is built: its root says "starting" (the hub only needs an answer
    that is not a 5xx to count the service as up), the rest 503."""

    def initialize(self, name: str, prefix: str) -> None:
        self.name = name
        self.prefix = prefix

    def prepare(self) -> None:
        self.set_header("Content-Type", "application/json")
        if self.request.path == self.prefix:
            self.finish(json.dumps({"ok": True, "service": self.name, "status": "starting"}))
            return
        self.set_status(503)
        self.set_header("Retry-After", "2")
        message = f"the {self.name} service is starting: try again"
        self.finish(json.dumps(error_body(message, 503)))


def local_only(environ: dict[str, str] | None = None) -> bool:
    """Whether the hub reaches the service on this machine (listen on loopback only)."""
    env = os.environ if environ is None else environ
    url = env.get("JUPYTERHUB_SERVICE_URL", "http://127.0.0.1")
    return "://127.0.0.1" in url or "://localhost" in url


def listen_starting(name: str, port: int, prefix: str) -> HTTPServer:
    """Phase one: listen now, answering "starting"."""
    starting = web.Application([(r".*", StartingHandler, {"name": name, "prefix": prefix})])
    server = HTTPServer(starting, xheaders=True)
    server.listen(port, "127.0.0.1" if local_only() else "")
    return server


def serve(server: HTTPServer, app: web.Application) -> None:
    """Phase two: the same server answers with the real application."""
    server.request_callback = app


async def until_stopped(tick: Callable[[], None], every: float) -> None:
    """Call `tick` every `every` seconds until SIGTERM, SIGINT, or the hub (the parent
    process) is gone (kill -9): then the port is free for the next one."""
    stop = asyncio.Event()
    hub = os.getppid()

    def check() -> None:
        tick()
        if os.getppid() != hub:
            log.warning("the hub (pid %d) is gone: stopping", hub)
            stop.set()

    ticker = PeriodicCallback(check, every * 1000)
    ticker.start()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    ticker.stop()


def configure_logging(name: str) -> None:
    logging.basicConfig(
        level=logging.INFO, format=f"[%(levelname).1s %(asctime)s {name}] %(message)s"
    )


def run_service(
    name: str, from_env: Callable[[], C], serve: Callable[[C], Coroutine[Any, Any, None]]
) -> None:
    """A service's `main`: die with the hub (a hub killed with -9 takes its services with
    it), log as `name`, read its settings from the environment (a bad one: its message,
    exit 2; the hub passes checked values, so only a hand-started service meets it), serve."""
    from ..execution.confinement import die_with_parent
    from .service_secrets import load as load_service_secrets

    die_with_parent()
    configure_logging(name)
    try:
        load_service_secrets()  # the secret settings the hub keeps out of its database
        config = from_env()
    except (ConfigError, RuntimeError) as exc:
        log.error("%s", exc)
        raise SystemExit(2) from None
    asyncio.run(serve(config))
