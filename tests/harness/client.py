"""An HTTP client that uses the hub's pages the way a browser does (forms, _xsrf, cookies)."""

from __future__ import annotations

import html
import re
import time
from typing import Any

import requests

from .processes import wait_until

XSRF_FIELD = re.compile(r'name="_xsrf" value="([^"]+)"')
ALERT = re.compile(r'<div class="alert[^"]*"[^>]*>(.*?)</div>', re.S)
LOGIN_ERROR = re.compile(r'<p class="login_error">\s*(.*?)\s*</p>', re.S)


def text_of(fragment: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


class HubClient:
    def __init__(self, url: str) -> None:
        self.url = url
        self.http = requests.Session()
        self.username = ""
        self.token = ""

    def _xsrf(self, path: str) -> str:
        page = self.http.get(f"{self.url}{path}", timeout=30)
        page.raise_for_status()
        match = XSRF_FIELD.search(page.text)
        assert match, f"no _xsrf field on {path}"
        return match.group(1)

    def signup(
        self,
        username: str,
        password: str,
        confirmation: str | None = None,
        two_factor: bool = False,
    ) -> str:
        """Fill the sign-up form; returns the message the page shows."""
        form = {
            "_xsrf": self._xsrf("/hub/signup"),
            "username": username,
            "signup_password": password,
            "signup_password_confirmation": password if confirmation is None else confirmation,
        }
        if two_factor:
            form["2fa"] = "2fa"
        page = self.http.post(f"{self.url}/hub/signup", data=form, timeout=30)
        page.raise_for_status()
        match = ALERT.search(page.text)
        return text_of(match.group(1)) if match else ""

    def login(self, username: str, password: str, code: str = "") -> tuple[bool, str]:
        """Fill the login form; returns (logged in, the error the page shows)."""
        form = {"_xsrf": self._xsrf("/hub/login"), "username": username, "password": password}
        if code:
            form["2fa"] = code
        page = self.http.post(f"{self.url}/hub/login", data=form, allow_redirects=False, timeout=30)
        if page.status_code == 302:
            self.username = username
            return True, ""
        match = LOGIN_ERROR.search(page.text)
        return False, text_of(match.group(1)) if match else f"HTTP {page.status_code}"

    def xsrf_cookie(self) -> str:
        """The hub's _xsrf cookie: what its forms and cookie-authenticated API calls carry."""
        for cookie in self.http.cookies:
            if cookie.name == "_xsrf" and cookie.value:
                return str(cookie.value)
        return ""

    def authorize(self, username: str) -> int:
        """As an admin, press 'Authorize' (a POST form) on the authorization page."""
        form = {"_xsrf": self._xsrf("/hub/authorize")}
        reply = self.http.post(f"{self.url}/hub/authorize/{username}", data=form, timeout=30)
        return reply.status_code

    def new_token(self, note: str = "tests", scopes: list[str] | None = None) -> str:
        """An API token made through the logged-in session (cookie + X-XSRFToken); with
        `scopes`, a token of those scopes only."""
        body: dict[str, Any] = {"note": note}
        if scopes is not None:
            body["scopes"] = scopes
        reply = self.http.post(
            f"{self.url}/hub/api/users/{self.username}/tokens",
            json=body,
            headers={"X-XSRFToken": self.xsrf_cookie()},
            timeout=30,
        )
        assert reply.status_code == 201, reply.text
        self.token = reply.json()["token"]
        return self.token

    def save_secret(self, name: str, value: str) -> None:
        """Add or replace one of this user's secrets with a token made for the vault (as a
        script would; the client's own token stays as it was)."""
        token = requests.post(
            f"{self.url}/hub/api/users/{self.username}/tokens",
            headers={"Authorization": f"token {self.token}"},
            json={"scopes": ["custom:secrets:read", "custom:secrets:write"], "note": "vault"},
            timeout=30,
        ).json()["token"]
        put = requests.put(
            f"{self.url}/hub/api/galilean/secrets/{name}",
            headers={"Authorization": f"token {token}"},
            json={"value": value},
            timeout=30,
        )
        assert put.status_code in (200, 201), put.text

    def api(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        """Call the hub, a server or a service with this user's token."""
        headers = {"Authorization": f"token {self.token}", **kwargs.pop("headers", {})}
        prefix = "" if path.startswith(("/user/", "/services/")) else "/hub/api"
        return requests.request(
            method, f"{self.url}{prefix}{path}", headers=headers, timeout=60, **kwargs
        )

    def user_model(self, name: str | None = None) -> dict[str, Any]:
        reply = self.api("GET", f"/users/{name or self.username}?include_stopped_servers=1")
        reply.raise_for_status()
        return dict(reply.json())

    def server_path(self, server: str = "") -> str:
        return (
            f"/users/{self.username}/servers/{server}"
            if server
            else f"/users/{self.username}/server"
        )

    def start_server(self, server: str = "", timeout: float = 180) -> float:
        """Start a workspace and wait until it is ready; returns the seconds it took."""
        began = time.monotonic()
        self.begin_server(server)
        self.wait_server(server, ready=True, timeout=timeout)
        return time.monotonic() - began

    def begin_server(self, server: str = "") -> None:
        """Ask for a workspace to start, not waiting for it (wait_server does)."""
        reply = self.api("POST", self.server_path(server))
        assert reply.status_code in (201, 202), reply.text

    def stop_server(self, server: str = "", timeout: float = 60) -> None:
        reply = self.api("DELETE", self.server_path(server))
        assert reply.status_code in (202, 204), reply.text
        self.wait_server(server, ready=False, timeout=timeout)

    def server_state(self, server: str = "") -> dict[str, Any] | None:
        servers = self.user_model().get("servers", {})
        state = servers.get(server)
        return dict(state) if state is not None else None

    def wait_server(self, server: str, ready: bool, timeout: float) -> None:
        def settled() -> bool:
            state = self.server_state(server)
            running = bool(state and state.get("ready"))
            return running == ready and not (state and state.get("pending"))

        what = f"server {server!r} of {self.username} {'ready' if ready else 'stopped'}"
        wait_until(settled, timeout, what, interval=0.5)

    def server_url(self, server: str = "") -> str:
        return f"/user/{self.username}/{server + '/' if server else ''}"


def wait_for_service(hub_url: str, path: str, what: str, timeout: float = 120) -> None:
    """Until `path` under the hub (a service's health route, through the proxy) answers
    200: the hub starts its services with itself, and they answer 503 while they start."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if requests.get(f"{hub_url}{path}", timeout=5).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.5)
    raise AssertionError(f"{what} did not answer in {timeout} s")
