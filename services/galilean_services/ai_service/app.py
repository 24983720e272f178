"""The AI gateway's tornado application (launch.py runs it)."""

from __future__ import annotations

from typing import Any

from tornado import web

from ..kit.app import service_app
from .config import ServiceConfig
from .handlers import ChatHandler, HealthHandler, ModelsHandler, StatusHandler, UsageHandler
from .service import AiService

ROUTES: list[tuple[str, type[web.RequestHandler]]] = [
    ("health", HealthHandler),
    ("v1/models", ModelsHandler),
    ("v1/chat/completions", ChatHandler),
    ("api/status", StatusHandler),
    ("api/usage", UsageHandler),
]


def make_app(config: ServiceConfig, service: AiService, hub_auth: Any = None) -> web.Application:
    return service_app(config.prefix, ROUTES, {}, service, hub_auth)
