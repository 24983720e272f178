"""The gateway as a tornado application: its own routes, the hub's OAuth callback, then
everything else under the prefix to MLflow (`make_app`; launch.py runs it)."""

from __future__ import annotations

from typing import Any

from jupyterhub.services.auth import HubOAuth, HubOAuthCallbackHandler
from tornado import web

from ..kit.handlers import NotFoundHandler, service_cookie_secret
from .backend import Backend
from .config import GatewayConfig
from .handlers import HealthHandler, ShareHandler
from .proxy import PrefixRedirect, ProxyHandler
from .sharing import Sharing


class Gateway:
    """What the handlers share: the settings, MLflow's process, sharing with groups."""

    def __init__(self, config: GatewayConfig, backend: Backend | None = None) -> None:
        self.config = config
        self.backend = backend or Backend(config)
        self.sharing = Sharing(self.backend)


def make_app(gateway: Gateway, hub_auth: HubOAuth | None = None) -> web.Application:
    prefix = gateway.config.prefix
    args = {"service": gateway}
    rules: list[Any] = [
        (prefix.rstrip("/"), PrefixRedirect, args),
        (prefix + "galilean/health", HealthHandler, args),
        (prefix + "galilean/share", ShareHandler, args),
        (prefix + "oauth_callback", HubOAuthCallbackHandler),
        (prefix + "(.*)", ProxyHandler, args),
    ]
    auth = hub_auth or HubOAuth.instance()
    auth.cookie_options = {**auth.cookie_options, "samesite": "Lax"}
    return web.Application(
        rules,
        cookie_secret=service_cookie_secret(),
        default_handler_class=NotFoundHandler,
        default_handler_args=args,
        service=gateway,
        hub_auth=auth,
    )
