"""Start the MLflow gateway: listen at once (the kit's two-phase start), start MLflow in
its own environment, answer 503 until MLflow is healthy, restart MLflow if it dies, stop it
with the gateway."""

from __future__ import annotations

import asyncio
import logging
import time

from tornado.httpclient import AsyncHTTPClient

from ..kit import launch
from .app import Gateway, make_app
from .backend import Backend, MlflowUnavailable
from .config import GatewayConfig
from .database import DatabaseUnavailable, ensure_database

log = logging.getLogger("galilean.mlflow")
RESTARTS = 3


async def healthy(backend: Backend) -> bool:
    try:
        reply = await AsyncHTTPClient().fetch(
            f"{backend.url}/health", request_timeout=5, raise_error=False
        )
    except OSError:
        return False
    return reply.code == 200


async def watch(backend: Backend, timeout: float) -> None:
    """Until stopped: mark MLflow ready once it answers; restart it if it dies (a few
    times in a row at most, then leave the gateway answering 503 with the reason logged)."""
    restarts = 0
    while True:
        gone = backend.exited()
        if gone:
            log.error("%s", gone)
            backend.ready_after = None
            if restarts >= RESTARTS:
                backend.problem = f"MLflow failed {restarts + 1} times in a row: see its log"
                log.error("%s (%s)", backend.problem, backend.log_path)
                return
            restarts += 1
            await asyncio.to_thread(backend.start)
        elif backend.ready_after is None:
            if await healthy(backend):
                backend.ready_after = time.monotonic() - backend.started
                restarts = 0
                log.info("MLflow is ready (%.1f s after its start)", backend.ready_after)
            elif time.monotonic() - backend.started > timeout:
                backend.problem = f"MLflow did not answer in {timeout:.0f} s: see its log"
                log.error("%s (%s)", backend.problem, backend.log_path)
                await asyncio.to_thread(backend.stop)
                return
        await asyncio.sleep(0.5 if backend.ready_after is None else 5)


def start_backend(gateway: Gateway) -> None:
    """MLflow's database, then MLflow; what stops them is the gateway's `problem` (it keeps
    answering 503 with it: a managed service that exits takes the hub down)."""
    try:
        ensure_database(gateway.config.db_url)
        gateway.backend.start()
    except (MlflowUnavailable, DatabaseUnavailable) as exc:
        gateway.backend.problem = str(exc)
        log.error("%s", exc)


async def serve(config: GatewayConfig) -> None:
    server = launch.listen_starting("mlflow", config.port, config.prefix)
    gateway = Gateway(config)
    await asyncio.to_thread(start_backend, gateway)
    launch.serve(server, make_app(gateway))
    log.info("MLflow gateway on port %d, prefix %s", config.port, config.prefix)
    watcher = None
    if gateway.backend.problem is None:
        watcher = asyncio.ensure_future(watch(gateway.backend, config.start_timeout))
    try:
        await launch.until_stopped(lambda: None, 5.0)
    finally:
        if watcher is not None:
            watcher.cancel()
        server.stop()
        await asyncio.to_thread(gateway.backend.stop)


def main() -> None:
    launch.run_service("mlflow", GatewayConfig.from_env, serve)
