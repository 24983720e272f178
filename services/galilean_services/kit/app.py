"""A service's tornado application from its routes: each template under the service's
prefix (its {names} replaced by their patterns), the hub's OAuth callback, the one 404,
and the login cookie kept to same-site requests."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from jupyterhub.services.auth import HubOAuth, HubOAuthCallbackHandler
from tornado import web

from .handlers import NotFoundHandler, service_cookie_secret


def route_regex(template: str, patterns: Mapping[str, str]) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: f"({patterns[m.group(1)]})", template)


def service_app(
    prefix: str,
    routes: list[tuple[str, type[web.RequestHandler]]],
    patterns: Mapping[str, str],
    service: Any,
    hub_auth: HubOAuth | None = None,
) -> web.Application:
    """`hub_auth`: how callers are known (default: the hub's HubOAuth; in tests,
    kit.testing.FakeHubAuth)."""
    rules: list[Any] = [
        (prefix + route_regex(template, patterns), handler, {"service": service})
        for template, handler in routes
    ]
    rules.append((prefix + "oauth_callback", HubOAuthCallbackHandler))
    # The login cookie stays home: a cross-site request (a form, an image, a fetch) does
    # not carry it; a link followed from another site does (Lax).
    auth = hub_auth or HubOAuth.instance()
    auth.cookie_options = {**auth.cookie_options, "samesite": "Lax"}
    return web.Application(
        rules,
        cookie_secret=service_cookie_secret(),
        default_handler_class=NotFoundHandler,
        default_handler_args={"service": service},
        service=service,
        routes=routes,
        hub_auth=auth,
    )
