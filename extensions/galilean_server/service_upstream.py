"""The user's server as a client of a hub service (the flows designer's and the Datasets
panel's bridges): `Upstream` sends one JSON request with the server's hub token
(JUPYTERHUB_API_TOKEN, which the hub gives the services' scopes, so a service sees the
server's owner as the caller) to the service's URL (GALILEAN_<SERVICE>_URL), and passes the
service's errors on in the one JSON shape. The token is sent in a header, never logged or
answered."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

from tornado.httpclient import AsyncHTTPClient, HTTPRequest

from galilean_services.kit.errors import GalileanError


class Unreachable(GalileanError):
    status = 503


class Upstream:
    def __init__(
        self,
        url: str,
        token: str,
        service: str = "flows",
        timeout: float = 30.0,
        settings: str = "",
    ) -> None:
        self.url = url if url.endswith("/") else f"{url}/"
        self.token = token
        self.service = service
        self.timeout = timeout
        # The variables that name the upstream and its token, for the 'not reachable' error.
        self.settings = settings or f"GALILEAN_{service.upper()}_URL and JUPYTERHUB_API_TOKEN"

    @property
    def unreachable(self) -> str:
        return f"The {self.service} service is not reachable from this server"

    async def call(
        self, method: str, path: str, body: Any = None, query: Mapping[str, str] | None = None
    ) -> Any:
        if not self.url.startswith(("http://", "https://")) or not self.token:
            raise Unreachable(
                f"{self.unreachable}: {self.settings} are set only in servers the "
                "Galilean hub starts"
            )
        target = self.url + path + (f"?{urlencode(query)}" if query else "")
        # Tornado wants a body for POST, PUT and PATCH, and none for GET or DELETE.
        with_body = method in ("POST", "PUT", "PATCH")
        payload = (json.dumps(body) if body is not None else "") if with_body else None
        request = HTTPRequest(
            target,
            method,
            headers={"Authorization": f"token {self.token}", "Content-Type": "application/json"},
            body=payload,
            connect_timeout=min(5.0, self.timeout),
            request_timeout=self.timeout,
            follow_redirects=False,
        )
        try:
            response = await AsyncHTTPClient().fetch(request, raise_error=False)
        except OSError as exc:  # refused, name unknown: nothing is said of the URL's token
            raise Unreachable(f"{self.unreachable} ({type(exc).__name__})") from None
        if response.code == 599:  # tornado's "no answer" (timeout, connection lost)
            raise Unreachable(f"{self.unreachable} (no answer in {self.timeout:g} s)")
        return self.answer(response.code, response.body or b"")

    def answer(self, code: int, raw: bytes) -> Any:
        """The service's JSON for a 2xx; its error passed on (status and shape) otherwise."""
        try:
            data = json.loads(raw) if raw.strip() else None
        except ValueError:
            data = None
        if 200 <= code < 300:
            return data
        if isinstance(data, dict) and isinstance(data.get("error"), str):
            errors = data.get("errors")
            raise GalileanError(data["error"], errors if isinstance(errors, list) else [], code)
        if code in (502, 503, 504):
            raise Unreachable(f"{self.unreachable} (it answered {code})")
        raise GalileanError(
            f"The {self.service} service answered {code}", [], code if code >= 400 else 502
        )
