"""Start the MLflow gateway: listen at once (the kit's two-phase start), start MLflow in
its own environment (with its artifact store's keys from the hub's secrets), answer 503
until MLflow is healthy, restart MLflow if it dies or those keys change, stop it with the
gateway."""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

from jupyterhub.services.auth import HubOAuth
from tornado.httpclient import AsyncHTTPClient

from ..kit import launch
from .app import Gateway, make_app
from .artifact_store import CHECK_SECONDS, hub_keys, in_s3
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


async def new_store_keys(backend: Backend, auth: Any) -> bool:
    """Ask the hub for the artifact store's keys; True when they differ from MLflow's
    (kept in `backend.store_keys` for its next start). Names only are logged."""
    if not in_s3(backend.config.artifacts):
        return False
    keys = await hub_keys(auth)
    if keys is None or keys == backend.store_keys:
        return False
    backend.store_keys = keys
    log.info("MLflow's artifact store keys: %s (the hub's secrets)", ", ".join(keys) or "none")
    return True


async def watch(
    backend: Backend, timeout: float, auth: Any = None, check_seconds: float = CHECK_SECONDS
) -> None:
    """Until stopped: mark MLflow ready once it answers; restart it if it dies (a few
    times in a row at most, then leave the gateway answering 503 with the reason logged)
    or when its artifact store's keys changed in the hub's secrets (checked every
    `check_seconds` with `auth`, the gateway's HubAuth)."""
    restarts = 0
    next_check = time.monotonic() + check_seconds
    while True:
        if auth is not None and time.monotonic() >= next_check:
            next_check = time.monotonic() + check_seconds
            if await new_store_keys(backend, auth):
                log.info("restarting MLflow with the new keys")
                backend.ready_after = None
                await asyncio.to_thread(backend.stop)
                await asyncio.to_thread(backend.start)
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
    auth = HubOAuth.instance()
    await new_store_keys(gateway.backend, auth)
    await asyncio.to_thread(start_backend, gateway)
    launch.serve(server, make_app(gateway))
    log.info("MLflow gateway on port %d, prefix %s", config.port, config.prefix)
    watcher = None
    if gateway.backend.problem is None:
        watcher = asyncio.ensure_future(watch(gateway.backend, config.start_timeout, auth))
    try:
        await launch.until_stopped(lambda: None, 5.0)
    finally:
        if watcher is not None:
            watcher.cancel()
        server.stop()
        await asyncio.to_thread(gateway.backend.stop)


def main() -> None:
    launch.run_service("mlflow", GatewayConfig.from_env, serve)
