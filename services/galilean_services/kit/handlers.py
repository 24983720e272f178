"""BaseHandler of every hub service: the hub's login (HubOAuth: a browser session or a hub
API token), errors in the one JSON shape, XSRF on sessions, JSON replies, the caller and
its verbs (`auth.Scopes`)."""

from __future__ import annotations

import json
import os
from typing import Any, ClassVar

from jupyterhub.services.auth import HubOAuthenticated
from tornado import web

from .auth import Caller, Scopes
from .body import json_body, json_object
from .errors import GalileanError
from .http import JSONErrorMixin

# The hub's usage dashboard service (galilean_hub/services.py names it so).
USAGE_DASHBOARD = "usage"


class BaseHandler(JSONErrorMixin, HubOAuthenticated, web.RequestHandler):
    """A service's handler. Who may call: a browser session (the hub's OAuth) or a hub API
    token that has `access:services!service=<name>` OR any of the service's custom scopes,
    so a token made with only `custom:<service>:read` works for reading; each verb then
    needs its own scope (403 naming it). A subclass per service sets `scopes`."""

    scopes: ClassVar[Scopes]
    # method → one line for the OpenAPI document
    docs: ClassVar[dict[str, str]] = {}
    # method → JSON Schema of the request body, for the OpenAPI document
    bodies: ClassVar[dict[str, dict[str, Any]]] = {}
    # No login needed (the handler checks what it needs itself).
    public: ClassVar[bool] = False

    def initialize(self, service: Any) -> None:
        self.service = service

    @property
    def hub_auth(self) -> Any:
        """The application's `hub_auth` setting (make_app's; a test double in tests), else
        HubOAuth's shared instance."""
        return self.settings.get("hub_auth") or super().hub_auth

    @hub_auth.setter
    def hub_auth(self, auth: Any) -> None:
        self._hub_auth = auth

    @property
    def hub_scopes(self) -> set[str]:
        name = os.environ.get("JUPYTERHUB_SERVICE_NAME", self.scopes.service)
        return self.scopes.letting_in(name)

    def prepare(self) -> None:
        if self.public:
            return
        if self.current_user is None:
            raise GalileanError(
                "log in to the hub, or send a hub API token (Authorization: token …)",
                status=401,
            )
        self.check_xsrf_cookie()

    @property
    def from_usage_dashboard(self) -> bool:
        """Whether the hub's usage dashboard calls, with its service token (services let it
        read what an admin reads of their reports, nothing else)."""
        model = self.current_user or {}
        return model.get("kind") == "service" and model.get("name") == USAGE_DASHBOARD

    @property
    def caller(self) -> Caller:
        return Caller.from_hub_model(self.current_user, self.hub_auth.check_scopes, self.scopes)

    def body(self) -> Any:
        return json_body(self.request.body)

    def body_object(self) -> dict[str, Any]:
        return json_object(self.request.body)

    def send(self, data: Any, status: int = 200) -> None:
        self.set_status(status)
        self.set_header("Content-Type", "application/json")
        self.set_header("Cache-Control", "no-store")
        self.finish(json.dumps(data, default=str))


class NotFoundHandler(BaseHandler):
    """Any other path under the service: 404 in the one shape."""

    public = True

    def prepare(self) -> None:
        raise web.HTTPError(404, f"no such path: {self.request.path}")


def service_cookie_secret() -> bytes:
    """The OAuth cookie is signed with a secret the service makes at each start: a restart
    only means users pass through the hub's login again (silently, if logged in)."""
    return os.urandom(32)
