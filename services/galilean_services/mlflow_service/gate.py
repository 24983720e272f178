"""The gateway's base handler: the hub's login (a browser session or a hub token; a
browser without a session is sent to the hub's login), the `custom:mlflow:use` scope, and
the same-origin check that stands in for XSRF tokens MLflow's UI cannot send.

A hub service the gateway trusts (GatewayConfig.acting_services: the flows service, which
logs a scheduled training as the flow's owner) calls with its own token and names the user
in X-Galilean-Acting-For; the gateway asks the hub for that user's groups and treats the
request as theirs. Any other service is refused."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from tornado import web

from ..kit.auth import Caller
from ..kit.errors import Forbidden, GalileanError
from ..kit.handlers import BaseHandler
from . import policy
from .access import SCOPES

LOGIN = "log in to the hub, or send a hub API token (Authorization: token …)"
ACTING_FOR = "X-Galilean-Acting-For"
CROSS_SITE = "refused: a page of another site may not change anything in MLflow"


class GatewayHandler(BaseHandler):
    scopes = SCOPES
    cross_site = False
    _caller: Caller | None = None

    @property
    def gateway(self) -> Any:
        return self.service

    @property
    def prefix(self) -> str:
        return str(self.gateway.config.prefix)

    @property
    def caller(self) -> Caller:
        if self._caller is None:
            self._caller = super().caller
        return self._caller

    @property
    def mlflow_admin(self) -> bool:
        group = self.gateway.config.admin_group
        return bool(group) and group in self.caller.groups

    def check_xsrf_cookie(self) -> None:
        """HubOAuth calls this before it accepts a session cookie on a request that changes
        something: the request must come from the hub's own origin."""
        if not policy.same_origin(self.request.headers, self.request.host):
            self.cross_site = True
            raise web.HTTPError(403, CROSS_SITE)

    def wants_page(self) -> bool:
        if self.request.method not in ("GET", "HEAD"):
            return False
        path = self.request.path[len(self.prefix) :]
        if path.startswith(("api/", "ajax-api/", "graphql", "get-artifact", "model-versions/")):
            return False
        mode = self.request.headers.get("Sec-Fetch-Mode")
        if mode is not None:
            return mode == "navigate"
        return "text/html" in self.request.headers.get("Accept", "")

    async def authenticate(self) -> None:
        if self.current_user is None:
            if self.cross_site:
                raise Forbidden(CROSS_SITE)
            if self.wants_page():
                self.redirect(self.get_login_url())
                raise web.Finish()
            raise GalileanError(LOGIN, status=401)
        if self.current_user.get("kind") == "service":
            self._caller = await self.acting_for(str(self.current_user.get("name")))
        policy.check_user(self.caller.name)
        self.caller.need("use")

    async def acting_for(self, service: str) -> Caller:
        """The user a trusted service acts for, with the groups the hub gives them."""
        if service not in self.gateway.config.acting_services:
            raise Forbidden(f"the service {service!r} may not use MLflow")
        name = self.request.headers.get(ACTING_FOR, "")
        if not name:
            raise Forbidden(f"a service names the user it acts for in {ACTING_FOR}")
        auth = self.hub_auth
        try:
            model = await auth._api_request(
                "GET", f"{auth.api_url}/users/{quote(name, safe='')}", allow_403=True
            )
        except web.HTTPError as error:
            # HubAuth answers the hub's 404 with a 500 "Failed to check authorization";
            # a hub it cannot reach with "Failed to connect" (or a 502).
            message = str(error.log_message or "")
            if error.status_code != 500 or message.startswith("Failed to connect"):
                raise GalileanError("the hub did not answer who the user is", status=502) from None
            model = None
        if not isinstance(model, dict) or model.get("name") != name:
            raise Forbidden(f"{ACTING_FOR}: {name!r} is not a user of the hub")
        groups = frozenset(str(g) for g in model.get("groups") or ())
        return Caller(name=name, groups=groups, verbs=frozenset({"use"}), service="mlflow")
